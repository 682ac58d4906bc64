"""The progress workbook, re-read with openpyxl as the office would open it."""

import io
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from . import reference

URL = "/bulletins/2019/11/progress.xlsx"


@pytest.fixture
def workbook(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    body = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(body)), response


def _value(v):
    return "" if v is None else v


def test_sheets_in_printed_order(workbook):
    wb, _ = workbook
    assert wb.sheetnames == ["区镇", "城市管理办事处", "部门"]


def test_file_name_names_year_and_issue(workbook):
    _, response = workbook
    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment;")
    assert "2019年第11期" in disposition and disposition.endswith(".xlsx")


def test_every_cell_and_note_matches_the_printed_issue(workbook):
    wb, _ = workbook
    for category in reference.CATEGORIES:
        ws = wb[category]
        printed = reference.tables()[category]
        rows = [[_value(c) for c in row] for row in ws.iter_rows(values_only=True)]
        assert "2019年第11期" in rows[0][0] and category in rows[0][0]
        assert [reference.squash(str(c)) for c in rows[1]] == [reference.squash(c) for c in printed["header"]]
        n = len(printed["rows"])
        body = rows[2 : 2 + n]
        expected = [[int(c) if c.isdigit() else c for c in row] for row in printed["rows"]]
        assert body == expected
        # Counts are numbers, not text, so the office can sum them.
        if category == "部门":
            assert isinstance(ws.cell(row=3, column=9).value, int)
        tail = [row[0] for row in rows[2 + n :] if row[0]]
        assert tail[0] == "说明:"
        assert [reference.squash(t) for t in tail[1:]] == [reference.squash(f"{k}. {t}") for k, t in printed["notes"]]


def test_layout_prints_on_a4_landscape_with_repeated_header(workbook):
    wb, _ = workbook
    ws = wb["部门"]
    assert ws.freeze_panes == "B3"
    assert ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.cell(row=2, column=2).alignment.wrap_text
    assert ws.cell(row=3, column=2).border.left.style == "thin"
    assert ws.column_dimensions["A"].width >= 20
    assert "A1:L1" in {str(r) for r in ws.merged_cells.ranges}


def test_a_short_table_prints_on_one_page_with_its_notes(workbook):
    """区镇 (12 rows) and 办事处 (4): one page, so no notes sit alone under an empty repeated header;
    部门 (54 rows) runs over pages, its header repeated."""
    wb, _ = workbook
    for category in ("区镇", "城市管理办事处"):
        setup = wb[category].page_setup
        fit = wb[category].sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToHeight, setup.fitToWidth, fit) == (1, 1, True)
    assert wb["部门"].page_setup.fitToHeight == 0 and wb["部门"].page_setup.fitToWidth == 1


def test_export_follows_the_data(client, db):
    from assessment.models import Mark
    from bulletins.models import Issue
    from bulletins.services import publish_issue

    mark = Mark.objects.get(unit__name="昆山开发区", indicator__order=5, indicator__scheme__year=2019)
    mark.state = "√"
    mark.save()
    # A published issue's workbook is frozen; a correction taking the current marks shows the change.
    wb = load_workbook(io.BytesIO(b"".join(client.get(URL).streaming_content)))
    assert wb["区镇"].cell(row=3, column=6).value == "*"
    publish_issue(Issue.objects.get(year=2019, number=11), None, reason="更新完成情况", keep_tables=False)
    wb = load_workbook(io.BytesIO(b"".join(client.get(URL).streaming_content)))
    assert wb["区镇"].cell(row=3, column=6).value == "√"
