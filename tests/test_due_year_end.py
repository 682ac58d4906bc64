"""Past years show the year-end result: once 2019 has ended, its open cells read “年终未完成” in their own
colour on the grid, the unit page, the overview and the API, not “已逾期2532天”."""

import datetime
import re

import pytest

from assessment.models import Unit

from .grid_html import parse_grid

pytestmark = pytest.mark.django_db

ARCHIVE_DAY = datetime.date(2026, 12, 6)


@pytest.fixture
def archive_day(on_day):
    return on_day(ARCHIVE_DAY)


def test_the_grid_marks_open_cells_of_an_ended_year_as_year_end(archive_day, role_client):
    html = role_client("leader").get("/assessment/2019/departments/").content.decode()
    grid = parse_grid(html)
    cell = grid.row("统战部")[7]  # 奖惩案例: no case all year
    assert cell.attrs["data-status"] == "year_end" and "due-year_end" in cell.attrs["class"].split()
    assert '<span class="visually-hidden">年终未完成</span>' in html
    assert "已逾期" not in html.split('id="grid"')[1].split("</table>")[0]
    assert not re.search(r"\d{3,}天", html)
    only = parse_grid(role_client("leader").get("/assessment/2019/departments/?due=year_end").content.decode())
    assert "统战部" in only.unit_names and "财政局" in only.unit_names


def test_the_unit_page_overview_and_api_say_the_same(archive_day, role_client, api_client):
    unit = Unit.objects.get(name="财政局")
    page = role_client("staff").get(f"/units/{unit.pk}/").content.decode()
    assert '<span class="due-badge due-year_end">年终未完成</span>' in page and "已逾期" not in page
    overview = role_client("leader").get("/overview/2019/").content.decode()
    assert "已逾期的事项（0 项）" in overview and "年终未完成" in overview
    marks = api_client("staff").get("/api/v1/marks/", {"year": 2019, "page_size": 1000}).json()["results"]
    statuses = {m["status"] for m in marks}
    assert "year_end" in statuses and "overdue" not in statuses and "not_due" not in statuses
