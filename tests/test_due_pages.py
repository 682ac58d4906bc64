"""Every page and the API read the same due status (assessment.due through assessment.cells), as of 2019-11-26:
the grid's marks and its ?due= filter, the unit page's list, the overview's counts and overdue list, the API's
fields; and the office's form for another due date, reached from the cell's history panel and the unit page."""

import datetime
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.due import DueStatus
from assessment.models import DueOverride, Indicator, Mark, Unit

from .grid_html import parse_grid
from .test_due_statuses import demo_statuses

pytestmark = pytest.mark.django_db

DAY = datetime.date(2019, 11, 26)
SLUGS = ("towns", "offices", "departments")


@pytest.fixture
def issue_day(on_day):
    return on_day(DAY)


def grid_statuses(client):
    result = {}
    for slug in SLUGS:
        for unit, row, _ in parse_grid(client.get(f"/assessment/2019/{slug}/").content.decode()).rows:
            for order, cell in enumerate(row, start=1):
                result[slug, unit, order] = cell.attrs["data-status"]
    return result


def unit_page_open(client):
    """{(unit, indicator order): status} of the unit pages' lists of open items, in the order shown."""
    result = {}
    for unit in Unit.objects.filter(scheme_units__scheme__year=2019).select_related("category"):
        html = client.get(f"/units/{unit.pk}/").content.decode()
        for status, order in re.findall(r'<li class="due-item due-(\w+)" data-indicator="(\d+)">', html):
            result[unit.category.slug, unit.name, int(order)] = status
    return result


def overview_counts(client):
    html = client.get("/overview/2019/").content.decode()
    result = {}
    for slug in SLUGS:
        block = html[html.index(f'id="cat-{slug}"') :]
        block = block[: block.index("</table>")]
        result[slug] = {s: int(n) for s, n in re.findall(r'<td data-status="(\w+)">(\d+)</td>', block)}
    return result


def api_statuses(client):
    response = client.get("/api/v1/marks/", {"year": 2019, "page_size": 1000}).json()
    order = {(i.scheme.category.slug, i.title): i.order for i in Indicator.objects.filter(scheme__year=2019)}
    return {
        (m["category"], m["unit_name"], order[m["category"], m["indicator_title"]]): (m["status"], m["due_date"])
        for m in response["results"]
    }


def test_grid_unit_page_overview_and_api_show_the_same_statuses(issue_day, role_client, api_client):
    cells = demo_statuses(DAY)
    expected = {key: cell.status for key, cell in cells.items()}
    staff = role_client("staff")
    assert grid_statuses(staff) == expected
    assert unit_page_open(staff) == {k: s for k, s in expected.items() if s in (DueStatus.OVERDUE, DueStatus.NOT_DUE)}
    counts = overview_counts(role_client("leader"))
    for slug in SLUGS:
        # 非考核项 counts the cells that say so, not the 无 of the serious-event column (nothing due either).
        by_status = Counter(
            cell.status
            for (cat, _, _), cell in cells.items()
            if cat == slug and (cell.status != DueStatus.NOT_ASSESSED or cell.value == "非考核项")
        )
        assert any(c.value == "无" for (cat, _, _), c in cells.items() if cat == slug)
        assert counts[slug] == {s.value: by_status.get(s, 0) for s in DueStatus}, slug
    api = api_statuses(api_client("staff"))
    assert {k: s for k, (s, _) in api.items()} == expected
    assert api["departments", "统战部", 8] == ("overdue", "2019-03-31")
    assert api["departments", "财政局", 9] == ("not_due", "2019-12-31")


def test_the_grid_marks_each_open_cell_with_its_status_in_words(issue_day, role_client):
    html = role_client("leader").get("/assessment/2019/departments/").content.decode()
    grid = parse_grid(html)
    cell = grid.row("统战部")[7]
    assert "due-overdue" in cell.attrs["class"].split()
    assert '<span class="visually-hidden">已逾期，已逾期240天</span>' in html
    assert 'title="未到期：截止 2019-12-31，还剩35天"' in html
    assert "style=" not in html.split('id="grid"')[1].split("</table>")[0]  # colours come from portal.css


def test_the_grid_filters_overdue_and_due_soon_rows(issue_day, role_client, on_day):
    staff = role_client("staff")
    overdue = parse_grid(staff.get("/assessment/2019/departments/?due=overdue").content.decode())
    assert len(overdue.unit_names) == 17 and "统战部" in overdue.unit_names and "财政局" not in overdue.unit_names
    assert parse_grid(staff.get("/assessment/2019/departments/?due=soon").content.decode()).unit_names == []
    on_day(datetime.date(2019, 12, 20))
    soon = parse_grid(staff.get("/assessment/2019/departments/?due=soon").content.decode())
    assert "财政局" in soon.unit_names and "发改委" not in soon.unit_names
    page = staff.get("/assessment/2019/departments/?due=soon").content.decode()
    assert '<option value="soon" selected>即将到期</option>' in page


