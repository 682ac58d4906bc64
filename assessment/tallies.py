"""What the cells of whole columns add up to, counted by the database, not cell by cell.

A province's year page and grid show counts over every enrolled unit (√, *, 非考核项… per column, the units
with a * left) but never every cell. A typed column's cells are its stored marks, so the database groups
them in one pass (GROUP BY indicator, word, number); a derived column (奖惩案例, assessment.derived), whose number
comes from the case records, is grouped by the database too, beside each unit's number
(assessment.derived_columns).
What a cell shows is still assessment.cells' rule (`word_and_text`, `models.cell_text`): this module only
counts what those give, so the counts equal the ones made from every Cell (tests/test_tallies.py).

Whole columns (no `unit_ids`) and the units with a * left are read from the stored tallies
(assessment.stored_tallies: a few hundred rows kept true as marks and enrolment change, counted again when
stale) instead of grouping every mark on every request; the rows a filter keeps are still grouped here.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL

from . import cells, derived, raw_sql, stored_tallies
from .derived_columns import DerivedColumns
from .models import ColumnTally, Indicator, Mark, SchemeUnit, UnitPending, cell_text
from .stored_tallies import PENDING_MARKS  # noqa: F401  (the cells showing *: the one definition)


@dataclass
class Tallies:
    """`words`: {indicator id: [(word, shown number or None, how many cells)]}; `pending_units`:
    {scheme id: set of unit ids with a cell showing *}."""

    words: dict = field(default_factory=lambda: defaultdict(list))
    pending_units: dict = field(default_factory=lambda: defaultdict(set))


def _enrolled_marks(indicator_ids, unit_ids=None):
    """The marks of these indicators whose unit is enrolled in the indicator's scheme (the cells that exist).

    `unit_ids`: of these units only (the rows a filter keeps, a page's rows; a list, a queryset of unit ids or
    its raw_sql.Subquery). `_enrolled_words` groups the same marks in raw SQL.
    """
    enrolled = SchemeUnit.objects.filter(scheme_id=OuterRef("indicator__scheme_id"), unit_id=OuterRef("unit_id"))
    marks = Mark.objects.filter(indicator_id__in=indicator_ids).filter(Exists(enrolled)).order_by()
    if unit_ids is None:
        return marks
    if isinstance(unit_ids, raw_sql.Subquery):
        return marks.filter(unit_id__in=RawSQL(unit_ids.sql, unit_ids.params))
    return marks.filter(unit_id__in=unit_ids if isinstance(unit_ids, QuerySet) else list(unit_ids))


def _enrolled_words(indicator_ids, unit_ids):
    """[(indicator id, state, count, how many)] of `_enrolled_marks(indicator_ids, unit_ids)` (units given: a list
    or a raw_sql.Subquery), grouped in one raw query: the grid's filters count the rows they keep on every request,
    and the ORM's making of this query (its EXISTS, the kept rows' conditions) was most of that time."""
    if not indicator_ids or not unit_ids:
        return []
    mark, indicator, enrolled = (raw_sql.quoted_table(m) for m in (Mark, Indicator, SchemeUnit))
    units, params = raw_sql.in_condition("m.unit_id", unit_ids)
    return raw_sql.fetch(
        f"SELECT m.indicator_id, m.state, m.count, COUNT(*) FROM {mark} m JOIN {indicator} i ON i.id = m.indicator_id"
        f" WHERE m.indicator_id IN ({raw_sql.placeholders(indicator_ids)})"
        f" AND EXISTS (SELECT 1 FROM {enrolled} su WHERE su.scheme_id = i.scheme_id AND su.unit_id = m.unit_id)"
        f" AND {units} GROUP BY m.indicator_id, m.state, m.count",
        [*indicator_ids, *params],
    )


def _columns(schemes, indicators):
    """The indicators asked for (all of the schemes' when None), each with its scheme set (a derived column reads
    its year)."""
    scheme_of = {s.pk: s for s in schemes}
    if indicators is None:
        indicators = [i for s in schemes for i in s.indicators.all()]
    for indicator in indicators:
        indicator.scheme = scheme_of[indicator.scheme_id]
    return indicators


def tallies_for(schemes, indicators=None, *, pending_units=True, unit_ids=None, derived_read=None, current=None):
    """The Tallies of `schemes` (indicators prefetched), of all their indicators or of `indicators` only.

    The typed columns' words and units with a * (unless `pending_units` is False): of whole columns from the
    stored tallies, of `unit_ids` in one GROUP BY each; a derived column in one GROUP BY of its enrolled units
    (assessment.derived_columns).
    `unit_ids`: the cells of these units only (the rows a grid's filter keeps: a list, or a queryset of unit ids
    asked inside the queries). `derived_read`: the derived
    columns' DerivedColumns when the caller shares one (`derived_columns`, of these units at least). `current`:
    whether the schemes' stored tallies are current, when the caller has just asked `stored_tallies.ensure_current`
    (else asked here).
    """
    schemes = list(schemes)
    whole_schemes = indicators is None  # the stored units with a * are those of every typed column
    indicators = _columns(schemes, indicators)
    result = Tallies()
    typed = [i.pk for i in indicators if not derived.is_derived(i)]
    stored = typed and unit_ids is None and _current(schemes, current)
    unit_ids = raw_sql.ids_of(unit_ids)  # a queryset made SQL once, for the typed and derived columns alike
    if stored:
        _read_stored(result, typed, [s.pk for s in schemes] if pending_units and whole_schemes else [])
    elif typed:
        if unit_ids is None:
            marks = _enrolled_marks(typed).values_list("indicator_id", "state", "count").annotate(n=Count("pk"))
        else:
            marks = _enrolled_words(typed, unit_ids)
        for indicator_id, state, count, n in marks:
            result.words[indicator_id].append((state, cells.shown_count(cell_text(state, count)), n))
    if typed and pending_units and not (stored and whole_schemes):
        pending = _enrolled_marks(typed, unit_ids).filter(PENDING_MARKS)
        for scheme_id, unit_id in pending.values_list("indicator__scheme_id", "unit_id").distinct():
            result.pending_units[scheme_id].add(unit_id)
    derived_columns = [i for i in indicators if derived.is_derived(i)]
    if derived_columns:
        read = _derived_of(derived_columns, unit_ids, derived_read)
        _tally_derived(result, derived_columns, read, unit_ids, pending_units)
    return result


def _current(schemes, current):
    """Whether the stored tallies of `schemes` are current: `current` when the caller knows, else asked."""
    return stored_tallies.ensure_current([s.pk for s in schemes]) if current is None else current


def _read_stored(result, typed, pending_schemes):
    """The typed columns' words and (of `pending_schemes`) their units with a *, from the stored tallies (the
    words in one raw query: read on every request of the grid and the year page)."""
    table, (indicator, value, n) = (
        raw_sql.quoted_table(ColumnTally),
        raw_sql.columns(ColumnTally, "indicator", "value", "cells"),
    )
    rows = raw_sql.fetch(
        f"SELECT {indicator}, {value}, {n} FROM {table} WHERE {indicator} IN ({raw_sql.placeholders(typed)})"
        f" AND {n} <> 0 ORDER BY {indicator}, {value}",
        typed,
    )
    for indicator_id, value, n in rows:
        result.words[indicator_id].append(("" if value.isdigit() else value, cells.shown_count(value), n))
    for scheme_id, units in stored_pending_units(pending_schemes).items():
        result.pending_units[scheme_id] |= units


def stored_pending_units(scheme_ids):
    """{scheme id: set of unit ids} with a typed cell showing *, from the stored tallies (current: `tallies_for`
    and `pending_units` ask `stored_tallies.ensure_current` first)."""
    found = {}
    if scheme_ids:
        rows = UnitPending.objects.filter(scheme_unit__scheme_id__in=scheme_ids, cells__gt=0).order_by()
        for scheme_id, unit_id in rows.values_list("scheme_unit__scheme_id", "scheme_unit__unit_id"):
            found.setdefault(scheme_id, set()).add(unit_id)
    return found


def pending_units(schemes, *, derived_read=None):
    """{scheme id: set of unit ids} with a cell showing * in any column (the grid's 未完成 filter): the typed
    columns' from the stored tallies, the derived ones' asked of the database (or of `derived_read`)."""
    schemes = list(schemes)
    indicators = _columns(schemes, None)
    found = defaultdict(set)
    ids = [s.pk for s in schemes]
    if stored_tallies.ensure_current(ids):
        for scheme_id, units in stored_pending_units(ids).items():
            found[scheme_id] |= units
    else:
        typed = [i.pk for i in indicators if not derived.is_derived(i)]
        rows = _enrolled_marks(typed).filter(PENDING_MARKS).values_list("indicator__scheme_id", "unit_id")
        for scheme_id, unit_id in rows.distinct():
            found[scheme_id].add(unit_id)
    derived_columns = [i for i in indicators if derived.is_derived(i)]
    if derived_columns:
        for indicator, unit_id in _derived_of(derived_columns, None, derived_read).pending(None, derived_columns):
            found[indicator.scheme_id].add(unit_id)
    return found


def pending_unit_counts(schemes, *, derived_read=None, current=None):
    """{scheme id: how many enrolled units have a cell showing * in any column} (the year page's 未完成单位):
    the sizes of `pending_units`' sets, counted by the database. With the stored tallies current it is one query:
    per scheme, its enrolled units with a stored typed * (UnitPending) or among its derived columns' * cells
    (`DerivedColumns.pending_sql`), so a country's 20,000 unit ids are not read to be counted. `current`: as
    tallies_for's."""
    schemes = list(schemes)
    ids = [s.pk for s in schemes]
    if not ids or not _current(schemes, current):
        found = pending_units(schemes, derived_read=derived_read)
        return {pk: len(found[pk]) for pk in ids}
    read = _derived_of([i for i in _columns(schemes, None) if derived.is_derived(i)], None, derived_read)
    enrolled, stored = raw_sql.quoted_table(SchemeUnit), raw_sql.quoted_table(UnitPending)
    parts, params = [], []
    for scheme in schemes:
        either = [f"EXISTS (SELECT 1 FROM {stored} p WHERE p.scheme_unit_id = e.id AND p.cells > 0)"]
        params += [scheme.pk, scheme.pk]
        for indicator in read.indicators:
            if indicator.scheme_id == scheme.pk:
                sql, more = read.pending_sql(indicator)
                either.append(f"e.unit_id IN ({sql})")
                params += more
        parts.append(f"SELECT %s, COUNT(*) FROM {enrolled} e WHERE e.scheme_id = %s AND ({' OR '.join(either)})")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return dict(cursor.fetchall())


def derived_columns(schemes, indicators=None, unit_ids=None):
    """The derived columns of `schemes` (of `indicators` only, of `unit_ids` only) as the database counts them
    (assessment.derived_columns.DerivedColumns). A page that tallies and filters the same columns reads them
    once and passes them on (`derived_read`)."""
    return DerivedColumns(_columns(list(schemes), indicators), unit_ids)


def _derived_of(indicators, unit_ids, derived_read):
    """DerivedColumns of these derived columns: `derived_read` when given, else a new one of `unit_ids`."""
    return DerivedColumns(indicators, unit_ids) if derived_read is None else derived_read


def _tally_derived(result, indicators, read, unit_ids, pending_units):
    """Add the derived columns' words (and, with `pending_units`, their units with a *) to `result`."""
    words = read.words(unit_ids)
    for indicator in indicators:
        result.words[indicator.pk].extend(words.get(indicator.pk, ()))
    if pending_units:
        for indicator, unit_id in read.pending(unit_ids, indicators):
            result.pending_units[indicator.scheme_id].add(unit_id)


def pending_cells(schemes, indicators=None, unit_ids=None, *, derived_read=None):
    """[(unit id, indicator id)] of the cells of `schemes` that show * (of `indicators` only, of `unit_ids` only).

    What the units index counts for its page and the grid's “未完成” and due filters start from: the typed
    columns' in one query, the derived ones (one column a table) in one each (`derived_read`'s when given).
    The same cells as those whose Cell `is_pending` (tests/test_tallies.py).
    """
    indicators = _columns(list(schemes), indicators)
    if unit_ids is not None and not unit_ids:
        return []
    typed = [i.pk for i in indicators if not derived.is_derived(i)]
    keys = []
    if typed:
        keys += _enrolled_marks(typed, unit_ids).filter(PENDING_MARKS).values_list("unit_id", "indicator_id")
    derived_columns = [i for i in indicators if derived.is_derived(i)]
    if derived_columns:
        found = _derived_of(derived_columns, unit_ids, derived_read).pending(unit_ids, derived_columns)
        keys += [(unit_id, i.pk) for i, unit_id in found]
    return keys


def pending_counts(schemes, unit_ids):
    """Counter {unit id: its cells showing *} of `unit_ids` (the units index's page): the typed cells' from the
    stored tallies (UnitPending, one row a unit), the derived columns' asked of the database; the same numbers as
    `pending_cells` counted, which is what is read while the stored tallies are stale."""
    schemes = list(schemes)
    ids = [s.pk for s in schemes]
    if not unit_ids or not ids:
        return Counter()
    if not stored_tallies.ensure_current(ids):
        return Counter(unit_id for unit_id, _ in pending_cells(schemes, unit_ids=unit_ids))
    found = Counter()
    stored = UnitPending.objects.filter(
        scheme_unit__scheme_id__in=ids, scheme_unit__unit_id__in=list(unit_ids), cells__gt=0
    ).order_by()
    for unit_id, n in stored.values_list("scheme_unit__unit_id", "cells"):
        found[unit_id] += n
    derived_columns = [i for i in _columns(schemes, None) if derived.is_derived(i)]
    if derived_columns:
        found.update(unit_id for _, unit_id in DerivedColumns(derived_columns, unit_ids).pending())
    return found


def zero_cells(schemes):
    """[(unit id, indicator id)] of the typed cells of `schemes` showing 0 (a number column with none: the
    overview counts it as not done). A derived cell never shows 0: with no case it shows its word. Only a column
    that accepts a number can hold one (Indicator.check_value), so without a typed one no mark is read."""
    typed = [i.pk for i in _columns(list(schemes), None) if i.accepts_count and not derived.is_derived(i)]
    return list(_enrolled_marks(typed).filter(count=0).values_list("unit_id", "indicator_id")) if typed else []
