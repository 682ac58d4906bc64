"""The benchmark's page baselines (kunshan_credit/bench/baselines.py) read the rows their pages show.

A ratio against a baseline is honest only if the baseline shows what the page shows: each is requested here
by the signed-in office, as `manage.py benchmark` does, beside its page, on the demo grown past a page of
units (the departments' grid, the units index, the scores and the quarterly table then have more than 100
rows) with generated cases, and the rows are compared: the same units (or cases) in the same order, the same
values where the page shows them.
"""

import datetime
import html
import random
import re

import pytest

from assessment.models import Unit
from assessment.tables import StateCounts
from kunshan_credit.bench import data

from .conftest import log_in
from .grid_html import parse_grid

YEAR = 2019


@pytest.fixture
def office(client, staff_user, settings):
    """The demo with 330 units and 1,000 cases; the office signed in; the baselines mounted beside the portal."""
    settings.ROOT_URLCONF = "kunshan_credit.bench.urls"
    units = Unit.objects.count()
    scale = data.Scale("test", units=330, cases=1000, changed_cells=0)
    data._extra_units(scale, random.Random(1), False)
    data._cases(scale, random.Random(1), False)
    assert Unit.objects.count() == 330 > units
    return log_in(client, staff_user)


def bare_rows(response):
    """The rows of a bare baseline page: [[cell text]] of every table, in order."""
    assert response.status_code == 200
    text = response.content.decode()
    rows = re.findall(r"<tr>(.*?)(?=<tr>|</table>)", text, re.S)
    return [[html.unescape(cell) for cell in row.split("<td>")[1:]] for row in rows]


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_grid_baseline_reads_the_grids_rows_cells_and_summary(office, on_day):
    """Unfiltered and under each filter the benchmark times (one build of the data for all four)."""
    on_day(datetime.date(YEAR, 11, 26))  # within the year: the overdue filter keeps rows (after it, none)
    for query in ("", "?pending=1", "?q=部门01", "?due=overdue"):
        grid = parse_grid(page_text(office, f"/assessment/{YEAR}/departments/{query}"))
        header, *rows, total = bare_rows(office.get(f"/__bench__/assessment/{YEAR}/departments/{query}"))
        assert grid.rows and len(grid.rows) <= 100, query
        if not query:
            assert len(grid.rows) == 100  # a full page of the 190-odd departments
        assert [row[0] for row in rows] == grid.unit_names, query
        assert rows == [[name, *[cell.value for cell in cells]] for name, cells, _ in grid.rows], query
        summary = []
        for column in total[1:]:
            counts = StateCounts()
            for shown, n in re.findall(r"(\S+) (\d+)", column):
                counts.add(shown, int(shown) if shown.isdigit() else None, int(n))
            summary.append({key: n for key, n in vars(counts).items() if n or key not in ("none", "numbers")})
        assert summary == grid.summary, query
        assert len(header) == len(grid.summary) + 1


def test_the_scores_baseline_ranks_the_pages_units_in_its_order(office):
    text = page_text(office, f"/assessment/{YEAR}/scores/")  # first: the stored totals are refreshed by it
    names = re.findall(r'<th scope="row"><a href="#breakdown-\d+">([^<]*)</a>', text)
    ranks = re.findall(r'<td class="rank">([^<]*)</td>', text)
    rows = bare_rows(office.get(f"/__bench__/assessment/{YEAR}/scores/"))
    assert len(names) == 100
    assert [row[1] for row in rows] == [html.unescape(n) for n in names]
    assert [row[2] for row in rows] == ranks


def test_the_quarterly_baseline_counts_the_pages_units_by_quarter(office):
    text = page_text(office, f"/cases/{YEAR}/")
    page = re.findall(r'data-unit="([^"]*)">\s*<th scope="row">[^<]*</th>((?:\s*<td class="[^"]*">\d+</td>){4})', text)
    rows = bare_rows(office.get(f"/__bench__/cases/{YEAR}/"))
    assert len(page) == 100
    assert [(row[1], row[2:6]) for row in rows] == [
        (html.unescape(name), re.findall(r">(\d+)<", quarters)) for name, quarters in page
    ]