def test_the_unit_page_lists_what_is_due_when_with_the_days_left(issue_day, role_client):
    unit = Unit.objects.get(name="统战部")
    html = role_client("staff").get(f"/units/{unit.pk}/").content.decode()
    items = re.findall(
        r'<li class="due-item due-(\w+)" data-indicator="\d+">\s*<span class="due-date">([\d-]+)</span>\s*'
        r'<span class="due-badge due-\w+">(\S+)</span>\s*<span class="due-phrase">(\S+)</span>\s*<span>([^<]+)',
        html,
    )
    assert items == [("overdue", "2019-03-31", "已逾期", "已逾期240天", "奖惩案例 ")]
    finance = Unit.objects.get(name="财政局")
    html = role_client("reporter").get(f"/units/{Unit.objects.get(name='发改委').pk}/").content.decode()
    assert "调整截止日期" not in html  # the office's work
    html = role_client("staff").get(f"/units/{finance.pk}/").content.decode()
    dates = re.findall(r'<span class="due-date">([\d-]+)</span>', html)
    assert dates == sorted(dates) and len(dates) == 3 and "还剩35天" in html


def test_the_overview_links_each_overdue_cell_to_the_filtered_grid(issue_day, role_client):
    html = role_client("leader").get("/overview/2019/").content.decode()
    assert "已逾期的事项（17 项）" in html
    cases = Indicator.objects.get(scheme__year=2019, title="奖惩案例")
    link = f"/assessment/2019/departments/?indicator={cases.pk}&amp;due=overdue&amp;q=%E7%BB%9F%E6%88%98%E9%83%A8"
    assert f'<a href="{link}">统战部 · 奖惩案例</a>' in html
    grid = parse_grid(role_client("leader").get(link.replace("&amp;", "&")).content.decode())
    assert grid.unit_names == ["统战部"] and grid.rows[0][1][0].attrs["data-status"] == "overdue"
    assert "催办" not in html  # the office's work
    unit = Unit.objects.get(name="统战部")
    office_html = role_client("staff").get("/overview/2019/").content.decode()
    assert f'<a class="urge-link" href="/units/{unit.pk}/remind/" aria-label="催办统战部">催办</a>' in office_html


def test_staff_set_another_date_from_the_history_panel_and_every_page_follows(issue_day, role_client, api_client):
    mark = Mark.objects.get(unit__name="财政局", indicator__scheme__year=2019, indicator__order=9)
    staff = role_client("staff")
    panel = staff.get(f"/assessment/marks/{mark.pk}/history/?partial=1").content.decode()
    assert f'href="/assessment/marks/{mark.pk}/due/?back=grid"' in panel and "还剩35天" in panel
    url = f"/assessment/marks/{mark.pk}/due/"
    refused = staff.post(url, {"date": "2019-11-30", "reason": "", "back": "grid"})
    assert refused.status_code == 400 and "请填写调整截止日期的原因" in refused.content.decode()
    response = staff.post(url, {"date": "2019-11-20", "reason": "配合省里提前验收", "back": "grid"})
    assert response.status_code == 302
    assert response["Location"] == f"/assessment/2019/departments/?indicator={mark.indicator_id}"
    override = DueOverride.objects.get()
    assert (override.date, override.set_by.username) == (datetime.date(2019, 11, 20), "t_staff")
    grid = parse_grid(staff.get("/assessment/2019/departments/").content.decode())
    assert grid.row("财政局")[8].attrs["data-status"] == "overdue"
    page = staff.get(f"/units/{mark.unit_id}/").content.decode()
    assert "已逾期6天" in page and "截止日期已调整：配合省里提前验收" in page
    api = api_client("leader").get(f"/api/v1/marks/{mark.pk}/").json()
    assert (api["status"], api["due_date"], api["status_display"]) == ("overdue", "2019-11-20", "已逾期")
    # back to the rule
    response = staff.post(url, {"clear": "1"})
    assert response["Location"] == f"/units/{mark.unit_id}/?year=2019" and not DueOverride.objects.exists()


def test_leaders_may_not_change_a_date(issue_day, role_client):
    mark = Mark.objects.get(unit__name="财政局", indicator__scheme__year=2019, indicator__order=9)
    leader = role_client("leader")
    assert leader.post(f"/assessment/marks/{mark.pk}/due/", {"date": "2019-11-20", "reason": "x"}).status_code == 403
    assert "调整截止日期" not in leader.get(f"/units/{mark.unit_id}/").content.decode()
    assert not DueOverride.objects.exists()


def test_the_unit_page_queries_stay_flat_with_overrides(issue_day, role_client, staff_user):
    from assessment.marks.services import set_due_override

    unit = Unit.objects.get(name="财政局")
    staff = role_client("staff")
    staff.get(f"/units/{unit.pk}/")
    with CaptureQueriesContext(connection) as few:
        staff.get(f"/units/{unit.pk}/")
    for mark in Mark.objects.filter(unit=unit, indicator__scheme__year=2019).select_related("indicator__scheme"):
        set_due_override(mark, datetime.date(2019, 12, 10), "统一调整", staff_user)
    with CaptureQueriesContext(connection) as many:
        html = staff.get(f"/units/{unit.pk}/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert html.count("截止日期已调整：统一调整") == 3
