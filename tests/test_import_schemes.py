"""Schemes (indicators, points, rules, notes) exported to Excel and imported into the same or another year."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from assessment.models import ImportSession, Indicator, Mark, Note, Scheme

from .factories import correct_demo_issue

EXPORT = "/assessment/2019/schemes.xlsx"


@pytest.fixture
def staff(role_client):
    return role_client("staff")


def _download(client, url=EXPORT):
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _edit(content, edit):
    wb = load_workbook(io.BytesIO(content))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, content, year):
    response = client.post(f"/assessment/{year}/import/schemes/", {"file": SimpleUploadedFile("方案.xlsx", content)})
    assert response.status_code == 302, response.content.decode()[:3000]
    return ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])


def _row(wb, sheet, category, order):
    ws = wb[sheet]
    return next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == category and ws.cell(r, 2).value == order)


def _state():
    indicators = Indicator.objects.order_by("pk").values_list(
        "scheme_id", "order", "title", "points", "points_label", "rule_kind", "rate", "cap", "allowed_states"
    )
    notes = [(n.pk, n.text, sorted(n.indicators.values_list("order", flat=True))) for n in Note.objects.order_by("pk")]
    return list(indicators), notes, Scheme.objects.count()


def test_export_lists_indicators_and_notes_in_the_office_words(staff):
    wb = load_workbook(io.BytesIO(_download(staff)))
    assert wb.sheetnames == ["考核指标", "说明", "合并计分", "参评单位", "截止日期调整"]
    ind = wb["考核指标"]
    assert [c.value for c in ind[2]] == [
        "类别",
        "顺序",
        "表头",
        "分值",
        "分值（按通报）",
        "计分方式",
        "每次扣分",
        "最高扣分",
        "可填内容",
        "可填数量",
        "截止规则",
        "截止日期",
        "计入满分",
        "扣分情况写法",
        "每季度应报案例数",
    ]
    row = [c.value for c in ind[_row(wb, "考核指标", "部门", 7)]]
    assert row == ["部门", 7, "奖惩措施和信用应用成效反馈", 0.3, "(0.3分)", "按次扣分，扣满为止", 0.01, 0.3,
                   "√、*、非考核项、已说明情况", "否", "年终考核前", None, "是",
                   "未按要求反馈联合奖惩措施和应用成效{n}次", None]  # fmt: skip
    cases = [c.value for c in ind[_row(wb, "考核指标", "部门", 8)]]
    assert cases[2] == "奖惩案例" and cases[10:12] == ["每季度末", None] and cases[-1] == 1
    event = [c.value for c in ind[_row(wb, "考核指标", "区镇", 6)]]
    assert event[2].startswith("被国家城市信用监测") and event[12:14] == ["否", "监测到严重失信事件{n}起"]
    groups = wb["合并计分"]
    assert [c.value for c in groups[2]] == ["类别", "说明", "分值", "涉及指标"]
    assert [[c.value for c in r] for r in groups.iter_rows(min_row=3)] == [
        ["部门", 1, 0.3, "1、2"],
        ["部门", 3, 0.2, "4、5"],
    ]
    units = wb["参评单位"]
    assert [c.value for c in units[2]] == ["类别", "责任单位", "顺序"]
    assert units.max_row - 2 == 12 + 4 + 54
    notes = wb["说明"]
    assert [c.value for c in notes[_row(wb, "说明", "部门", 3)]][3] == "4、5"


def test_round_trip_into_the_same_year_changes_nothing(staff):
    before = _state()
    session = _upload(staff, _download(staff), 2019)
    assert session.errors == [] and session.changes == []
    assert _state() == before


def test_edit_preview_confirm_into_the_same_year(staff):
    def edit(wb):
        ind = wb["考核指标"]
        r = _row(wb, "考核指标", "区镇", 1)
        ind.cell(r, 4).value = 0.5
        ind.cell(r, 5).value = "(0.5分)"
        notes = wb["说明"]
        notes.cell(_row(wb, "说明", "部门", 3), 4).value = "4"

    before = _state()
    session = _upload(staff, _edit(_download(staff), edit), 2019)
    assert _state() == before  # preview only
    assert session.errors == []
    changes = {(c["sheet"], c["object"]): c["fields"] for c in session.changes}
    assert changes[("考核指标", "区镇 第1项 完成创建国家信用示范城市任务")] == [
        ["分值", "0.6", "0.5"],
        ["分值（按通报）", "(0.6分)", "(0.5分)"],
    ]
    assert changes[("说明", "部门 说明第3条")] == [["涉及指标", "4、5", "4"]]
    page = staff.get(f"/assessment/import/{session.token}/").content.decode()
    assert "(0.6分)" in page and "(0.5分)" in page and "确认导入" in page
    staff.post(f"/assessment/import/{session.token}/confirm/")
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=1)
    assert (indicator.points, indicator.points_label) == (Decimal("0.5"), "(0.5分)")
    note = Note.objects.get(scheme__year=2019, scheme__category__slug="departments", number=3)
    assert list(note.indicators.values_list("order", flat=True)) == [4]
    # The bulletin's header follows the data once the office publishes a correction (issues are frozen).
    assert "(0.5分)" not in staff.get("/bulletins/2019/11/").content.decode()
    assert correct_demo_issue("方案调整")
    assert "(0.5分)" in staff.get("/bulletins/2019/11/").content.decode()


def test_a_new_year_is_prepared_from_last_year_in_excel(staff):
    def edit(wb):
        ind = wb["考核指标"]
        ind.cell(_row(wb, "考核指标", "城市管理办事处", 5), 7).value = 0.4  # rate per missed task
        notes = wb["说明"]
        notes.delete_rows(_row(wb, "说明", "部门", 10))  # the 2020 table has one note fewer

    session = _upload(staff, _edit(_download(staff), edit), 2020)
    assert session.errors == []
    assert not Scheme.objects.filter(year=2020).exists()
    assert "新建2020年度“部门”考核方案。" in session.payload["notes"]
    assert {c["action"] for c in session.changes} == {"新增"}
    staff.post(f"/assessment/import/{session.token}/confirm/")
    assert Scheme.objects.filter(year=2020).count() == 3
    assert Indicator.objects.filter(scheme__year=2020).count() == Indicator.objects.filter(scheme__year=2019).count()
    assert Note.objects.filter(scheme__year=2020).count() == Note.objects.filter(scheme__year=2019).count() - 1
    rate = Indicator.objects.get(scheme__year=2020, scheme__category__slug="offices", order=5).rate
    assert rate == Decimal("0.4")
    # 2019 stays as it was.
    assert Indicator.objects.get(scheme__year=2019, scheme__category__slug="offices", order=5).rate == Decimal("0.5")
    note = Note.objects.get(scheme__year=2020, scheme__category__slug="departments", number=1)
    assert [i.scheme.year for i in note.indicators.all()] == [2020, 2020]
    # The exported 2020 schemes are the 2019 ones with the edits.
    wb20 = load_workbook(io.BytesIO(_download(staff, "/assessment/2020/schemes.xlsx")))
    assert wb20["考核指标"].cell(_row(wb20, "考核指标", "城市管理办事处", 5), 7).value == 0.4


def _errors(staff, content, year=2019):
    before = _state()
    session = _upload(staff, content, year)
    assert _state() == before
    staff.post(f"/assessment/import/{session.token}/confirm/")
    assert _state() == before
    return session.errors


def test_bad_values_are_located_and_nothing_is_written(staff):
    def edit(wb):
        ind = wb["考核指标"]
        ind.cell(_row(wb, "考核指标", "区镇", 2), 4).value = "很多"
        ind.cell(_row(wb, "考核指标", "区镇", 3), 6).value = "随便扣"
        ind.cell(_row(wb, "考核指标", "区镇", 4), 9).value = "√、完成"
        ind.cell(_row(wb, "考核指标", "部门", 7), 7).value = None  # per occurrence needs a rate

    errors = _errors(staff, _edit(_download(staff), edit))
    located = {(e["row"], e["column"]): e["message"] for e in errors}
    assert located[(4, "D")] == "分值应为数字，文件中是“很多”。"
    assert "计分方式“随便扣”不认识" in located[(5, "F")]
    assert "“完成”不是通报用语" in located[(6, "I")]
    assert any("每次扣分" in m for m in located.values())


def test_allowed_values_must_still_hold_entered_marks(staff):
    def edit(wb):
        wb["考核指标"].cell(_row(wb, "考核指标", "部门", 2), 9).value = "√、非考核项"  # drops *

    (error,) = _errors(staff, _edit(_download(staff), edit))
    assert "已有“*”" in error["message"] and error["sheet"] == "考核指标"


def test_unknown_category_and_wrong_header_and_notes_of_unknown_columns(staff):
    def edit(wb):
        wb["考核指标"].cell(3, 1).value = "街道"
        wb["说明"].cell(_row(wb, "说明", "区镇", 1), 4).value = "1、9"

    (error,) = _errors(staff, _edit(_download(staff), edit))
    assert (error["row"], error["column"]) == (3, "A") and "没有名为“街道”的单位类别" in error["message"]

    def notes_only(wb):
        del wb["考核指标"]
        wb["说明"].cell(_row(wb, "说明", "区镇", 1), 4).value = "1、9"

    (error,) = _errors(staff, _edit(_download(staff), notes_only))
    assert "没有顺序号为 9 的指标" in error["message"] and error["column"] == "D"

    def header(wb):
        wb["说明"].cell(2, 3).value = "正文"

    (error,) = _errors(staff, _edit(_download(staff), header))
    assert (error["row"], error["column"]) == (2, "C")


def test_a_new_column_in_a_year_with_units_gets_marks(staff):
    def edit_in_table(wb):
        ind = wb["考核指标"]
        ind.insert_rows(9)
        for col, value in enumerate(
            ["区镇", 7, "信用承诺", 0.2, "(0.2分)", "完成得分", None, None, "√、*、非考核项", "否"], start=1
        ):
            ind.cell(9, col).value = value

    session = _upload(staff, _edit(_download(staff), edit_in_table), 2019)
    assert session.errors == [], session.errors
    staff.post(f"/assessment/import/{session.token}/confirm/")
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=7)
    assert set(Mark.objects.filter(indicator=indicator).values_list("state", flat=True)) == {"*"}
    assert Mark.objects.filter(indicator=indicator).count() == 12


def test_a_note_a_rule_group_scores_under_is_not_dropped(staff):
    def edit(wb):
        wb["说明"].delete_rows(_row(wb, "说明", "部门", 1))  # 合并计分 still scores columns 1 and 2 under note 1

    (error,) = _errors(staff, _edit(_download(staff), edit))
    assert error["sheet"] == "说明" and "文件中没有部门说明第1条" in error["message"]
    assert "合并计分规则" in error["message"]
    assert Note.objects.filter(scheme__year=2019, scheme__category__slug="departments", number=1).exists()
