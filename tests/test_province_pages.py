"""At province scale the long pages show 100 units a page (core.paging): filters search every unit and
survive paging, ranks and totals stay those of every unit, an out-of-range page is the last one, and a page
stays under 500 KB with a query count that does not grow with the units."""

import re
from html import unescape
from urllib.parse import urlencode

import pytest

from assessment.models import Unit
from assessment.scoring.live import year_scores
from cases.models import Case
from cases.quarterly import build_quarterly

from .conftest import MENU_TODO_QUERIES
from .factories import CaseFactory, multiply_units

pytestmark = pytest.mark.django_db

SCORES = "/assessment/2019/scores/"
QUARTERLY = "/cases/2019/"
GRID = "/assessment/2019/departments/"
MAX_BYTES = 500 * 1024


def _links(html, rel):
    return [unescape(href) for href in re.findall(rf'<a href="([^"]*)" rel="{rel}">', html)]


def _score_rows(html):
    """(rank text, unit id) of every ranking row on the page, in page order."""
    row = r'<td class="rank">(.*?)</td>\s*<th scope="row"><a href="#breakdown-(\d+)"'
    return [(re.sub(r"<[^>]+>", "", rank).strip(), int(unit_id)) for rank, unit_id in re.findall(row, html)]


def _global_ranking():
    """(rank text, unit id) of every unit, categories in page order, as the scorer ranks them all."""
    return [(f"并列{u.rank}" if u.tied else str(u.rank), u.unit_id) for c in year_scores(2019) for u in c.units]


# --- the scores page


def test_the_city_fits_on_one_page_without_a_pager(role_client):
    html = role_client("staff").get(SCORES).content.decode()
    assert len(_score_rows(html)) == 70 and 'class="pager"' not in html
    assert html.count('class="unit-breakdown"') == 70


def test_scores_page_two_shows_the_next_units_with_their_global_ranks(role_client):
    multiply_units(3)  # 210 units
    ranking = _global_ranking()
    client = role_client("leader")
    first = client.get(SCORES).content.decode()
    assert _score_rows(first) == ranking[:100] and "共 210 个单位" in first
    assert _links(first, "next")[0] == "?page=2"
    second = client.get(SCORES + "?page=2").content.decode()
    assert _score_rows(second) == ranking[100:200]
    # each unit of the page has its breakdown, and only those
    assert second.count('class="unit-breakdown"') == 100
    assert f'id="breakdown-{ranking[150][1]}"' in second and f'id="breakdown-{ranking[10][1]}"' not in second
    # past the end: the last page, as the grid does
    last = client.get(SCORES + "?page=99").content.decode()
    assert _score_rows(last) == ranking[200:] and "第 3 / 3 页" in last


def test_scores_filters_search_every_unit_and_survive_paging(role_client):
    multiply_units(3)
    ranking = _global_ranking()
    departments = [row for row in ranking if Unit.objects.get(pk=row[1]).category.slug == "departments"]
    client = role_client("staff")
    first = client.get(SCORES, {"category": "departments"}).content.decode()
    assert _score_rows(first) == departments[:100]
    assert _links(first, "next")[0] == "?category=departments&page=2"
    second = client.get(_links(first, "next")[0].replace("?", SCORES + "?")).content.decode()
    assert _score_rows(second) == departments[100:] and 'data-category="towns"' not in second
    assert 'value="departments" selected' in second
    # a unit ranked last in its category is found by name from the first page, with its rank
    last_rank, last_id = departments[-1]
    name = Unit.objects.get(pk=last_id).name
    found = client.get(SCORES, {"q": name}).content.decode()
    assert (last_rank, last_id) in _score_rows(found)


def test_scores_page_at_province_scale_is_small_and_its_queries_flat(role_client, django_assert_max_num_queries):
    client = role_client("staff")
    client.get(SCORES)
    multiply_units(10)  # 700 units
    # the 630 new units are scored first (the year whole, then the page ranked by the database: see
    # tests/test_scoring_pages.py for the list)
    with django_assert_max_num_queries(26 + MENU_TODO_QUERIES["staff"]):
        response = client.get(SCORES + "?page=4")
    html = response.content.decode()
    assert len(_score_rows(html)) == 100 and len(response.content) < MAX_BYTES
    # the unit links are made once for the page, and still lead to each unit's page
    unit_id = _score_rows(html)[0][1]
    assert f'<a href="/assessment/2019/scores/{unit_id}/">全部各项</a>' in html


# --- the quarterly table


def _quarterly_rows(html):
    return re.findall(r'<tr(?: class="flagged")? data-unit="([^"]+)">', html)


