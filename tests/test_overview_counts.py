"""The overview's numbers equal a cell-by-cell computation (issue 25).

The overview counts whole columns and asks the database for the first overdue cells and the units with the most
*; its trend reads what each version stored when it was published. Whatever the shortcut, the figures must be
those of every Cell (assessment.cells, with its due status) and of every published snapshot: checked here over a
year with changed due dates (earlier, later, due soon, on a done cell, on the derived column), dated columns that
interleave with the quarterly one, exempt cells, 0 cells, units added after the last issue and three issues.
"""

import datetime
import importlib
from collections import Counter

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import open_cells
from assessment.cells import year_cells
from assessment.due import DueStatus
from assessment.marks.services import set_due_override, set_mark
from assessment.models import DueRule, Indicator, Mark, SchemeUnit
from bulletins import overview as overview_module
from bulletins import services
from bulletins.figures import version_figures
from bulletins.models import Issue, IssueVersion
from bulletins.overview import STATUS_COLUMNS, counts_as_status, year_overview

from .factories import multiply_units

pytestmark = pytest.mark.django_db

EXPLAINED = ("已说明", "已说明情况")


def _mark(slug, unit, order):
    return Mark.objects.get(
        indicator__scheme__year=2019, indicator__scheme__category__slug=slug, indicator__order=order, unit__name=unit
    )


def _indicator(slug, order):
    return Indicator.objects.get(scheme__year=2019, scheme__category__slug=slug, order=order)


def _share(values):
    """(percent, pending) of a frozen table's cell texts, counted one by one."""
    done = sum(1 for v in values if v == "√" or (v.isdigit() and int(v) > 0))
    pending = sum(1 for v in values if v in ("*", "0"))
    explained = sum(1 for v in values if v in EXPLAINED)
    counted = done + pending + explained
    return (round(100 * done / counted) if counted else 0), pending


def cell_by_cell(year, shown, top):
    """{slug: figures} of `year` from every Cell and every published snapshot, as the overview must show them."""
    schemes, cells = year_cells(year)
    issues = list(Issue.objects.filter(year=year, current_version__isnull=False).order_by("number"))
    latest = issues[-1] if issues else None
    result = {}
    for scheme in schemes:
        slug = scheme.category.slug
        rows = list(
            SchemeUnit.objects.filter(scheme=scheme).order_by("order", "pk").values_list("unit_id", "unit__name")
        )
        columns = list(scheme.indicators.order_by("order"))
        mine = [
            (r, c, unit_id, name, indicator, cells[unit_id, indicator.pk])
            for r, (unit_id, name) in enumerate(rows)
            for c, indicator in enumerate(columns)
            if (unit_id, indicator.pk) in cells
        ]
        statuses = Counter(cell.status for *_, cell in mine if counts_as_status(cell.status, cell.value))
        overdue = sorted(
            (cell.due.date, r, c, name, indicator.title, cell.due.phrase, unit_id)
            for r, c, unit_id, name, indicator, cell in mine
            if cell.status == DueStatus.OVERDUE
        )
        behind = Counter()
        for r, _, unit_id, name, _, cell in mine:
            if cell.value in ("*", "0"):
                behind[r, unit_id, name] += 1
        in_latest = set()
        if latest:
            for table in latest.current_version.snapshot["tables"]:
                if table["scheme_id"] == scheme.pk:
                    in_latest = {row["unit_id"] for row in table["rows"]}
        trend = []
        for issue in issues:
            for table in issue.current_version.snapshot["tables"]:
                if table["scheme_id"] == scheme.pk:
                    percent, pending = _share([v for row in table["rows"] for v in row["values"]])
                    trend.append(
                        (f"第{issue.number}期", percent, pending, f"/bulletins/{year}/{issue.number}/#table-{slug}")
                    )
        result[slug] = {
            "statuses": [(status, statuses.get(status, 0)) for status in STATUS_COLUMNS],
            "overdue_total": len(overdue),
            "overdue": [
                (name, title, date, phrase, unit_id) for date, _, _, name, title, phrase, unit_id in overdue[:shown]
            ],
            "behind": [
                (name, n, f"/bulletins/{year}/{latest.number}/#unit-{slug}-{unit_id}" if unit_id in in_latest else "")
                for (_, unit_id, name), n in sorted(behind.items(), key=lambda item: (-item[1], item[0][0]))[:top]
            ],
            "trend": trend,
        }
    return result


