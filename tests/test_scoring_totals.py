"""The scores page ranks every unit by its totals and makes the lines (the words) only of the units it shows.

The totals come from the items' amounts (assessment.scoring.scores.item_amounts), the lines from the same
amounts plus their explanations: for every unit, in every state a cell can be in and with confirmed and
waiting records of both kinds, the totals are the sums of the lines and the lines are score_unit's. The
texts scoring reads (assessment.cells.texts_for) are the cells every page shows (cells_for).
"""

import datetime
import itertools
from decimal import Decimal as D

import pytest

from assessment import cells
from assessment.models import Mark, MarkState, RuleKind, Unit
from assessment.scoring.live import derived_shortfalls, live_scores, year_schemes

from .factories import DeductionFactory

pytestmark = pytest.mark.django_db

STATES = [MarkState.DONE, MarkState.PENDING, MarkState.NOT_ASSESSED, MarkState.EXPLAINED, MarkState.EXPLAINED_FULL]


@pytest.fixture
def every_state():
    """The demo with its cells cycled through every word (every 7th missing), and records on every record column."""
    states = itertools.cycle(STATES)
    marks = list(Mark.objects.filter(indicator__scheme__year=2019).select_related("indicator").order_by("pk"))
    for mark in marks:
        if mark.indicator.accepts_count:
            continue  # the 奖惩案例 column is derived from the cases; its word alone is kept
        mark.state = next(states)
        mark.count = None
    Mark.objects.bulk_update(marks, ["state", "count"])
    Mark.objects.filter(pk__in=[m.pk for m in marks[::7] if not m.indicator.accepts_count]).delete()
    units = itertools.cycle(Unit.objects.order_by("pk"))
    for mark in marks:
        kind = mark.indicator.rule_kind
        if kind not in (RuleKind.PER_OCCURRENCE, RuleKind.DISCRETIONARY):
            continue
        unit = next(units)
        for confirmed in (True, False, True):
            extra = {"count": 3} if kind == RuleKind.PER_OCCURRENCE else {"count": None, "amount": D("0.15")}
            DeductionFactory(
                unit=mark.unit if confirmed else unit,
                indicator=mark.indicator,
                confirmed_at=datetime.datetime(2019, 7, 1, tzinfo=datetime.UTC) if confirmed else None,
                confirmed_by=None,
                **extra,
            )


def test_the_texts_scoring_reads_are_the_cells_every_page_shows(every_state):
    schemes = list(year_schemes(2019))
    shown = {}
    for (unit_id, indicator_id), cell in cells.cells_for(schemes).items():
        shown.setdefault(unit_id, {})[indicator_id] = cell.value
    read = cells.texts_for(schemes)
    assert read == shown
    assert {t for texts in read.values() for t in texts.values()} >= set(STATES)


def test_every_units_totals_are_the_sums_of_its_lines(every_state):
    categories = live_scores(year_schemes(2019))
    statuses = set()
    for category in categories:
        for score in category.units:
            assert score.totals is not None and score._lines is None  # no line made before it is read
            lines = score.lines
            assert score.deduction == sum((line.deduction for line in lines), D(0))
            assert score.year_end_deduction == sum((line.year_end_deduction for line in lines), D(0))
            assert score.lines is lines  # made once
            statuses |= {line.status for line in lines}
    assert statuses == {"ok", "pending", "exempt", "deducted", "missing"}
    # a frozen (finalized) score sums its own lines again: nothing of the live totals is carried over
    for category in categories:
        for score in category.finalized().units:
            assert score.totals is None
            assert score.score == score.full_points - sum((line.deduction for line in score.lines), D(0))


def test_the_derived_shortfalls_count_in_the_totals(every_state):
    schemes = list(year_schemes(2019))
    as_of = datetime.date(2020, 1, 1)
    assert any(derived_shortfalls(schemes, as_of).values())
    for category in live_scores(schemes, as_of=as_of):
        for score in category.units:
            assert score.year_end_deduction == sum((line.year_end_deduction for line in score.lines), D(0))
