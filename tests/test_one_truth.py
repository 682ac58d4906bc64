"""One truth: after the office's usual work, every consumer shows the same cells and the same deductions.

The demo year goes through what happens to it in a year: cases accepted (统计局, printed *, gets its
first; 人民法院 a third), an Excel import (财政局's 试点项目 * → √), a bulk set (every town's 信用审查 → √),
then the year-end assessment. Every consumer is read as its user reads it — the grid, the bulletin's
tables (a correction taking the current figures), the progress workbook, the API's marks, each unit's
own page, the scores page, the scores API, each unit's score page, the quarterly table, the frozen
year-end version — and they must agree cell for cell and unit for unit.
"""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from assessment.models import ImportSession, Indicator, Mark, Scheme, Unit
from cases import services as case_services

from .consumers import shown_scores
from .factories import correct_demo_issue
from .grid_html import parse_grid
from .test_bulletin_page import parse

CATEGORIES = {"towns": "区镇", "offices": "城市管理办事处", "departments": "部门"}
CASES = "奖惩案例"


def _accept(staff_user, unit_name, event_date):
    unit = Unit.objects.get(name=unit_name)
    data = {"kind": "reward", "title": f"{unit_name}的案例", "body": "正文。", "subject": "某企业"}
    case = case_services.create_case(staff_user, data | {"event_date": event_date, "source_unit": unit}, submit=True)
    case_services.accept_case(case, staff_user)


def _import(staff, sheet, unit_name, column, value):
    content = b"".join(staff.get("/assessment/2019/progress.xlsx").streaming_content)
    wb = load_workbook(io.BytesIO(content))
    ws = wb[sheet]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == unit_name)
    ws.cell(row, column).value = value
    out = io.BytesIO()
    wb.save(out)
    response = staff.post("/assessment/2019/import/", {"file": SimpleUploadedFile("进度.xlsx", out.getvalue())})
    session = ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])
    assert session.errors == [] and len(session.changes) == 1
    assert staff.post(f"/assessment/import/{session.token}/confirm/").status_code == 302


def _bulk(staff, slug, order, value):
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug=slug, order=order)
    url = f"/assessment/2019/{slug}/bulk/"
    page = staff.get(url, {"indicator": indicator.pk, "value": value})
    cells = [f"{m.pk}:{m.version}" for m in Mark.objects.filter(indicator=indicator).exclude(state=value)]
    assert page.status_code == 200 and cells
    staff.post(url, {"indicator": indicator.pk, "value": value, "cell": cells})


@pytest.fixture
def worked_year(role_client, staff_user):
    staff = role_client("staff")
    _accept(staff_user, "统计局", datetime.date(2019, 5, 20))
    _accept(staff_user, "人民法院", datetime.date(2019, 8, 2))
    _import(staff, "部门", "财政局", 3, "√")
    _bulk(staff, "towns", 5, "√")
    return staff


def _titles():
    return {
        (s.category.slug, i.order): i.title
        for s in Scheme.objects.filter(year=2019).select_related("category")
        for i in s.indicators.all()
    }


def grid_cells(staff):
    cells = {}
    for slug, name in CATEGORIES.items():
        grid = parse_grid(staff.get(f"/assessment/2019/{slug}/").content.decode())
        for unit, row, _ in grid.rows:
            for order, cell in enumerate(row, start=1):
                cells[name, unit, order] = cell.value
    return cells


def bulletin_cells(client):
    correct_demo_issue()
    cells = {}
    for table in parse(client.get("/bulletins/2019/11/").content.decode()).tables:
        name = table[0][0][1]
        if name not in CATEGORIES.values():
            continue
        for row in table[1:]:
            for order, (_, text) in enumerate(row[1:-1], start=1):
                cells[name, row[0][1], order] = text
    return cells


def workbook_cells(staff):
    wb = load_workbook(io.BytesIO(b"".join(staff.get("/assessment/2019/progress.xlsx").streaming_content)))
    cells = {}
    for name in CATEGORIES.values():
        ws = wb[name]
        width = ws.max_column
        for row in ws.iter_rows(min_row=3, values_only=True):
            if not row[0] or str(row[0]).startswith("说明") or row[1] is None:
                continue
            for order, value in enumerate(row[1 : width - 1], start=1):
                cells[name, row[0], order] = str(value)
    return cells


def api_cells(client):
    response = client.get("/api/v1/marks/", {"year": 2019, "page_size": 1000}).json()
    assert response["next"] is None
    order = {(i.scheme.category.name, i.title): i.order for i in Indicator.objects.filter(scheme__year=2019)}
    return {
        (CATEGORIES[m["category"]], m["unit_name"], order[CATEGORIES[m["category"]], m["indicator_title"]]): m["value"]
        for m in response["results"]
    }


def unit_page_cells(staff):
    cells = {}
    for unit in Unit.objects.filter(scheme_units__scheme__year=2019).select_related("category"):
        rows = staff.get(f"/units/{unit.pk}/", {"year": 2019}).context["rows"]
        for row in rows:
            cells[unit.category.name, unit.name, row["indicator"].order] = row["cell"].value
    return cells


