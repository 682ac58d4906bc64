"""Workbook uploads are checked before openpyxl reads them: zip bombs, overlong cells, too many rows, formulas."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from assessment.models import ImportSession, Mark
from core.workbooks import check_workbook

IMPORT = "/assessment/2019/import/"
EXPORT = "/assessment/2019/progress.xlsx"
MB = 1024 * 1024


def _workbook_parts():
    """The parts of a real, minimal workbook (one sheet), as openpyxl writes them."""
    wb = Workbook()
    wb.active.title = "区镇"
    wb.active["A1"] = "x"
    out = io.BytesIO()
    wb.save(out)
    with zipfile.ZipFile(out) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """A ~400 KB .xlsx whose shared strings hold one 400 MB cell, written in blocks (never held in memory)."""
    parts = _workbook_parts()
    path = tmp_path_factory.mktemp("bomb") / "通报.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if name != "xl/sharedStrings.xml":
                z.writestr(name, data)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            for _ in range(400):
                member.write(b"A" * MB)
            member.write(b"</t></si></sst>")
    return path.read_bytes()


@pytest.fixture
def staff(role_client):
    return role_client("staff")


def _download(client):
    return b"".join(client.get(EXPORT).streaming_content)


def _edit(content, edit):
    wb = load_workbook(io.BytesIO(content))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _refused(client, content, url=IMPORT, name="工作进展通报.xlsx"):
    """Upload; the form is refused with one message, no import session, no mark changed."""
    marks = sorted(Mark.objects.values_list("pk", "state", "count", "version"))
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert not ImportSession.objects.exists()
    assert sorted(Mark.objects.values_list("pk", "state", "count", "version")) == marks
    return response.context["form"].errors["file"][0]


def test_a_zip_bomb_is_refused_in_bounded_memory(staff, zip_bomb):
    assert len(zip_bomb) < 1 * MB
    tracemalloc.start()
    try:
        message = _refused(staff, zip_bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "解压后有 400 MB，超过 100 MB的上限" in message
    assert peak < 50 * MB, f"peak {peak / MB:.0f} MB"


def _rewrite(content, member, old, new):
    """The workbook with one part's text replaced (openpyxl itself cuts a cell at 32,767 characters)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                assert old in data
                data = data.replace(old, new)
            target.writestr(info.filename, data)
    return out.getvalue()


def test_a_cell_longer_than_excel_allows_is_refused_where_it_is(staff):
    def edit(wb):
        wb["区镇"].cell(3, 2).value = "PLACEHOLDER"

    first_sheet = "xl/worksheets/sheet1.xml"  # 区镇
    content = _rewrite(_edit(_download(staff), edit), first_sheet, b"PLACEHOLDER", ("长" * 40000).encode())
    message = _refused(staff, content)
    assert message == "工作表“区镇”第3行第2列（B3）超过 32767 个字符（Excel 单元格的上限），不能导入。"


def test_an_overlong_shared_string_is_refused_at_the_cell_that_uses_it():
    parts = _workbook_parts()
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b'<c r="A1" t="inlineStr"><is><t>x</t></is></c>', b'<c r="A1" t="s"><v>1</v></c>'
    )
    assert parts["xl/worksheets/sheet1.xml"] != sheet
    long = "长" * 20000  # two runs of one string: 40,000 characters in all
    parts["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<si><t>短</t></si><si><r><t>{long}</t></r><r><t>{long}</t></r></si></sst>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(ValidationError) as refused:
        check_workbook(SimpleUploadedFile("表.xlsx", out.getvalue()), max_rows=10)
    assert refused.value.messages == ["工作表“区镇”第1行第1列（A1）超过 32767 个字符（Excel 单元格的上限），不能导入。"]


def _listed(client, content, url=IMPORT, name="工作进展通报.xlsx"):
    """Upload; the file is refused (未导入) with its errors listed, no mark changed: (sheet, row, column, message)."""
    marks = sorted(Mark.objects.values_list("pk", "state", "count", "version"))
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:1000]
    session = ImportSession.objects.get()
    assert session.status == ImportSession.Status.REFUSED
    assert sorted(Mark.objects.values_list("pk", "state", "count", "version")) == marks
    return [(e["sheet"], e["row"], e["column"], e["message"]) for e in session.errors]


def test_a_formula_is_refused_at_its_cell_with_the_files_other_errors(staff):
    """One round to fix everything: the formula cells and, say, an unknown value elsewhere."""

    def edit(wb):
        wb["区镇"].cell(3, 2).value = '=IF(1=1,"√","*")'
        wb["区镇"].cell(5, 3).value = "=B3"
        wb["部门"].cell(3, 3).value = "完成"

    errors = _listed(staff, _edit(_download(staff), edit))
    assert errors[:2] == [
        ("区镇", 3, "B", "这是公式，请粘贴为数值后再导入。"),
        ("区镇", 5, "C", "这是公式，请粘贴为数值后再导入。"),
    ]
    assert any(sheet == "部门" and column == "C" and "“完成”不是" in message for sheet, _, column, message in errors)


def test_too_many_rows_are_refused_before_reading(staff):
    def edit(wb):
        for _ in range(2100):
            wb["部门"].append(["某单位", "√"])

    assert _refused(staff, _edit(_download(staff), edit)) == "工作表“部门”超过 2000 行，不像是本系统导出的表格。"


@pytest.mark.parametrize(
    ("export", "url"),
    [
        ("/assessment/units.xlsx", "/assessment/import/units/"),
        ("/assessment/2019/schemes.xlsx", "/assessment/2019/import/schemes/"),
    ],
)
def test_the_units_and_schemes_imports_check_the_same_way(staff, export, url):
    content = b"".join(staff.get(export).streaming_content)

    def edit(wb):
        wb.worksheets[0].cell(3, 1).value = "=A4"

    errors = _listed(staff, _edit(content, edit), url=url, name="表.xlsx")
    assert (3, "A", "这是公式，请粘贴为数值后再导入。") in [e[1:] for e in errors]


def test_a_part_with_entity_declarations_is_refused_as_damaged(staff):
    """No workbook part has a DTD: one is refused outright, so no entity ever expands ("billion laughs")."""
    sheet = "xl/worksheets/sheet1.xml"
    content = _rewrite(_download(staff), sheet, b"<worksheet ", b'<!DOCTYPE worksheet [<!ENTITY x "x">]><worksheet ')
    assert _refused(staff, content) == "无法读取“工作进展通报.xlsx”：文件已损坏或不是 Excel 工作簿。"