def shown_by_the_overview(year):
    result = {}
    for category in year_overview(year)["categories"]:
        result[category.slug] = {
            "statuses": category.statuses,
            "overdue_total": category.overdue_total,
            "overdue": [(o.unit, o.indicator, o.date, o.phrase, o.unit_id) for o in category.overdue],
            "behind": category.behind,
            "trend": [(p.label, p.percent, p.pending, p.link) for p in category.trend],
        }
    return result


@pytest.fixture
def busy_year(staff_user):
    """The demo's 2019 with every kind of cell the overview's shortcuts must get right, and three issues."""
    # Dated columns: the towns' 信用审查 by 31 October (its * overdue in late November), the departments'
    # 诚信专题宣传任务 by 31 March — the date the quarterly 奖惩案例 is overdue from, so the two interleave by row.
    # Its 贯标创建 by the same day, * in both for two towns: a row's overdue cells tie on their date, ordered by
    # column.
    for order in (4, 5):
        Indicator.objects.filter(pk=_indicator("towns", order).pk).update(
            due_rule=DueRule.DATE, due_date=datetime.date(2019, 10, 31)
        )
        for town in ("昆山开发区", "张浦镇"):
            set_mark(_mark("towns", town, order), "*", staff_user)
    Indicator.objects.filter(pk=_indicator("departments", 9).pk).update(
        due_rule=DueRule.DATE, due_date=datetime.date(2019, 3, 31)
    )
    # A typed cell holding 0 (a number column's none, which every number column of the demo derives from
    # the cases: written as stored, not through a form).
    Mark.objects.filter(pk=_mark("offices", "柏庐城市管理办事处", 5).pk).update(state="", count=0)
    set_mark(_mark("offices", "柏庐城市管理办事处", 1), "*", staff_user)
    issue = services.create_issue(year=2019, number=12, date=datetime.date(2019, 11, 28))
    services.publish_issue(issue, staff_user)
    set_mark(_mark("departments", "财政局", 9), "非考核项", staff_user)
    # Changed due dates: earlier, later, due soon, on a done cell, on the derived column.
    reason = "测试"
    set_due_override(_mark("departments", "财政局", 1), datetime.date(2019, 1, 15), reason, staff_user)  # a √ cell
    for unit, order, day in [
        ("人武部", 4, datetime.date(2019, 2, 1)),  # a not-due column's *, overdue before any other
        ("人武部", 5, datetime.date(2019, 12, 3)),  # due soon
        ("统战部", 8, datetime.date(2019, 12, 31)),  # 奖惩案例 (derived): no longer overdue
    ]:
        set_due_override(_mark("departments", unit, order), day, reason, staff_user)
    issue = services.create_issue(year=2019, number=13, date=datetime.date(2019, 11, 29))
    services.publish_issue(issue, staff_user)
    # After the last issue: more units (each with a * in 奖惩案例: no case yet), a few of them further behind,
    # and marks changed (the live counts move, the trend does not).
    multiply_units(2)
    for order in (1, 2, 3, 4, 6):
        set_mark(_mark("departments", "人武部#1", order), "*", staff_user)
    set_mark(_mark("departments", "组织部#1", 9), "*", staff_user)
    set_mark(_mark("towns", "张浦镇#1", 5), "*", staff_user)
    for unit, order, day in [
        ("组织部#1", 9, datetime.date(2020, 1, 20)),  # a dated column's *: not due
        ("人武部#1", 9, datetime.date(2019, 3, 31)),  # the column's own date, changed
    ]:
        set_due_override(_mark("departments", unit, order), day, reason, staff_user)
    set_due_override(_mark("towns", "张浦镇#1", 5), datetime.date(2019, 11, 1), reason, staff_user)
    set_mark(_mark("towns", "周市镇", 5), "√", staff_user)
    set_mark(_mark("departments", "团市委", 3), "已说明", staff_user)


