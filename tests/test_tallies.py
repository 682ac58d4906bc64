"""The counts the database adds up (assessment.tallies) are the counts of every cell, whatever the cells hold.

The year page and the grid's summary row count every enrolled unit's cells without making them: after random
sequences of changes (marks through the service, accepted cases that make the 奖惩案例 numbers, a number typed
before the column was derived, missing marks, a unit dropped from a table whose marks stay), the counts
equal the ones made from assessment.cells' Cells, which every page shows.
"""

import random
from collections import Counter, defaultdict

import pytest

from assessment import cells, tallies
from assessment.grid_rows import grid_selection, page_rows
from assessment.marks.grid import year_progress
from assessment.marks.services import set_mark
from assessment.models import Mark, MarkState, SchemeUnit
from assessment.tables import StateCounts, build_tables, schemes_with_parts
from cases.models import CaseStatus

from .factories import CaseFactory, multiply_units

pytestmark = pytest.mark.django_db

WORDS = [MarkState.DONE, MarkState.PENDING, MarkState.NOT_ASSESSED, MarkState.EXPLAINED, MarkState.EXPLAINED_FULL]


def _from_cells(year):
    """{scheme id: (column counts, units with a *)} made from every Cell of the year."""
    schemes, year_cells = cells.year_cells(year)
    scheme_of = {i.pk: s.pk for s in schemes for i in s.indicators.all()}
    counts = {s.pk: StateCounts() for s in schemes}
    pending = defaultdict(set)
    for (unit_id, indicator_id), cell in year_cells.items():
        counts[scheme_of[indicator_id]].add(cell.state, cell.shown_count)
        if cell.is_pending:
            pending[scheme_of[indicator_id]].add(unit_id)
    return {s.pk: (vars(counts[s.pk]), len(pending[s.pk])) for s in schemes}


def _from_tallies(year):
    return {p.scheme.pk: (vars(p.counts), p.units_pending) for p in year_progress(year)}


def _pending_cells_agree(year):
    """The cells showing * (tallies.pending_cells: the units index's counts, the grid's filters) are those of
    every Cell."""
    schemes, year_cells = cells.year_cells(year)
    every = dict(cells.pending_by_unit(year_cells))
    units = sorted({unit_id for unit_id, _ in year_cells})
    some = units[::3]
    assert Counter(u for u, _ in tallies.pending_cells(schemes, unit_ids=some)) == {
        u: n for u, n in every.items() if u in some
    }
    assert tallies.pending_counts(schemes, some) == {u: n for u, n in every.items() if u in some}
    assert sorted(tallies.pending_cells(schemes)) == sorted(k for k, c in year_cells.items() if c.is_pending)
    # the year page's units with a * left, counted by the database: the sizes of the grid filter's sets
    found = tallies.pending_units(schemes)
    assert tallies.pending_unit_counts(schemes) == {s.pk: len(found[s.pk]) for s in schemes}


def _grid_counts_agree():
    for scheme in schemes_with_parts().filter(year=2019):
        whole = build_tables([scheme])[0]
        grid = grid_selection(schemes_with_parts().filter(pk=scheme.pk).get())
        assert [vars(c) for c in grid.counts] == [vars(c) for c in whole.column_counts()]
        assert [row[1] for row in grid.rows] == [row.unit.pk for row in whole.rows]
        # the grid's page shows its rows' Cells (cells.shown_rows, the derived numbers from derived_columns)
        shown = page_rows(grid, grid.rows[0 : len(grid.rows)])
        assert [(r.unit_id, [c and (c.pk, c.version, c.value, c.due) for c in r.cells]) for r in shown] == [
            (r.unit.pk, [c and (c.pk, c.version, c.value, c.due) for c in r.cells]) for r in whole.rows
        ]


def _change(rng, marks, staff_user):
    """One random change: a cell set through the service, an accepted case, a cell removed, a stale number."""
    what = rng.random()
    mark = rng.choice(marks)
    if what < 0.6:
        allowed = [w for w in mark.indicator.allowed_states if w in WORDS or w == MarkState.NONE]
        if mark.indicator.accepts_count:
            return  # a derived column is not typed into (its number comes from the cases)
        mark.refresh_from_db()
        set_mark(mark, rng.choice(allowed or [MarkState.DONE]), staff_user)
    elif what < 0.8:
        status = rng.choice([CaseStatus.ACCEPTED, CaseStatus.ACCEPTED, CaseStatus.SUBMITTED])
        CaseFactory(year=2019, quarter=rng.randint(1, 4), source_unit=mark.unit, status=status)
    elif what < 0.9:
        Mark.objects.filter(pk=mark.pk).delete()
        marks.remove(mark)
    elif mark.indicator.accepts_count:
        # a number typed in before the column was derived shows as not done (assessment.cells)
        Mark.objects.filter(pk=mark.pk).update(state="", count=rng.randint(0, 5))


@pytest.mark.parametrize("seed", range(4))
def test_the_counts_equal_the_cells_after_any_changes(staff_user, seed):
    rng = random.Random(seed)
    multiply_units(2)
    marks = list(Mark.objects.filter(indicator__scheme__year=2019).select_related("indicator__scheme", "unit"))
    for step in range(60):
        _change(rng, marks, staff_user)
        if step % 20 == 19:
            assert _from_tallies(2019) == _from_cells(2019)
            _pending_cells_agree(2019)
    # a unit leaves a table; its marks stay in the database but are no cells of the table
    dropped = SchemeUnit.objects.filter(scheme__year=2019).order_by("?").first()
    SchemeUnit.objects.filter(pk=dropped.pk).delete()
    assert _from_tallies(2019) == _from_cells(2019)
    _pending_cells_agree(2019)
    _grid_counts_agree()


def test_the_year_page_shows_the_counts_of_the_cells(role_client):
    expected = _from_cells(2019)
    html = role_client("staff").get("/assessment/2019/").content.decode()
    for done_pending, _ in expected.values():
        assert f'<td class="count-done">{done_pending["done"]}</td>' in html
        assert f'<td class="count-pending">{done_pending["pending"]}</td>' in html
