"""The quarterly table's count above each table (未达要求的单位) asked of the database equals every unit's rows.

The page does not read every unit's counts: `QuarterSection.kind_counts` groups the units by their stored
quarterly counts in the database (cases.quarterly._CountedKinds), the units with an exempting cell or an offline
record read one by one, and the 未达要求 filter matches the units' counts against the kinds that fall short. After
random changes — cases accepted, sent back or moved to another quarter, offline records over one or several
quarters, exempting words set and cleared, a year made stale by a bulk writer — the kinds, the flagged count and
the flagged units equal the ones made from every unit's entry and row, as the workbook makes them, and so do the
entries of the pages.
"""

import datetime
import random
from collections import Counter

import pytest

from assessment.models import Mark, MarkState, Unit
from cases import stored_counts
from cases.models import Case, CaseStatus
from cases.quarterly import build_quarterly

from .factories import CaseCountRecordFactory, CaseFactory, multiply_units

pytestmark = pytest.mark.django_db

DAYS = [datetime.date(2019, 5, 1), datetime.date(2019, 11, 26), datetime.date(2020, 1, 1)]


def _agree(today):
    # a page's entries (its units read with their stored counts, the special units apart) are every unit's
    for section, whole in zip(build_quarterly(2019, today), build_quarterly(2019, today), strict=True):
        pages = [section.page_units(start, start + 37) for start in range(0, section.unit_count, 37)]
        assert [entry for units in pages for entry in section.page_entries(units)] == whole.entries
    for section in build_quarterly(2019, today):
        every = section.entries
        assert section.kind_counts() == Counter(entry.kind for entry in every)
        assert section.flagged_count == sum(1 for row in section.rows if row.flagged)
        assert [row.unit.name for row in section.rows] == [unit.name for unit in section.units]
        # the 未达要求 filter: the units whose kind falls short, matched by the database, in the table's order
        assert [unit.pk for unit in section.flagged_units()] == [e.unit.pk for e in every if section.is_flagged(e)]


def _change(rng, units, marks):
    what = rng.random()
    unit = rng.choice(units)
    if what < 0.45:
        status = rng.choice([CaseStatus.ACCEPTED, CaseStatus.ACCEPTED, CaseStatus.SUBMITTED])
        CaseFactory(year=2019, quarter=rng.randint(1, 4), source_unit=unit, status=status)
    elif what < 0.6:
        case = Case.objects.filter(year=2019, status=CaseStatus.ACCEPTED).order_by("?").first()
        if case is not None:
            case.quarter = rng.randint(1, 4)
            case.save()
    elif what < 0.7:
        first = rng.randint(1, 4)
        CaseCountRecordFactory(
            unit=unit, year=2019, first_quarter=first, last_quarter=rng.randint(first, 4), count=rng.randint(1, 3)
        )
    elif what < 0.9 and marks:
        mark = rng.choice(marks)
        words = [MarkState.NOT_ASSESSED, MarkState.EXPLAINED, MarkState.PENDING, MarkState.DONE]
        Mark.objects.filter(pk=mark.pk).update(state=rng.choice(words), count=None)
    else:
        # a bulk writer: accepted without a signal, the year made stale (the next read counts it again)
        made = CaseFactory(year=2019, quarter=rng.randint(1, 4), source_unit=unit, status=CaseStatus.SUBMITTED)
        Case.objects.filter(pk=made.pk).update(status=CaseStatus.ACCEPTED)
        stored_counts.invalidate([2019])


@pytest.mark.parametrize("seed", range(3))
def test_the_counted_kinds_equal_every_units_rows(seed):
    rng = random.Random(seed)
    multiply_units(2)
    units = list(Unit.objects.filter(schemes__year=2019).distinct())
    marks = list(Mark.objects.filter(indicator__scheme__year=2019, indicator__accepts_count=True))
    _agree(DAYS[seed])
    for step in range(45):
        _change(rng, units, marks)
        if step % 15 == 14:
            _agree(DAYS[(seed + step) % 3])
