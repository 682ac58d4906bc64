"""The units (责任单位) exported to Excel and imported back: add, change, never delete."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from assessment.models import ImportSession, Unit

EXPORT = "/assessment/units.xlsx"
IMPORT = "/assessment/import/units/"


@pytest.fixture
def staff(role_client):
    return role_client("staff")


def _download(client):
    response = client.get(EXPORT)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _edit(content, edit):
    wb = load_workbook(io.BytesIO(content))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, content):
    response = client.post(IMPORT, {"file": SimpleUploadedFile("单位.xlsx", content)})
    assert response.status_code == 302, response.content.decode()[:3000]
    return ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])


def _units():
    return sorted(Unit.objects.values_list("name", "full_name", "category_id", "order", "is_active"))


def _row(wb, name):
    ws = wb["责任单位"]
    return next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 3).value == name)


def test_export_lists_every_unit_in_printed_order(staff):
    ws = load_workbook(io.BytesIO(_download(staff)))["责任单位"]
    assert [c.value for c in ws[2]] == ["类别", "顺序", "名称（按通报）", "全称", "参加考核"]
    assert [c.value for c in ws[3]] == ["区镇", 1, "昆山开发区", None, "是"]
    assert sum(1 for r in ws.iter_rows(min_row=3, values_only=True) if r[0]) == 70


def test_round_trip_changes_nothing(staff):
    before = _units()
    session = _upload(staff, _download(staff))
    assert session.errors == [] and session.changes == []
    assert _units() == before


def test_add_and_change_units_then_confirm(staff):
    def edit(wb):
        ws = wb["责任单位"]
        ws.cell(_row(wb, "发改委"), 4).value = "昆山市发展和改革委员会"
        ws.insert_rows(4)
        for col, value in enumerate(["区镇", 2, "新建镇", "昆山市新建镇", "否"], start=1):
            ws.cell(4, col).value = value

    before = _units()
    session = _upload(staff, _edit(_download(staff), edit))
    assert _units() == before
    assert session.errors == []
    assert {(c["action"], c["object"]) for c in session.changes} == {
        ("修改", "部门 · 发改委"),
        ("新增", "区镇 · 新建镇"),
    }
    changed = next(c for c in session.changes if c["action"] == "修改")
    assert changed["fields"] == [["全称", "市发改委", "昆山市发展和改革委员会"]]
    staff.post(f"/assessment/import/{session.token}/confirm/")
    assert Unit.objects.get(name="发改委").full_name == "昆山市发展和改革委员会"
    new = Unit.objects.get(name="新建镇")
    assert (new.category.name, new.is_active) == ("区镇", False)


def test_errors_are_located_and_nothing_is_written(staff):
    def edit(wb):
        ws = wb["责任单位"]
        ws.cell(_row(wb, "发改委"), 1).value = "区镇"  # a unit in a scheme cannot change category
        ws.cell(_row(wb, "教育局"), 5).value = "也许"
        ws.cell(_row(wb, "科技局"), 1).value = "街道"

    before = _units()
    session = _upload(staff, _edit(_download(staff), edit))
    located = {(e["row"], e["column"]): e["message"] for e in session.errors}
    wb = load_workbook(io.BytesIO(_download(staff)))
    assert "已参加考核方案，不能更改类别" in located[(_row(wb, "发改委"), "A")]
    assert located[(_row(wb, "教育局"), "E")] == "参加考核只能填“是”或“否”，文件中是“也许”。"
    assert "没有名为“街道”的单位类别" in located[(_row(wb, "科技局"), "A")]
    staff.post(f"/assessment/import/{session.token}/confirm/")
    assert _units() == before


def test_duplicate_names_and_confirm_after_someone_else_changed_units(staff):
    def dup(wb):
        ws = wb["责任单位"]
        ws.cell(4, 3).value = ws.cell(3, 3).value

    (error,) = _upload(staff, _edit(_download(staff), dup)).errors
    assert error["row"] == 4 and "重复出现" in error["message"]

    session = _upload(staff, _edit(_download(staff), lambda wb: wb["责任单位"].cell(3, 4, "昆山经济技术开发区")))
    Unit.objects.filter(name="教育局").update(full_name="昆山市教育局")  # another change after the preview
    response = staff.post(f"/assessment/import/{session.token}/confirm/", follow=True)
    assert "预览之后数据已被他人修改" in response.content.decode()
    assert Unit.objects.get(name="昆山开发区").full_name == ""
