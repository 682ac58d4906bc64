"""The entry grid's rows: a scheme's units filtered and counted without making a cell, a page made in full.

A country's grid filters and counts every enrolled unit but shows 100 (`grid_selection`); only the page's
rows are made (`page_rows`), their cells by assessment.cells' rules, so a cell shows what it shows on every
other page.
"""

import functools
import operator
import unicodedata
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from . import cells, derived, raw_sql, stored_tallies, tallies
from . import due as due_rules
from .models import DueOverride, Mark, MarkState, Scheme, SchemeUnit, Unit, UnitPending
from .tables import StateCounts, closed_texts, confirmed_deductions, row_deduction_text

# What the grid reads of an enrolled unit it shows (a page of the rows a filter keeps, the database applying
# the filter): tuples, not SchemeUnit and Unit instances (prefetched instances are tied to their scheme in
# cycles that only the collector's full passes free).
_ENROLLED = ("id", "unit_id", "unit__name", "unit__full_name", "deduction_text")


@dataclass
class GridSelection:
    """What the entry grid shows of a scheme: its filtered rows, and the counts of the shown columns.

    `rows`: the enrolled units matching the filters, every one of them, as (scheme unit id, unit id, name,
    full name, typed 扣分情况) in printed order (read by the pager a page at a time: `_EnrolledRows`);
    `counts`: one StateCounts per shown column over those rows (the summary row); `unit_count`: the scheme's
    units. `page_rows` makes the PageRows of a page of them, from what the selection read: `derived`, the shown
    derived columns asked of the database (assessment.derived_columns), and `overrides`, the office's changed
    dates of the shown columns (`due.overrides_for`) when a due filter read them.
    """

    scheme: Scheme
    indicators: list  # the shown columns
    rows: list
    counts: list
    unit_count: int
    derived: object = None
    overrides: dict | None = None


def grid_selection(scheme, *, indicator_id=None, pending_only=False, query="", due=""):
    """The rows and column counts that `build_tables([scheme])[0].filtered(...)` gives, without making a cell.

    A country's grid filters and counts every unit but shows 100: the filters are conditions on the enrolled
    rows that the database applies (`rows`: their SQL, which the pager counts and reads a page of), so no unit's
    row is read but the page's. A name is matched by the database when that matches what casefold() does
    (`name_condition`), else on the enrolled names; 未完成 over every column keeps the units with a * left
    (stored, assessment.stored_tallies), the due filters and 未完成 of one column the units with a cell showing *
    (of that due status: assessment.due) (`_pending_conditions`); the summary row is grouped by the database over
    the rows kept, asked inside its queries (no list of units). Only the page's rows have cells (`page_rows`).
    `scheme` from `schemes_with_parts(..., units=False)` (its units are read here, as tuples).
    """
    indicators = [i for i in scheme.indicators.all() if indicator_id is None or i.id == indicator_id]
    enrolled = SchemeUnit.objects.filter(scheme=scheme).order_by("order", "pk")
    if not (pending_only or query or due):
        return _whole_selection(scheme, indicators, enrolled.values_list(*_ENROLLED))
    keep, unit_count, unit_ids = Q(), None, None
    query = query.strip().casefold()
    if query:
        keep = name_condition(query)
        if keep is None:
            names = list(enrolled.values_list("unit_id", "unit__name", "unit__full_name"))
            matched = [u for u, name, full in names if query in name.casefold() or query in full.casefold()]
            unit_count = len(names)
            if not matched:
                return _nothing_kept(scheme, indicators, unit_count)
            unit_ids = matched if len(matched) < unit_count else None
            keep = Q() if unit_ids is None else Q(unit_id__in=unit_ids)
    # The derived column (奖惩案例) asked of the database once, for the filter, the counts and the page alike (of
    # the units whose name matches, when listed).
    read = tallies.derived_columns([scheme], indicators, unit_ids)
    every_column = pending_only and not due and indicator_id is None
    # 未完成 over every column reads the stored tallies (asked once whether they are current), a due filter the
    # changed dates (read once, for the filter and the page)
    current = stored_tallies.ensure_current([scheme.pk]) if every_column else None
    overrides = due_rules.overrides_for([i.pk for i in indicators]) if due else None
    if every_column and current and unit_ids is None and not query:
        return _every_column_selection(scheme, indicators, read, enrolled)
    if pending_only or due:
        pending = _pending_conditions(
            scheme, indicators, read, every_column=every_column, due=due, overrides=overrides, current=current
        )
        if not pending:  # no cell shows *: no row is kept, nothing to count
            return _nothing_kept(scheme, indicators, enrolled.count() if unit_count is None else unit_count)
        keep &= functools.reduce(operator.or_, pending)  # a row is kept when one of them holds
    # the rows kept (their SQL made once, for the pager, its count and the counts below) and every enrolled row
    # counted in one query
    rows = _EnrolledRows(enrolled.filter(keep).values_list(*_ENROLLED))
    units = rows.count_with_enrolled(scheme)
    unit_count = units if unit_count is None else unit_count
    # The summary row: the kept rows' cells grouped by the database, the kept rows asked inside its queries.
    # 未完成 over every column keeps most rows of a province: the whole columns (stored) less the rows left out,
    # those for which none of the conditions holds (each excluded: PostgreSQL then plans an anti-join).
    if every_column and not query:
        left_out = functools.reduce(lambda rows, c: rows.exclude(c), pending, enrolled.order_by())
        counts = _whole_less(scheme, indicators, read, left_out.values("unit_id"), current=current)
    else:
        counts = _column_counts(scheme, indicators, rows.unit_ids, read)
    return GridSelection(
        scheme=scheme,
        indicators=indicators,
        rows=rows,
        counts=counts,
        unit_count=unit_count,
        derived=read,
        overrides=overrides,
    )


