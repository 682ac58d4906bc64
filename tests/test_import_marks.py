"""Importing marks from the progress workbook: preview cell by cell, every error located, confirm all or nothing."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from assessment.marks.services import HOW, set_mark, undo_batch
from assessment.models import ChangeBatch, ImportSession, Mark, SchemeUnit

from .conftest import log_in
from .factories import UnitFactory, multiply_units

YEAR_EXPORT = "/assessment/2019/progress.xlsx"
BULLETIN_EXPORT = "/bulletins/2019/11/progress.xlsx"
IMPORT = "/assessment/2019/import/"


def _download(client, url=YEAR_EXPORT):
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _edit(content, edit):
    wb = load_workbook(io.BytesIO(content))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, content, name="工作进展通报.xlsx"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})


def _session(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    token = response["Location"].rstrip("/").split("/")[-1]
    return ImportSession.objects.get(token=token)


def _mark(unit, order, category="departments"):
    return Mark.objects.get(unit__name=unit, indicator__order=order, indicator__scheme__category__slug=category)


def _cell(wb, sheet, unit):
    """The row number of `unit` in a sheet of the workbook."""
    ws = wb[sheet]
    return next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == unit)


def _set(sheet, unit, column, value):
    def edit(wb):
        wb[sheet].cell(_cell(wb, sheet, unit), column).value = value

    return edit


def _snapshot():
    return sorted(Mark.objects.values_list("pk", "state", "count", "version"))


@pytest.fixture
def staff(role_client):
    return role_client("staff")


def test_year_export_has_all_three_tables_in_the_bulletin_layout(staff):
    wb = load_workbook(io.BytesIO(_download(staff)))
    assert wb.sheetnames == ["区镇", "城市管理办事处", "部门"]
    ws = wb["部门"]
    assert ws.cell(1, 1).value == "2019年度 部门工作进展通报"
    assert ws.cell(2, 1).value == "部门" and ws.cell(2, 12).value == "扣分情况"
    assert ws.cell(_cell(wb, "部门", "财政局"), 3).value == "*"


def test_preview_lists_each_change_and_confirm_writes_one_undoable_batch(staff, staff_user):
    content = _edit(
        _download(staff),
        lambda wb: (_set("部门", "财政局", 3, "√")(wb), _set("区镇", "昆山开发区", 6, "已说明")(wb)),
    )
    before = _snapshot()
    session = _session(_upload(staff, content))
    assert _snapshot() == before  # nothing written by the preview
    page = staff.get(f"/assessment/import/{session.token}/").content.decode()
    assert "财政局" in page and "配合推进国家守信激励创新试点项目" in page and "确认导入" in page
    assert [(c["sheet"], c["unit"], c["column"], c["old"], c["new"]) for c in session.changes] == [
        ("区镇", "昆山开发区", "F", "*", "已说明"),
        ("部门", "财政局", "C", "*", "√"),
    ]
    response = staff.post(f"/assessment/import/{session.token}/confirm/")
    assert response.status_code == 302
    assert _mark("财政局", 2).state == "√"
    assert _mark("昆山开发区", 5, "towns").state == "已说明"
    session.refresh_from_db()
    assert session.status == ImportSession.Status.DONE
    batch = session.batch
    assert batch.how == HOW.IMPORT and batch.entries.count() == 2
    entry = _mark("财政局", 2).history.first()
    assert entry.history_change_reason == HOW.IMPORT and entry.history_user == staff_user
    undo_batch(batch, staff_user)
    assert _mark("财政局", 2).state == "*" and _mark("昆山开发区", 5, "towns").state == "*"


def test_bulletin_export_imports_unchanged(staff):
    session = _session(_upload(staff, _download(staff, BULLETIN_EXPORT)))
    assert session.errors == [] and session.changes == []
    page = staff.get(f"/assessment/import/{session.token}/").content.decode()
    assert "没有修改" in page and "确认导入" not in page


def test_a_changed_derived_count_is_refused_in_the_words_of_every_other_path(staff):
    before = _snapshot()
    content = _edit(_download(staff, BULLETIN_EXPORT), _set("部门", "发改委", 9, 99))
    session = _session(_upload(staff, content))
    assert session.changes == []
    assert [e["message"] for e in session.errors] == [
        "发改委：“奖惩案例”一栏由奖惩案例记录自动统计，不能直接填写数量。"
    ]
    assert (_mark("发改委", 8).state, _mark("发改委", 8).count) == ("*", None)
    assert _snapshot() == before


def test_a_typed_deduction_is_refused_at_its_cell_like_a_typed_case_count(staff):
    content = _edit(_download(staff), _set("部门", "财政局", 12, "扣0.1分"))
    (error,) = _errors_for(staff, content)
    assert (error["sheet"], error["column"], error["row"]) == ("部门", "L", 3 + 16)
    assert error["message"] == "财政局：“扣分情况”一栏由系统按得分生成，不能直接填写；请保留导出时的内容。"


def test_a_refused_file_does_not_head_its_changes_as_about_to_be_made(staff):
    content = _edit(_edit(_download(staff), _set("部门", "财政局", 3, "√")), _set("部门", "发改委", 3, "完成"))
    session = _session(_upload(staff, content))
    assert len(session.changes) == 1 and len(session.errors) == 1
    page = staff.get(f"/assessment/import/{session.token}/").content.decode()
    assert "将要修改的内容" not in page and "文件中的修改（因有错误，均未导入）（1 处）" in page


def test_round_trip_export_import_export_is_identical(staff):
    first = _download(staff)
    session = _session(_upload(staff, first))
    assert session.errors == [] and session.changes == []
    response = staff.post(f"/assessment/import/{session.token}/confirm/", follow=True)
    assert "没有需要导入的修改" in response.content.decode()
    assert not ChangeBatch.objects.exists()
    second = _download(staff)
    a, b = load_workbook(io.BytesIO(first)), load_workbook(io.BytesIO(second))
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert list(a[name].iter_rows(values_only=True)) == list(b[name].iter_rows(values_only=True))


def _errors_for(staff, content, name="工作进展通报.xlsx"):
    before = _snapshot()
    response = _upload(staff, content, name)
    assert _snapshot() == before
    if response.status_code == 302:
        session = _session(response)
        page = staff.get(f"/assessment/import/{session.token}/").content.decode()
        assert "不能导入" in page and "确认导入" not in page
        # Confirming anyway (a forged POST) writes nothing either.
        staff.post(f"/assessment/import/{session.token}/confirm/")
        assert _snapshot() == before
        return session.errors
    assert response.status_code == 400
    assert not ImportSession.objects.exists()
    return [{"sheet": "", "row": None, "column": "", "message": response.context["form"].errors["file"][0]}]


def test_unknown_value_is_located_by_sheet_row_and_column(staff):
    content = _edit(_download(staff), _set("部门", "财政局", 3, "完成"))
    (error,) = _errors_for(staff, content)
    assert (error["sheet"], error["column"]) == ("部门", "C")
    assert error["row"] == 3 + 16  # 财政局 is the 17th department
    assert "“完成”不是" in error["message"] and "财政局" in error["message"]


def test_value_of_another_column_is_refused(staff):
    (error,) = _errors_for(staff, _edit(_download(staff), _set("区镇", "周庄镇", 7, "√")))
    assert error["column"] == "G" and "不是" in error["message"]


def test_unknown_unit_and_unit_of_another_table(staff):
    def edit(wb):
        ws = wb["部门"]
        ws.cell(_cell(wb, "部门", "财政局"), 1).value = "不存在局"
        ws.cell(_cell(wb, "部门", "人社局"), 1).value = "张浦镇"

    errors = _errors_for(staff, _edit(_download(staff), edit))
    messages = {e["message"] for e in errors}
    assert "没有名为“不存在局”的责任单位（单位名称须与通报一致）。" in messages
    assert "单位“张浦镇”属于“区镇”，不在“部门”表中。" in messages
    assert {e["column"] for e in errors} == {"A"}


def test_unit_of_another_year_is_refused(staff):
    other = UnitFactory(name="二〇三〇年新单位", category=SchemeUnit.objects.first().unit.category)
    # The unit exists but takes part in no 2019 scheme.
    (error,) = _errors_for(staff, _edit(_download(staff), lambda wb: wb["区镇"].cell(3, 1, other.name)))
    assert error["message"] == f"单位“{other.name}”不在2019年度的参评单位中。"


def test_wrong_sheet_and_workbook_of_another_year(staff):
    def rename(wb):
        wb["部门"].title = "Sheet1"

    errors = _errors_for(staff, _edit(_download(staff), rename))
    assert errors[0]["sheet"] == "Sheet1" and "不是2019年度的进展通报表" in errors[0]["message"]

    def retitle(wb):
        wb["区镇"].cell(1, 1).value = "2018年度 区镇工作进展通报"

    (error,) = _errors_for(staff, _edit(_download(staff), retitle))
    assert error["row"] == 1 and "2018年" in error["message"]


def test_changed_and_merged_header(staff):
    (error,) = _errors_for(staff, _edit(_download(staff), lambda wb: wb["区镇"].cell(2, 3, "新指标 (0.4分)")))
    assert (error["sheet"], error["row"], error["column"]) == ("区镇", 2, "C")
    assert "表头应为“完成推进国家守信激励创新试点任务 (0.4分)”" in error["message"]

    def merge(wb):
        wb["城市管理办事处"].merge_cells("B2:C2")

    errors = _errors_for(staff, _edit(_download(staff), merge))
    assert any("合并单元格（B2:C2）" in e["message"] for e in errors)


def test_merged_cells_in_the_body(staff):
    def merge(wb):
        wb["区镇"].merge_cells("B4:C4")

    (error,) = _errors_for(staff, _edit(_download(staff), merge))
    assert "合并单元格（B4:C4）" in error["message"]


def test_empty_file_empty_workbook_not_an_xlsx_and_too_big(staff):
    assert "空的" in _errors_for(staff, b"")[0]["message"]
    empty = io.BytesIO()
    Workbook().save(empty)
    assert "工作簿里没有任何内容" in _errors_for(staff, empty.getvalue())[0]["message"]
    assert "不是 .xlsx 格式" in _errors_for(staff, b"a,b\n1,2\n", "表格.csv")[0]["message"]
    assert "内容不是Excel" in _errors_for(staff, b"%PDF-1.7 not a workbook", "通报.xlsx")[0]["message"]
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<broken")
    assert "无法读取" in _errors_for(staff, fake.getvalue())[0]["message"]
    big = _download(staff) + b"\0" * (20 * 1024 * 1024)
    assert "超过 20 MB" in _errors_for(staff, big)[0]["message"]


def test_empty_cell_and_duplicate_row(staff):
    def edit(wb):
        ws = wb["区镇"]
        ws.cell(3, 2).value = None
        ws.cell(4, 1).value = ws.cell(3, 1).value

    errors = _errors_for(staff, _edit(_download(staff), edit))
    assert any(e["column"] == "B" and "不能为空" in e["message"] for e in errors)
    assert any(e["row"] == 4 and "重复出现" in e["message"] for e in errors)


def test_stale_version_at_confirm_refuses_everything(staff, staff_user, leader_user):
    content = _edit(
        _download(staff),
        lambda wb: (_set("部门", "财政局", 3, "√")(wb), _set("部门", "团市委", 5, "√")(wb)),
    )
    session = _session(_upload(staff, content))
    set_mark(_mark("团市委", 4), "非考核项", leader_user)  # someone else, after the preview
    response = staff.post(f"/assessment/import/{session.token}/confirm/", follow=True)
    assert "已被t_leader修改为“非考核项”" in response.content.decode()
    assert _mark("财政局", 2).state == "*" and _mark("团市委", 4).state == "非考核项"
    session.refresh_from_db()
    assert session.status == ImportSession.Status.REFUSED and not ChangeBatch.objects.exists()


def test_confirm_is_single_use_and_owned_by_the_uploader(staff, staff_user, client):
    from .factories import UserFactory

    content = _edit(_download(staff), _set("部门", "财政局", 3, "√"))
    session = _session(_upload(staff, content))
    colleague = UserFactory(username="t_staff2")
    colleague.groups.add(*staff_user.groups.all())
    log_in(client, colleague)
    assert client.get(f"/assessment/import/{session.token}/").status_code == 404
    assert client.post(f"/assessment/import/{session.token}/confirm/").status_code == 404
    log_in(client, staff_user)
    client.post(f"/assessment/import/{session.token}/confirm/")
    response = client.post(f"/assessment/import/{session.token}/confirm/", follow=True)
    assert "已经处理过了" in response.content.decode()
    assert ChangeBatch.objects.count() == 1 and _mark("财政局", 2).history.count() == 2


def test_only_staff_import(role_client):
    content = b"irrelevant"
    for role, status in (("leader", 403), ("reporter", 404), ("anonymous", 302)):
        response = role_client(role).post(IMPORT, {"file": SimpleUploadedFile("a.xlsx", content)})
        assert response.status_code == status
    assert not ImportSession.objects.exists()


def _add_department_units(n):
    scheme = SchemeUnit.objects.filter(scheme__category__slug="departments").first().scheme
    indicators = list(scheme.indicators.all())
    for _ in range(n):
        unit = UnitFactory(category=scheme.category)
        SchemeUnit.objects.create(scheme=scheme, unit=unit, order=900 + unit.pk)
        for ind in indicators:
            Mark.objects.create(
                unit=unit,
                indicator=ind,
                state="*" if ind.accepts_count else ind.allowed_states[0],
            )


def _preview_queries(staff, content):
    with CaptureQueriesContext(connection) as ctx:
        session = _session(_upload(staff, content))
        assert staff.get(f"/assessment/import/{session.token}/").status_code == 200
    return len(ctx.captured_queries)


def test_preview_queries_stay_flat_in_the_number_of_units(staff):
    few = _preview_queries(staff, _edit(_download(staff), _set("部门", "财政局", 3, "√")))
    _add_department_units(25)
    many = _preview_queries(staff, _edit(_download(staff), _set("部门", "财政局", 3, "√")))
    assert few == many, (few, many)


def test_the_export_of_a_province_imports_back(staff):
    """More units than the least row limit (2000) in one sheet: the limit follows the year's enrolled units, so
    the office's own export imports back unchanged, and a sheet beyond them is still refused."""
    multiply_units(40)  # 2,160 departments in one sheet
    content = _download(staff)
    assert load_workbook(io.BytesIO(content))["部门"].max_row > 2000
    session = _session(_upload(staff, content))
    assert session.errors == [] and session.changes == []

    def edit(wb):
        for _ in range(1000):
            wb["部门"].append(["某单位", "√"])

    limit = SchemeUnit.objects.filter(scheme__year=2019).count() + 200  # the year's units and the other rows
    response = _upload(staff, _edit(content, edit))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [f"工作表“部门”超过 {limit} 行，不像是本系统导出的表格。"]
