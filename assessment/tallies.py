"""What the cells of whole columns add up to, counted by the database, not cell by cell.

A province's year page and grid show counts over every enrolled unit (√, *, 非考核项… per column, the units
with a * left) but never every cell. A typed column's cells are its stored marks, so the database groups
them in one pass (GROUP BY indicator, word, number); only a derived column (奖惩案例, assessment.derived) is
walked unit by unit, since its number comes from the case records — one column of a table, not all of them.
What a cell shows is still assessment.cells' rule (`word_and_text`, `models.cell_text`): this module only
counts what those give, so the counts equal the ones made from every Cell (tests/test_tallies.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef

from . import cells, derived
from .models import Mark, MarkState, SchemeUnit, cell_text


@dataclass
class Tallies:
    """`words`: {indicator id: [(word, shown number or None, how many cells)]}; `pending_units`:
    {scheme id: set of unit ids with a cell showing *}."""

    words: dict = field(default_factory=lambda: defaultdict(list))
    pending_units: dict = field(default_factory=lambda: defaultdict(set))


def _enrolled_marks(indicator_ids):
    """The marks of these indicators whose unit is enrolled in the indicator's scheme (the cells that exist)."""
    enrolled = SchemeUnit.objects.filter(scheme_id=OuterRef("indicator__scheme_id"), unit_id=OuterRef("unit_id"))
    return Mark.objects.filter(indicator_id__in=indicator_ids).filter(Exists(enrolled)).order_by()


def tallies_for(schemes, indicators=None, *, pending_units=True):
    """The Tallies of `schemes` (indicators prefetched), of all their indicators or of `indicators` only.

    One query for the typed columns' words whatever the number of units, one for their units with a *
    (unless `pending_units` is False: then it holds the derived columns' only); a derived column reads its
    schemes' enrolment, its marks and its derivation's numbers (assessment.cells.derived_counts) once.
    """
    schemes = list(schemes)
    if indicators is None:
        indicators = [i for s in schemes for i in s.indicators.all()]
    scheme_of = {s.pk: s for s in schemes}
    for indicator in indicators:
        indicator.scheme = scheme_of[indicator.scheme_id]  # derived_counts reads its year
    result = Tallies()
    typed = [i.pk for i in indicators if not derived.is_derived(i)]
    if typed:
        marks = _enrolled_marks(typed)
        for indicator_id, state, count, n in marks.values_list("indicator_id", "state", "count").annotate(
            n=Count("pk")
        ):
            result.words[indicator_id].append((state, cells.shown_count(cell_text(state, count)), n))
    if typed and pending_units:
        pending = marks.filter(state=MarkState.PENDING, count__isnull=True)
        for scheme_id, unit_id in pending.values_list("indicator__scheme_id", "unit_id").distinct():
            result.pending_units[scheme_id].add(unit_id)
    derived_columns = [i for i in indicators if derived.is_derived(i)]
    if derived_columns:
        _tally_derived(result, derived_columns)
    return result


def _tally_derived(result, indicators):
    """Add the derived columns' cells, unit by unit as assessment.cells makes them (`word_and_text`)."""
    scheme_ids = {i.scheme_id for i in indicators}
    enrolled = defaultdict(list)
    for scheme_id, unit_id in SchemeUnit.objects.filter(scheme_id__in=scheme_ids).values_list("scheme_id", "unit_id"):
        enrolled[scheme_id].append(unit_id)
    rows = {
        (row[1], row[2]): row
        for row in Mark.objects.filter(indicator__in=indicators).order_by().values_list(*cells.StoredMark._fields)
    }
    counts = cells.derived_counts(indicators)
    for indicator in indicators:
        tally = defaultdict(int)
        for unit_id in enrolled[indicator.scheme_id]:
            key = (unit_id, indicator.pk)
            row, count = rows.get(key), counts.get(key)
            if row is None and not count:
                continue  # no cell (as cells._Reading.parts)
            state, value = cells.word_and_text(row, count, True)
            tally[state, cells.shown_count(value)] += 1
            if value == MarkState.PENDING:
                result.pending_units[indicator.scheme_id].add(unit_id)
        result.words[indicator.pk].extend((state, number, n) for (state, number), n in tally.items())