def score_cells(shown):
    """The cell text each score line read (single-column lines: a group's line joins its columns); `shown`: the
    scores page's [(category name, UnitScore)]."""
    titles = {(name, title): order for (slug, order), title in _titles().items() for name in [CATEGORIES[slug]]}
    cells = {}
    for category, unit in shown:
        for line in unit.lines:
            if (category, line.title) in titles:
                cells[category, unit.unit_name, titles[category, line.title]] = line.cells
    return cells


def test_every_consumer_shows_the_same_cell(worked_year, api_client):
    grid = grid_cells(worked_year)
    assert len(grid) == 12 * 6 + 4 * 6 + 54 * 10  # the printed cells, serious-event column included
    assert grid["部门", "统计局", 8] == "1" and grid["部门", "人民法院", 8] == "3"
    assert grid["部门", "财政局", 2] == "√" and grid["区镇", "昆山开发区", 5] == "√"
    consumers = {
        "bulletin": bulletin_cells(worked_year),
        "workbook": workbook_cells(worked_year),
        "api": api_cells(api_client("staff")),
        "unit page": unit_page_cells(worked_year),
    }
    for name, cells in consumers.items():
        differing = {k: (grid.get(k), v) for k, v in cells.items() if grid.get(k) != v}
        assert not differing, f"{name} differs from the grid: {differing}"
        assert cells.keys() == grid.keys(), name
    from_scores = score_cells(shown_scores(worked_year, 2019))
    assert len(from_scores) == 12 * 6 + 4 * 6 + 54 * 6  # the four columns of 部门 notes 1 and 3 score as groups
    assert {k: v for k, v in from_scores.items() if grid[k] != v} == {}


def _cases_line(unit_score):
    return next(line for line in unit_score.lines if line.title == CASES)


def test_every_consumer_gives_the_same_deductions_and_the_year_end_freezes_them(worked_year, api_client):
    client = api_client("staff")
    page = {u.unit_name: u for _, u in shown_scores(worked_year, 2019)}
    assert len(page) == 70
    api = {u["unit_name"]: u for c in client.get("/api/v1/scores/2019/").json()["categories"] for u in c["units"]}
    assert {n: D(u["deduction"]) for n, u in api.items()} == {n: u.deduction for n, u in page.items()}
    assert {n: D(u["score"]) for n, u in api.items()} == {n: u.score for n, u in page.items()}
    for unit in Unit.objects.filter(scheme_units__scheme__year=2019):
        expected = (page[unit.name].deduction, page[unit.name].year_end_deduction)
        own = worked_year.get(f"/assessment/2019/scores/{unit.pk}/").context["score"]
        assert (own.deduction, own.year_end_deduction) == expected
        on_unit_page = worked_year.get(f"/units/{unit.pk}/", {"year": 2019}).context["score"]
        assert (on_unit_page.deduction, on_unit_page.year_end_deduction) == expected

    # Note 6: the quarterly table's deduction is the score's 奖惩案例 line, unit by unit.
    quarterly = worked_year.get("/cases/2019/").context["sections"][0]
    table = {row.unit.name: row.deduction for row in quarterly.rows}
    assert len(table) == 54
    for name, deduction in table.items():
        line = _cases_line(page[name])
        assert line.deduction == (deduction if deduction is not None else D(0)), name
    assert (table["统计局"], table["人民法院"], table["统战部"]) == (D("0.15"), D("0.05"), D("0.20"))
    assert table["机关事务管理中心"] is None  # 非考核项: owes no cases

    # The year-end assessment freezes exactly what the scores said it would deduct.
    assert worked_year.post("/assessment/2019/scores/close/", {"reason": ""}).status_code == 302
    frozen = {u.unit_name: u for _, u in shown_scores(worked_year, 2019)}
    assert {n: u.deduction for n, u in frozen.items()} == {n: u.year_end_deduction for n, u in page.items()}
    assert {n: _cases_line(u).deduction for n, u in frozen.items() if n in table} == {
        n: d if d is not None else D(0) for n, d in table.items()
    }
    frozen_api = client.get("/api/v1/scores/2019/").json()
    assert frozen_api["frozen"] and frozen_api["version"] == 1
    assert {u["unit_name"]: D(u["deduction"]) for c in frozen_api["categories"] for u in c["units"]} == {
        n: u.deduction for n, u in frozen.items()
    }


def test_the_api_filters_by_the_value_the_grid_shows(worked_year, api_client):
    """`?value=*` counts what shows *: 统计局's cases cell shows 1 now, so it is not among them."""
    grid = grid_cells(worked_year)
    stars = sorted((u, o) for (c, u, o), v in grid.items() if c == "部门" and v == "*")
    response = api_client("staff").get(
        "/api/v1/marks/", {"year": 2019, "category": "departments", "value": "*", "page_size": 1000}
    )
    order = {
        i.title: i.order for i in Indicator.objects.filter(scheme__year=2019, scheme__category__slug="departments")
    }
    assert sorted((m["unit_name"], order[m["indicator_title"]]) for m in response.json()["results"]) == stars
    assert ("统计局", 8) not in stars
    ones = api_client("staff").get("/api/v1/marks/", {"year": 2019, "value": "1", "page_size": 1000}).json()
    assert {m["unit_name"] for m in ones["results"]} == {u for (c, u, o), v in grid.items() if v == "1"}