@pytest.mark.parametrize(
    "day",
    [datetime.date(2019, 11, 26), datetime.date(2019, 6, 20), datetime.date(2019, 12, 25), datetime.date(2020, 1, 10)],
)
def test_the_overview_equals_every_cell(busy_year, on_day, day):
    on_day(day)
    assert shown_by_the_overview(2019) == cell_by_cell(2019, overview_module.OVERDUE_SHOWN, overview_module.TOP_UNITS)


def test_the_first_overdue_and_the_units_behind_are_cut_as_every_cell_says(busy_year, on_day, monkeypatch):
    """Few shown: the cut falls inside ties of date (the interleaved columns) and of count."""
    on_day(datetime.date(2019, 11, 26))
    for shown, top, read_ahead in [(3, 2, 0), (7, 5, 1), (20, 9, 3), (1, 1, 0), (3, 2, 500)]:
        monkeypatch.setattr(overview_module, "OVERDUE_SHOWN", shown)
        monkeypatch.setattr(overview_module, "TOP_UNITS", top)
        monkeypatch.setattr(open_cells, "READ_AHEAD", read_ahead)  # the units near the last place read again
        expected = cell_by_cell(2019, shown, top)
        assert shown_by_the_overview(2019) == expected
    departments = expected["departments"]
    assert departments["overdue"][0][:2] == ("人武部", "(参照条线) 应用信用承诺")


def test_the_busy_year_has_what_the_shortcuts_must_get_right(busy_year, on_day):
    """The fixture has what the comparison needs: overdue cells past the list, ties, a 0, units after the last issue."""
    on_day(datetime.date(2019, 11, 26))
    figures = cell_by_cell(2019, overview_module.OVERDUE_SHOWN, overview_module.TOP_UNITS)
    departments = figures["departments"]
    assert departments["overdue_total"] > overview_module.OVERDUE_SHOWN
    assert dict(departments["statuses"])[DueStatus.DUE_SOON] == 1
    assert departments["behind"][0][:2] == ("人武部#1", 6) and departments["behind"][0][2] == ""
    assert [n for _, n, _ in departments["behind"]].count(5) >= 3
    assert figures["offices"]["behind"][0][:2] == ("柏庐城市管理办事处", 4)  # two *, a 0 and the * set above
    assert [label for label, *_ in figures["towns"]["trend"]] == ["第11期", "第12期", "第13期"]


def test_the_trend_and_the_links_read_no_snapshot(busy_year, on_day):
    """Each version's figures were counted when it was published: the overview loads no frozen content."""
    on_day(datetime.date(2019, 11, 26))
    with CaptureQueriesContext(connection) as queries:
        year_overview(2019)
    assert not [q["sql"] for q in queries.captured_queries if '"snapshot"' in q["sql"]]
    assert all(v.figures and v.table_units for v in IssueVersion.objects.all())


def test_versions_published_before_are_counted_by_the_migration(busy_year, on_day):
    """Versions without figures (published before they were stored) get them from their snapshot, by the function
    publishing uses, so the overview never has to parse one."""
    on_day(datetime.date(2019, 11, 26))
    stored = {v.pk: (v.figures, v.table_units) for v in IssueVersion.objects.all()}
    IssueVersion.objects.update(figures={}, table_units={})
    migration = importlib.import_module("bulletins.migrations.0003_version_figures")
    migration.count_published(django_apps, None)
    for version in IssueVersion.objects.all():
        assert (version.figures, version.table_units) == stored[version.pk] == version_figures(version.snapshot)
    assert shown_by_the_overview(2019) == cell_by_cell(2019, overview_module.OVERDUE_SHOWN, overview_module.TOP_UNITS)