def test_the_units_and_cases_baselines_list_the_pages_rows(office):
    text = page_text(office, "/units/")
    page = re.findall(
        r'<td><a href="/units/\d+/">([^<]*)</a></td>\s*<td>(?:<span class="pending-count">)?([^<]*)', text
    )
    rows = bare_rows(office.get(f"/__bench__/units/{YEAR}/"))
    assert len(page) == 100
    assert [(row[1], row[2]) for row in rows] == [(html.unescape(n), "0" if p == "—" else p) for n, p in page]

    text = page_text(office, "/cases/")
    titles = re.findall(r'<td class="case-title-cell"><a href="[^"]*">([^<]*)</a>', text)
    rows = bare_rows(office.get("/__bench__/cases/"))
    assert len(titles) == 20
    assert [row[0] for row in rows] == [html.unescape(t) for t in titles]


def test_the_year_and_overview_baselines_count_what_the_pages_count(office):
    text = page_text(office, f"/assessment/{YEAR}/")
    page = re.findall(
        r'<th scope="row"><a href="[^"]*">([^<]*)</a></th>\s*<td>(\d+)</td>\s*<td>(\d+)</td>\s*'
        r'<td class="count-done">(\d+)</td>\s*<td class="count-pending">(\d+)</td>.*?'
        r'<td class="count-explained">\d+</td>\s*<td>(\d+)</td>',
        text,
        re.S,
    )
    tables = re.findall(
        r"<caption>([^<]*)</caption>(.*?)</table>", office.get(f"/__bench__/assessment/{YEAR}/").content.decode(), re.S
    )
    assert len(page) == len(tables) == 3
    for (name, units, columns, done, pending, units_pending), (caption, body) in zip(page, tables, strict=True):
        counted = {}
        for what, shown, n in re.findall(r"<tr><td>([^<]*)<td>([^<]*)<td>(\d+)", body):
            counted[what, html.unescape(shown)] = int(n)
        assert html.unescape(caption) == html.unescape(name)
        assert counted["units", ""] == int(units) and counted["columns", ""] == int(columns)
        assert counted.get(("cells", "√"), 0) == int(done)
        assert counted.get(("cells", "*"), 0) == int(pending)
        assert counted.get(("pending units", ""), 0) == int(units_pending)


def test_the_overview_baseline_counts_the_statuses_and_the_units_behind(office, on_day):
    on_day(datetime.date(YEAR, 11, 26))  # within the year: the * cells are overdue, due soon or not due
    text = page_text(office, f"/overview/{YEAR}/")
    statuses = re.findall(r'<td data-status="(\w+)">(\d+)</td>', text)
    behind = re.findall(
        r'<li>(?:<a href="[^"]*">)?([^<]*)(?:</a>)?\s*<svg class="behind-bar".*?(\d+) 项</span>', text, re.S
    )
    tables = re.findall(
        r"<caption>([^<]*)</caption>(.*?)</table>", page_text(office, f"/__bench__/overview/{YEAR}/"), re.S
    )
    assert [html.unescape(c) for c, _ in tables] == ["区镇", "城市管理办事处", "部门", "待办"]
    shown_statuses, shown_behind = [], []
    for _category, body in tables[:3]:
        rows = [
            [html.unescape(cell) for cell in row.split("<td>")[1:]] for row in re.findall(r"<tr>(.*?)(?=<tr>|$)", body)
        ]
        by_status = {label: n for part, _, label, _, n in rows if part == "1"}
        shares = {}
        for part, _, _, shown, n in rows:
            if part == "0":
                shares[shown] = shares.get(shown, 0) + int(n)
        done = sum(n for shown, n in shares.items() if shown == "√" or shown.isdigit() and shown != "0")
        shown_statuses.append(("done", str(done)))
        shown_statuses.append(("explained", str(shares.get("已说明", 0) + shares.get("已说明情况", 0))))
        for status in ("not_due", "due_soon", "overdue", "year_end"):
            shown_statuses.append((status, by_status.get(status, "0")))
        shown_statuses.append(("not_assessed", str(shares.get("非考核项", 0))))  # 无: in no column
        shown_behind += [(name, n) for part, _, name, _, n in rows if part == "2"]
    assert sorted(statuses) == sorted(shown_statuses)
    assert [(html.unescape(name).strip(), n) for name, n in behind] == shown_behind
    assert any(status == "overdue" and n != "0" for status, n in statuses)
