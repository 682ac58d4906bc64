"""The entry grid filters and counts every unit from the cells' words and makes the cells of its page only
(assessment.grid_rows.grid_selection, page_rows): for every filter it shows exactly the rows, cells, due marks,
扣分情况 and column counts that the whole table (build_tables(...).filtered(...)) gives, page after page."""

import datetime
import itertools
import sys
import unicodedata

import pytest

from assessment import grid_rows, stored_tallies
from assessment.grid_rows import grid_selection, page_rows
from assessment.models import DueOverride, DueRule, Indicator, Mark, MarkState, Scheme, SchemeUnit, Unit
from assessment.tables import build_tables, schemes_with_parts
from core.paging import PAGE_ROWS

from .factories import DeductionFactory, multiply_units

pytestmark = pytest.mark.django_db

WORDS = [MarkState.DONE, MarkState.PENDING, MarkState.NOT_ASSESSED, MarkState.EXPLAINED, MarkState.PENDING]


def _scheme(slug, units=True):
    return schemes_with_parts(Scheme.objects.filter(year=2019, category__slug=slug), units=units).get()


@pytest.fixture
def mixed(on_day):
    """Three times the demo, cells in every word (some missing), a few changed due dates and deductions."""
    on_day(datetime.date(2019, 11, 20))
    multiply_units(3)
    words = itertools.cycle(WORDS)
    marks = list(Mark.objects.filter(indicator__scheme__year=2019).select_related("indicator").order_by("pk"))
    for mark in marks:
        if not mark.indicator.accepts_count and "√" in mark.indicator.allowed_states:
            mark.state, mark.count = next(words), None
    Mark.objects.bulk_update(marks, ["state", "count"])
    # bulk_update sends no signal: the stored tallies are counted again on the next read (assessment.stored_tallies)
    stored_tallies.invalidate(Scheme.objects.filter(year=2019).values_list("pk", flat=True))
    Mark.objects.filter(pk__in=[m.pk for m in marks[::11] if not m.indicator.accepts_count]).delete()
    Indicator.objects.filter(scheme__year=2019, order=2).update(due_rule=DueRule.DATE, due_date="2019-11-25")
    for mark in marks[5:200:13]:
        DueOverride.objects.update_or_create(
            unit=mark.unit, indicator=mark.indicator, defaults={"date": datetime.date(2019, 9, 30), "reason": "测试"}
        )
    for mark in marks[3:400:17]:
        if mark.indicator.rule_kind == "per_occurrence":
            DeductionFactory(unit=mark.unit, indicator=mark.indicator, count=2)


def seen(rows):
    """What the grid shows of rows (a table's Rows of Cells, or the page's PageRows of ShownCells): unit, each
    cell's mark id, version, text and Due (date, status and why the office changed it), 扣分情况."""
    return [
        (
            row.unit.pk if hasattr(row, "unit") else row.unit_id,
            [None if c is None else (c.pk, c.version, c.value, c.due) for c in row.cells],
            row.deduction_text,
        )
        for row in rows
    ]


def _counts(counts):
    return [vars(c) for c in counts]


FILTERS = [
    {},
    {"pending_only": True},
    {"due": "overdue"},
    {"due": "due_soon"},
    {"query": "#2"},
    {"query": "局", "pending_only": True, "due": "overdue"},
]


@pytest.mark.parametrize("slug", ["towns", "departments"])
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_a_page_shows_what_the_whole_table_shows(mixed, slug, filters):
    scheme, grid_scheme = _scheme(slug), _scheme(slug, units=False)  # as the grid reads it
    for indicator_id in (None, list(scheme.indicators.all())[1].pk):
        whole = build_tables([scheme])[0].filtered(indicator_id=indicator_id, **filters)
        selection = grid_selection(grid_scheme, indicator_id=indicator_id, **filters)
        assert [row[1] for row in selection.rows] == [row.unit.pk for row in whole.rows]
        assert selection.indicators == whole.indicators
        assert _counts(selection.counts) == _counts(whole.column_counts())
        pages = [selection.rows[i : i + PAGE_ROWS] for i in range(0, len(selection.rows), PAGE_ROWS)]
        shown = [row for page in pages for row in seen(page_rows(selection, page))]
        assert shown == seen(whole.rows)


def test_the_fixture_has_every_kind_of_cell(mixed):
    rows = build_tables([_scheme("departments")])[0].rows
    cells = [c for row in rows for c in row.cells]
    assert None in cells
    assert {c.status for c in cells if c} >= {"overdue", "due_soon", "done", "explained", "not_assessed"}
    assert any(c.derived and c.value.isdigit() for c in cells if c)  # a derived number
    assert any(c.due.reason for c in cells if c)  # a date the office changed
    assert any(row.deduction_text for row in rows)
    assert len(rows) > PAGE_ROWS


def test_a_caseless_query_is_matched_by_the_database_as_casefold_matches_it():
    # grid_rows.name_condition: a query of these characters only is matched as typed (`query in name`), which is
    # `query in name.casefold()` only if casefold() leaves them as they are and never makes one of them.
    made = {
        ch for code in range(sys.maxunicode + 1) if (text := chr(code)).casefold() != text for ch in text.casefold()
    }
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if unicodedata.category(ch) in grid_rows.CASELESS_CATEGORIES:
            assert ch.casefold() == ch and ch not in made, hex(code)
    assert grid_rows.name_condition("局#2 0001") is not None
    assert grid_rows.name_condition("Ab") is None and grid_rows.name_condition("ß") is None


@pytest.mark.parametrize("query", ["STRASSE", "straße局", "SS局", "局", "#1", "x"])
def test_a_query_with_case_matches_the_casefolded_names(mixed, query):
    Unit.objects.filter(pk=SchemeUnit.objects.filter(scheme__year=2019).order_by("pk").first().unit_id).update(
        name="Straße局", full_name="Kunshan"
    )
    for slug in ("towns", "departments"):
        whole = build_tables([_scheme(slug)])[0].filtered(query=query)
        selection = grid_selection(_scheme(slug, units=False), query=query)
        assert [row[1] for row in selection.rows] == [row.unit.pk for row in whole.rows]
        assert _counts(selection.counts) == _counts(whole.column_counts())


@pytest.mark.parametrize("due", ["due_soon", "overdue"])
def test_a_derived_cell_whose_date_was_changed_is_kept_by_its_own_status(mixed, due):
    # The 奖惩案例 column's rule makes its * overdue on this day; the office gave one of them a date due soon:
    # ?due=due_soon keeps that row (grid_rows asks the column's * because of that date), ?due=overdue drops it.
    scheme, grid_scheme = _scheme("departments"), _scheme("departments", units=False)
    column = next(i for i in scheme.indicators.all() if i.is_derived)
    place = list(scheme.indicators.all()).index(column)
    rows = build_tables([scheme])[0].rows
    row = next(
        r
        for r in rows
        if r.cells[place] is not None
        and r.cells[place].is_pending
        and all(c is None or c.status != "due_soon" for c in r.cells)  # kept by that date only
    )
    assert row.cells[place].status == "overdue"
    DueOverride.objects.create(unit=row.unit, indicator=column, date=datetime.date(2019, 11, 25), reason="测试")
    whole = build_tables([scheme])[0].filtered(due=due)
    selection = grid_selection(grid_scheme, due=due)
    assert [r[1] for r in selection.rows] == [r.unit.pk for r in whole.rows]
    assert (row.unit.pk in [r.unit.pk for r in whole.rows]) == (due == "due_soon")
    assert _counts(selection.counts) == _counts(whole.column_counts())
