"""The entry grid page and the year page: what staff and leaders see, filters, summary, redirects."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Indicator, Mark, Unit

from . import reference
from .conftest import MENU_TODO_QUERIES
from .factories import SchemeFactory, multiply_units
from .grid_html import parse_grid

SLUGS = {"区镇": "towns", "城市管理办事处": "offices", "部门": "departments"}


def grid_url(slug, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/assessment/2019/{slug}/" + (f"?{query}" if query else "")


def get_grid(client, slug, **params):
    response = client.get(grid_url(slug, **params))
    assert response.status_code == 200
    return parse_grid(response.content.decode())


def printed(category):
    return reference.tables()[category]


def column_counts(rows, column):
    """√ / * / 非考核项 / 已说明 of one printed column (1-based after the unit name)."""
    values = [row[column] for row in rows]
    return {
        "done": values.count("√"),
        "pending": values.count("*"),
        "not_assessed": values.count("非考核项"),
        "explained": values.count("已说明") + values.count("已说明情况"),
    }


@pytest.mark.parametrize("category", reference.CATEGORIES)
def test_grid_shows_the_printed_table_in_printed_order(role_client, category):
    grid = get_grid(role_client("staff"), SLUGS[category])
    table = printed(category)
    assert [reference.squash(h) for h in grid.header] == [reference.squash(h) for h in table["header"]]
    assert grid.values() == table["rows"]


def test_staff_cells_carry_mark_and_version_and_the_count_column_says_it_is_derived(role_client):
    """Every cell opens for editing; the 奖惩案例 column takes its words (非考核项…) but never a number,
    which the service refuses (tests/test_derived_cells.py)."""
    grid = get_grid(role_client("staff"), "departments")
    count_column = next(i for i, a in enumerate(grid.header_attrs[1:-1]) if "derived-col" in a.get("class", ""))
    assert "奖惩案例" in grid.header[count_column + 1]
    assert "自动统计" in grid.header_attrs[count_column + 1]["title"]
    for _, cells, _ in grid.rows:
        for cell in cells:
            assert cell.mark_id and cell.version == 1
            assert cell.editable
    mark = Mark.objects.get(pk=grid.row("财政局")[1].mark_id)
    assert (mark.unit.name, mark.indicator.order, mark.state) == ("财政局", 2, "*")
    allowed = grid.header_attrs[2]["data-allowed"].split("|")
    assert allowed == mark.indicator.allowed_states


def test_each_cell_links_its_history(role_client):
    client = role_client("staff")
    html = client.get(grid_url("towns")).content.decode()
    mark = Mark.objects.get(unit__name="昆山开发区", indicator__order=5, indicator__scheme__year=2019)
    assert f'href="/assessment/marks/{mark.pk}/history/"' in html
    assert client.get(f"/assessment/marks/{mark.pk}/history/").status_code == 200


def test_filter_by_indicator_shows_that_column_only(role_client):
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=5)
    grid = get_grid(role_client("staff"), "towns", indicator=indicator.pk)
    assert [reference.squash(h) for h in grid.header] == [
        reference.squash(h) for h in ("区镇", indicator.header, "扣分情况")
    ]
    assert [row[:2] for row in grid.values()] == [[row[0], row[5]] for row in printed("区镇")["rows"]]


def test_units_with_pending_left(role_client):
    rows = printed("部门")["rows"]
    grid = get_grid(role_client("staff"), "departments", pending=1)
    assert grid.unit_names == [row[0] for row in rows if "*" in row[1:]]
    assert 0 < len(grid.unit_names) < len(rows)


def test_units_with_pending_left_in_one_column(role_client):
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=5)
    grid = get_grid(role_client("staff"), "towns", pending=1, indicator=indicator.pk)
    expected = [row[0] for row in printed("区镇")["rows"] if row[5] == "*"]
    assert grid.unit_names == expected and len(expected) == 7


def test_search_by_unit_name(role_client):
    grid = get_grid(role_client("staff"), "towns", q="镇")
    assert grid.unit_names == [row[0] for row in printed("区镇")["rows"] if "镇" in row[0]]
    assert get_grid(role_client("staff"), "towns", q="没有这个单位").rows == []


def test_unknown_indicator_filter_shows_every_column(role_client):
    other = Indicator.objects.get(scheme__year=2019, scheme__category__slug="offices", order=1)
    grid = get_grid(role_client("staff"), "towns", indicator=other.pk)
    assert len(grid.header) == len(printed("区镇")["header"])


@pytest.mark.parametrize("category", reference.CATEGORIES)
def test_summary_row_counts_each_column(role_client, category):
    grid = get_grid(role_client("staff"), SLUGS[category])
    rows = printed(category)["rows"]
    assert len(grid.summary) == len(rows[0]) - 2
    for column, counts in enumerate(grid.summary, start=1):
        expected = column_counts(rows, column)
        assert {k: counts[k] for k in expected} == expected


def test_summary_row_follows_the_filters(role_client):
    grid = get_grid(role_client("staff"), "departments", pending=1)
    rows = [row for row in printed("部门")["rows"] if "*" in row[1:]]
    assert [counts["pending"] for counts in grid.summary] == [column_counts(rows, c)["pending"] for c in range(1, 11)]


def test_leader_sees_the_same_grid_read_only(role_client):
    staff_grid = get_grid(role_client("staff"), "departments")
    response = role_client("leader").get(grid_url("departments"))
    html = response.content.decode()
    grid = parse_grid(html)
    assert grid.values() == staff_grid.values()
    assert not any(cell.editable for _, cells, _ in grid.rows for cell in cells)
    assert "data-editable" not in html and 'id="bulk-form"' not in html and "csrf-token" not in html
    # The only inputs left are the filters (GET); nothing that could change a mark.
    names = {attrs.get("name") for _, attrs in grid.inputs} - {"csrfmiddlewaretoken"}  # the logout form
    assert names <= {"indicator", "pending", "due", "q", None}
    assert "只读" in html


def test_staff_grid_has_the_bulk_form_for_every_column(role_client):
    html = role_client("staff").get(grid_url("departments")).content.decode()
    form = html[html.index('id="bulk-form"') : html.index("</form>", html.index('id="bulk-form"'))]
    assert "奖惩案例" in form and "诚信专题宣传任务" in form
    assert "csrfmiddlewaretoken" not in form  # a GET form must not put the token in the URL


@pytest.mark.parametrize("url", ["/assessment/", "/assessment/2019/", "/assessment/2019/departments/"])
def test_reporter_is_sent_to_their_unit_page(role_client, reporter_unit, url):
    response = role_client("reporter").get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/units/{reporter_unit.pk}/"


def test_anonymous_is_sent_to_login(role_client):
    response = role_client("anonymous").get(grid_url("towns"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/assessment/2019/towns/"


def test_unknown_year_or_category_is_404(role_client):
    client = role_client("staff")
    assert client.get("/assessment/2018/towns/").status_code == 404
    assert client.get("/assessment/2019/nothing/").status_code == 404
    assert client.get("/assessment/2018/").status_code == 404


def test_grid_query_count_is_flat_in_the_number_of_units(role_client, django_assert_num_queries, on_day):
    on_day(datetime.date(2019, 11, 26))  # the day: ?due=overdue selects the 17 departments without a case
    client = role_client("staff")
    client.get(grid_url("departments"))  # session and user warm-up
    with CaptureQueriesContext(connection) as demo:
        assert client.get(grid_url("departments")).status_code == 200
    # A filtered grid reads every cell's word (grid_rows.grid_selection); the whole one counts in the database
    # (assessment.tallies) and reads its page's cells: each is flat on its own.
    with CaptureQueriesContext(connection) as filtered:
        assert client.get(grid_url("departments", pending=1, q="局")).status_code == 200
    with CaptureQueriesContext(connection) as due_filtered:
        assert client.get(grid_url("departments", due="overdue")).status_code == 200
    multiply_units(10)
    assert Unit.objects.filter(category__slug="departments").count() == 540
    with django_assert_num_queries(len(demo.captured_queries)):
        response = client.get(grid_url("departments"))
    # 100 units a page (core.paging.PAGE_ROWS); the last page holds the rest.
    assert len(parse_grid(response.content.decode()).rows) == 100
    with django_assert_num_queries(len(demo.captured_queries)):
        response = client.get(grid_url("departments", page=6))
    assert len(parse_grid(response.content.decode()).rows) == 40
    with django_assert_num_queries(len(filtered.captured_queries)):
        client.get(grid_url("departments", pending=1, q="局"))
    # session, user, groups, the year's schemes (the category tabs) + the shown one's indicators and notes, marks,
    # batches (the session is not saved again)
    # … plus one for the derived 奖惩案例 numbers of the page's rows, one for the confirmed deductions and one for
    # the office's changed due dates (assessment.due), for all units at once
    # … plus the second-factor device named in the session
    # … plus the year's state (closed or not, the banner: assessment.years.year_state; a year never closed has
    # no frozen 扣分情况 to read)
    # … plus the menu's 待办 count (assessment.todo)
    # Unfiltered, the column counts come from the database (assessment.tallies: the typed columns' words, and
    # the derived column's enrolment, marks and numbers), the page's cells from marks and numbers of its rows,
    # the units' count once; a filter instead asks the database for the derived column's * cells and then the
    # words of the rows kept (assessment.derived_columns: whether the year's case counts are current, once).
    assert len(filtered.captured_queries) <= 20 + MENU_TODO_QUERIES["staff"]
    # … the typed columns' words from the stored tallies: whether they are current, then their rows
    assert len(demo.captured_queries) <= 19 + MENU_TODO_QUERIES["staff"]
    with django_assert_num_queries(len(due_filtered.captured_queries)):
        client.get(grid_url("departments", due="overdue"))


# --- the year page and the way there


def test_year_page_lists_categories_with_completion_figures(role_client):
    html = role_client("staff").get("/assessment/2019/").content.decode()
    for category, slug in SLUGS.items():
        rows = printed(category)["rows"]
        values = [v for row in rows for v in row[1:-1]]
        block = re.search(rf'<tr data-category="{slug}">(.*?)</tr>', html, re.S)[1]
        assert f'href="/assessment/2019/{slug}/"' in block
        numbers = [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", block)]
        assert numbers == [
            len(rows),
            len(rows[0]) - 2,
            values.count("√"),
            values.count("*"),
            values.count("非考核项"),
            values.count("已说明") + values.count("已说明情况"),
            sum("*" in row for row in rows),
        ]
    assert 'href="/assessment/2019/new-year/"' in html


def test_year_page_query_count_is_flat(role_client, django_assert_num_queries):
    client = role_client("staff")
    client.get("/assessment/2019/")
    with CaptureQueriesContext(connection) as demo:
        client.get("/assessment/2019/")
    multiply_units(10)
    with django_assert_num_queries(len(demo.captured_queries)):
        assert client.get("/assessment/2019/").status_code == 200


def test_leader_year_page_has_no_new_year_link(role_client):
    html = role_client("leader").get("/assessment/2019/").content.decode()
    assert "new-year" not in html and "查看" in html


def test_index_goes_to_the_current_year(role_client):
    """The latest year with a published issue; a year without one yet is opened by choosing it."""
    client = role_client("staff")
    assert client.get("/assessment/")["Location"] == "/assessment/2019/"
    SchemeFactory(year=2031)
    assert client.get("/assessment/")["Location"] == "/assessment/2019/"


def test_navigation_links_by_role(role_client):
    assert '<a href="/assessment/">录入</a>' in role_client("staff").get("/").content.decode()
    assert '<a href="/assessment/">考核进度</a>' in role_client("leader").get("/").content.decode()
    for role in ("reporter", "anonymous"):
        assert 'href="/assessment/"' not in role_client(role).get("/").content.decode()


def test_grid_script_is_served_locally(role_client):
    client = role_client("staff")
    html = client.get(grid_url("towns")).content.decode()
    assert '<script src="/static/js/grid.js" defer></script>' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    response = client.get("/static/js/grid.js")
    assert response.status_code == 200
    assert b"X-CSRFToken" in b"".join(response.streaming_content)