# A query of these characters only (汉字 and other letters without case, digits, punctuation, spaces) is matched
# by the database as typed: no character casefold() changes is among them, nor among what it changes one into
# (tests/test_grid_selection.py checks every code point), so `query in name.casefold()` is `query in name`.
CASELESS_CATEGORIES = {"Lo", "Nd", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Zs", "Sm", "Sc"}


def name_condition(query):
    """The enrolled rows whose unit's name or full name contains `query` (casefolded) as a Q the database
    applies, or None when the query holds a character with case (then the names are casefolded here)."""
    if not all(unicodedata.category(ch) in CASELESS_CATEGORIES for ch in query):
        return None
    return Q(unit__name__contains=query) | Q(unit__full_name__contains=query)


def _pending_conditions(scheme, indicators, read, *, every_column, due, overrides, current):
    """The enrolled rows with a cell showing * among `indicators` (of the due status `due` when given): a list of
    Qs, one of which holds for each such row.

    Every column: the units with a typed * left, stored (assessment.stored_tallies, when current). Else the typed
    columns' marks showing *: with `due`, of the columns whose rule gives that status, less the cells whose
    date the office changed (`overrides`, DueOverride of the columns: a few), which are asked their own status.
    A derived column's cells showing * are listed by `read` (one query a column; with `due`, of a column whose rule
    or a changed date of which gives that status). Empty when no cell can be kept.
    `current`: with `every_column`, whether the stored tallies are current (stored_tallies.ensure_current).
    """
    typed = [i for i in indicators if not derived.is_derived(i)]
    found = []
    units = set()
    pending = Mark.objects.filter(tallies.PENDING_MARKS, unit_id=OuterRef("unit_id"))
    if every_column and typed and current:
        found.append(Exists(UnitPending.objects.filter(scheme_unit=OuterRef("pk"), cells__gt=0)))
    elif typed and not due:
        found.append(Exists(pending.filter(indicator_id__in=[i.pk for i in typed])))
    cells_due = None
    if due:
        as_of = due_rules.today()

        def cells_due(unit_id, indicator):
            override = overrides.get((unit_id, indicator.pk))
            return due_rules.cell_due(MarkState.PENDING, indicator, scheme.year, as_of, override).status == due

        columns = [i.pk for i in typed if cells_due(None, i)]
        if columns:
            changed = DueOverride.objects.filter(unit_id=OuterRef("unit_id"), indicator_id=OuterRef("indicator_id"))
            found.append(Exists(pending.filter(indicator_id__in=columns).exclude(Exists(changed))))
        of_typed = {i.pk: i for i in typed}
        asked = [(u, pk) for u, pk in overrides if pk in of_typed and cells_due(u, of_typed[pk])]
        if asked:
            marks = Mark.objects.filter(tallies.PENDING_MARKS, indicator_id__in={pk for _, pk in asked})
            marks = marks.filter(unit_id__in={u for u, _ in asked}).values_list("unit_id", "indicator_id")
            asked = set(asked)
            units |= {u for u, pk in marks if (u, pk) in asked}
    derived_columns = [i for i in indicators if derived.is_derived(i)]
    if due:  # a derived column's * are asked only where its rule, or a date the office changed, gives `due`
        derived_columns = [
            i
            for i in derived_columns
            if cells_due(None, i) or any(pk == i.pk and cells_due(u, i) for u, pk in overrides)
        ]
    for indicator, unit_id in read.pending(None, derived_columns) if derived_columns else ():
        if cells_due is None or cells_due(unit_id, indicator):
            units.add(unit_id)
    if units:
        found.append(Q(unit_id__in=sorted(units)))
    return [Q(c) for c in found]


def _every_column_selection(scheme, indicators, read, enrolled):
    """未完成 over every column, the stored tallies current, no name asked: the rows kept are the units with a typed *
    left (UnitPending) or a derived cell showing * (listed by `read`), as `_pending_conditions` gives them, written
    in SQL here (the ORM's making of those conditions, and of a list of thousands of units, was most of the page's
    time; tests/test_grid_selection.py compares the two). The summary row is the whole columns (stored) less the
    rows left out; a derived column's words of both in one query (`DerivedColumns.words_and_part`)."""
    enrolled_table, unit_table = raw_sql.quoted_table(SchemeUnit), raw_sql.quoted_table(Unit)
    scheme_id, unit_id, pk, text = (
        f"{enrolled_table}.{c}" for c in raw_sql.columns(SchemeUnit, "scheme", "unit", "id", "deduction_text")
    )
    name, full_name = (f"{unit_table}.{c}" for c in raw_sql.columns(Unit, "name", "full_name"))
    derived_columns = [i for i in indicators if derived.is_derived(i)]
    units = sorted({u for _, u in read.pending(None, derived_columns)}) if derived_columns else []
    typed = len(derived_columns) < len(indicators)
    if not (typed or units):
        return _nothing_kept(scheme, indicators, enrolled.count())
    kept = _kept_condition(enrolled_table, typed, units)
    rows = _EnrolledRows.of_sql(
        f"SELECT {pk}, {unit_id}, {name}, {full_name}, {text} FROM {enrolled_table}"
        f" INNER JOIN {unit_table} ON {unit_id} = {unit_table}.{raw_sql.columns(Unit, 'id')[0]}"
        f" WHERE {scheme_id} = %s AND ({kept})",
        [scheme.pk, *units],
    )
    left_out = raw_sql.Subquery(
        f"SELECT {unit_id} FROM {enrolled_table} WHERE {scheme_id} = %s AND NOT ({kept})", (scheme.pk, *units)
    )
    if read:
        read.words_and_part(left_out, f"NOT ({_kept_condition('su', typed, units)})", units)
    return GridSelection(
        scheme=scheme,
        indicators=indicators,
        rows=rows,
        counts=_whole_less(scheme, indicators, read, left_out, current=True),
        unit_count=rows.count_with_enrolled(scheme),
        derived=read,
    )


def _nothing_kept(scheme, indicators, unit_count):
    """The selection of a filter that keeps no row: every column's counts zero."""
    return GridSelection(
        scheme=scheme, indicators=indicators, rows=[], counts=[StateCounts() for _ in indicators], unit_count=unit_count
    )


def _whole_less(scheme, indicators, read, left_out, *, current):
    """The summary row of a filter that keeps most rows: the whole columns (stored, when `current`) less the rows
    `left_out` (their unit ids, a queryset or a raw_sql.Subquery), counted by the database."""
    counts = _column_counts(scheme, indicators, None, read, current=current)
    for column, less in zip(counts, _column_counts(scheme, indicators, left_out, read), strict=True):
        for key, n in vars(less).items():
            setattr(column, key, getattr(column, key) - n)
    return counts


def _kept_condition(enrolled, typed, units):
    """SQL: the enrolled row (`enrolled`: how the query names the enrolled table) has a typed * left (with `typed`:
    UnitPending) or is among `units` (listed: its parameters are `units`)."""
    pk, unit_id = raw_sql.columns(SchemeUnit, "id", "unit")
    of_unit, cells_left = raw_sql.columns(UnitPending, "scheme_unit", "cells")
    conditions = []
    if typed:
        conditions.append(
            f"EXISTS (SELECT 1 FROM {raw_sql.quoted_table(UnitPending)} p"
            f" WHERE p.{of_unit} = {enrolled}.{pk} AND p.{cells_left} > 0)"
        )
    if units:
        conditions.append(f"{enrolled}.{unit_id} IN ({raw_sql.placeholders(units)})")
    return " OR ".join(conditions)


def _column_counts(scheme, indicators, unit_ids=None, derived_read=None, *, current=None):
    """One StateCounts per column over the cells of `unit_ids` (a list, or a queryset of unit ids; all the
    scheme's units when None), counted by the database (assessment.tallies), not from every cell. `current`: as
    tallies_for's."""
    words = tallies.tallies_for(
        [scheme], indicators, pending_units=False, unit_ids=unit_ids, derived_read=derived_read, current=current
    ).words
    counts = []
    for indicator in indicators:
        column = StateCounts()
        for state, number, n in words.get(indicator.pk, ()):
            column.add(state, number, n)
        counts.append(column)
    return counts


class _EnrolledRows:
    """Enrolled units' rows (`_ENROLLED` tuples of a values_list queryset) as the pager reads them, in printed order:
    the queryset made SQL once, then counted once and read a page at a time in raw SQL (`unit_ids`: the same rows
    as a subquery of unit ids, for the counts)."""

    def __init__(self, queryset=None):
        if queryset is not None:
            self._set(*queryset.order_by().query.sql_with_params())

    @classmethod
    def of_sql(cls, sql, params):
        """The rows of a raw SELECT of the `_ENROLLED` columns over the enrolled table (named as the ORM names it)."""
        rows = cls()
        rows._set(sql, params)
        return rows

    def _set(self, sql, params):
        self._sql, self._params = sql, params
        table = raw_sql.quoted_table(SchemeUnit)
        order, pk = raw_sql.columns(SchemeUnit, "order", "id")
        self._order = f" ORDER BY {table}.{order}, {table}.{pk}"  # the grid's printed order: order, pk
        self.unit_ids = raw_sql.Subquery(f"SELECT kept.unit_id FROM ({self._sql}) kept", tuple(self._params))
        self._count = None

    def count_with_enrolled(self, scheme):
        """Count the rows, and return how many units `scheme` has, in one query."""
        enrolled, scheme_column = raw_sql.quoted_table(SchemeUnit), raw_sql.columns(SchemeUnit, "scheme")[0]
        ((self._count, units),) = raw_sql.fetch(
            f"SELECT (SELECT COUNT(*) FROM ({self._sql}) kept), COUNT(*) FROM {enrolled} WHERE {scheme_column} = %s",
            [*self._params, scheme.pk],
        )
        return units

    def count(self):
        if self._count is None:
            ((self._count,),) = raw_sql.fetch(f"SELECT COUNT(*) FROM ({self._sql}) kept", self._params)
        return self._count

    __len__ = count

    def __getitem__(self, page):
        """The rows of a slice without a step (the pager's page), in one query."""
        start, stop, _ = page.indices(self.count())
        if stop <= start:
            return []
        return raw_sql.fetch(f"{self._sql}{self._order} LIMIT %s OFFSET %s", [*self._params, stop - start, start])

    def __iter__(self):
        return iter(raw_sql.fetch(f"{self._sql}{self._order}", self._params))


def _whole_selection(scheme, indicators, enrolled):
    """The unfiltered grid: every enrolled unit, read a page at a time (`rows`, which the pager slices),
    and the summary row counted by the database (assessment.tallies), not from every cell's word."""
    rows = _EnrolledRows(enrolled)
    read = tallies.derived_columns([scheme], indicators)
    return GridSelection(
        scheme=scheme,
        indicators=indicators,
        rows=rows,
        counts=_column_counts(scheme, indicators, None, read),
        unit_count=len(rows),
        derived=read,
    )


@dataclass
class PageRow:
    """A row of the grid's page: its unit, one ShownCell (assessment.cells) or None per shown column, its 扣分情况."""

    unit_id: int
    name: str
    cells: list
    deduction_text: str


def page_rows(selection, rows, *, year_state=None):
    """The PageRows of some of a selection's rows (a page): their cells and due marks (`cells.shown_rows`, what
    their Cells show) and 扣分情况 (tables.row_deduction_text), as the whole table's Rows (tables.build_tables).

    The derived numbers of the page's units and the changed dates are asked with what the selection read.
    `year_state`: the year's state (assessment.years) when the caller has it: a year with no year-end version
    has no closed texts to read.
    """
    scheme, indicators = selection.scheme, selection.indicators
    unit_ids = [row[1] for row in rows]
    if not unit_ids:
        return []
    overrides = selection.overrides
    if overrides is None:
        overrides = due_rules.overrides_for([i.pk for i in indicators])
    counts = selection.derived.numbers(unit_ids) if selection.derived else {}
    shown = cells.shown_rows(scheme, indicators, unit_ids, counts=counts, overrides=overrides)
    deductions = confirmed_deductions([scheme], unit_ids)
    closed = closed_texts([scheme]) if year_state is None or year_state.assessment is not None else {}
    page = []
    for _, unit_id, name, _, typed in rows:
        row_cells = shown[unit_id]
        recorded = deductions.get((unit_id, scheme.pk), [])
        # the cells' texts decide which records are listed (none listed, none read)
        texts = {i.pk: c.value for i, c in zip(indicators, row_cells, strict=True) if c} if recorded else {}
        text = row_deduction_text(typed, recorded, texts, closed.get((scheme.pk, unit_id)))
        page.append(PageRow(unit_id=unit_id, name=name, cells=row_cells, deduction_text=text))
    return page