def test_quarterly_pages_keep_the_counts_of_every_unit(role_client):
    multiply_units(3)
    (section,) = build_quarterly(2019)
    names = [row.unit.name for row in section.rows]
    flagged = [row.unit.name for row in section.rows if row.flagged]
    assert len(names) > 100 and len(flagged) > 1
    client = role_client("leader")
    first = client.get(QUARTERLY).content.decode()
    assert _quarterly_rows(first) == names[:100]
    second = client.get(QUARTERLY + "?page=2").content.decode()
    assert _quarterly_rows(second) == names[100:200]
    # the count above the table is every unit's, on every page
    for html in (first, second):
        assert f'<strong class="flagged-count">{len(flagged)}</strong>' in html
    assert 100 < len(names) <= 200  # so page 2 is the last
    assert _quarterly_rows(client.get(QUARTERLY + "?page=99").content.decode()) == names[100:]


def test_quarterly_filters_search_every_unit_and_survive_paging(role_client):
    multiply_units(3)
    (section,) = build_quarterly(2019)
    flagged = [row.unit.name for row in section.rows if row.flagged]
    client = role_client("staff")
    html = client.get(QUARTERLY, {"flagged": "1"}).content.decode()
    assert _quarterly_rows(html) == flagged[:100]
    last = section.rows[-1].unit.name
    assert _quarterly_rows(client.get(QUARTERLY, {"q": last}).content.decode()) == [last]
    copies = client.get(QUARTERLY, {"q": "#"}).content.decode()  # the copies of the demo's units: more than 100
    assert set(_links(copies, "next")) == {"?q=%23&page=2"}  # the pagers above and below the tables
    assert (
        _quarterly_rows(client.get(QUARTERLY, {"q": "#", "page": "2"}).content.decode())
        == [name for name in [row.unit.name for row in section.rows] if "#" in name][100:200]
    )


def test_quarterly_at_province_scale_is_small_and_its_queries_flat(role_client, django_assert_max_num_queries):
    client = role_client("leader")
    multiply_units(10)
    with django_assert_max_num_queries(16):  # as tests/test_cases_quarterly.py counts them
        response = client.get(QUARTERLY + "?page=3")
    assert len(_quarterly_rows(response.content.decode())) == 100 and len(response.content) < MAX_BYTES


# --- the case lists


def test_case_list_at_province_scale_does_not_list_every_unit(role_client, django_assert_max_num_queries):
    multiply_units(30)  # 2,100 units
    unit = Unit.objects.filter(name__startswith="教育局#").order_by("-pk").first()
    for i in range(25):
        CaseFactory(source_unit=unit, source_label=unit.name, year=2019, title=f"省级案例{i:02d}")
    client = role_client("staff")
    with django_assert_max_num_queries(12 + MENU_TODO_QUERIES["staff"]):
        response = client.get("/cases/", {"unit": unit.name})
    html = response.content.decode()
    assert len(response.content) < 100 * 1024 and html.count(">省级案例") == 20
    assert "第 1 / 2 页，共 25 个案例" in html
    assert _links(html, "next") == [f"?{urlencode({'unit': unit.name})}&page=2"]
    second = client.get(_links(html, "next")[0].replace("?", "/cases/?")).content.decode()
    assert second.count(">省级案例") == 5
    case = Case.objects.filter(source_unit=unit).order_by("submitted_at", "pk").first()
    assert f'<a href="/cases/case/{case.pk}/">{case.title}</a>' in html + second


def test_case_list_page_past_the_end_is_the_last_page(role_client):
    unit = Unit.objects.get(name="教育局")
    for i in range(25):
        CaseFactory(source_unit=unit, source_label=unit.name, year=2019, title=f"翻页案例{i:02d}")
    html = role_client("staff").get("/cases/", {"q": "翻页案例", "page": "9"}).content.decode()
    assert "第 2 / 2 页" in html and html.count(">翻页案例") == 5


# --- the grid


def test_grid_pager_keeps_the_filters_and_a_page_stays_small(role_client, django_assert_max_num_queries):
    multiply_units(10)  # 540 departments
    client = role_client("staff")
    with django_assert_max_num_queries(20 + MENU_TODO_QUERIES["staff"]):
        response = client.get(GRID, {"q": "局", "page": "2"})
    html = response.content.decode()
    assert len(response.content) < MAX_BYTES and html.count("<tr data-unit=") == 100
    assert "?q=%E5%B1%80&page=1" in _links(html, "prev") and "?q=%E5%B1%80&page=3" in _links(html, "next")
    last = client.get(GRID, {"page": "99"}).content.decode()
    assert "第 6 / 6 页" in last and last.count("<tr data-unit=") == 40
