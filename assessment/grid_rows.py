"""The entry grid's rows: a scheme's units filtered and counted without making a cell, a page made in full.

A country's grid filters and counts every enrolled unit but shows 100 (`grid_selection`); only the page's
rows are built as a ProgressTable (`page_table`), so a cell is rendered as on every other page
(assessment.tables).
"""

from dataclasses import dataclass

from . import cells, tallies
from . import due as due_rules
from .models import MarkState, Scheme, SchemeUnit, Unit
from .tables import ProgressTable, Row, StateCounts, closed_texts, confirmed_deductions

# What the grid reads of every enrolled unit: tuples, not SchemeUnit and Unit instances (a province has
# thousands, and prefetched instances are tied to their scheme in cycles that only the collector's full
# passes free). The page's rows are made instances again (`page_table`).
_ENROLLED = ("id", "unit_id", "unit__name", "unit__full_name", "deduction_text")
_PAGE_SCHEME_UNIT = ["id", "scheme_id", "unit_id", "deduction_text"]


@dataclass
class GridSelection:
    """What the entry grid shows of a scheme: its filtered rows, and the counts of the shown columns.

    `rows`: the enrolled units matching the filters, every one of them, as (scheme unit id, unit id, name,
    full name, typed 扣分情况) in printed order (unfiltered: the queryset, which the pager reads a page of);
    `counts`: one StateCounts per shown column over those rows (the summary row); `unit_count`: the scheme's
    units. `page_table` makes the Rows of a page of them.
    """

    scheme: Scheme
    indicators: list  # the shown columns
    rows: list
    counts: list
    unit_count: int


def grid_selection(scheme, *, indicator_id=None, pending_only=False, query="", due=""):
    """The rows and column counts that `build_tables([scheme])[0].filtered(...)` gives, without making a cell.

    A country's grid filters and counts every unit but shows 100: the names are matched on the enrolled
    rows (tuples), 未完成 over every column keeps the units with a * left (`tallies.pending_units`, stored), the
    due filters and 未完成 of one column start from the cells showing * (`tallies.pending_cells`: a due status
    other than done, explained or not assessed is a *'s, assessment.due), and the summary row is counted over
    the rows kept (`tallies_for`: when most are kept, the stored whole columns less the rows left out). Only
    the page's rows have cells (`page_table`).
    `scheme` from `schemes_with_parts(..., units=False)` (its units are read here, as tuples).
    """
    indicators = [i for i in scheme.indicators.all() if indicator_id is None or i.id == indicator_id]
    enrolled = SchemeUnit.objects.filter(scheme=scheme).order_by("order", "pk").values_list(*_ENROLLED)
    if not (pending_only or query or due):
        return _whole_selection(scheme, indicators, enrolled)
    enrolled = list(enrolled)
    shown = enrolled
    query = query.strip().casefold()
    if query:
        shown = [row for row in shown if query in row[2].casefold() or query in row[3].casefold()]
    unit_ids = None if len(shown) == len(enrolled) else [row[1] for row in shown]
    # The derived column (奖惩案例) asked of the database once, for the filter and the counts alike (of the units
    # whose name matches).
    read = tallies.derived_columns([scheme], indicators, unit_ids)
    if pending_only and not due and indicator_id is None and shown:
        # 未完成 over every column: the units with a * left, stored (assessment.stored_tallies), not every cell.
        kept = tallies.pending_units([scheme], derived_read=read)[scheme.pk]
        shown = [row for row in shown if row[1] in kept]
    elif (pending_only or due) and shown:
        pending = tallies.pending_cells([scheme], indicators, unit_ids, derived_read=read)
        if due:
            # the office's changed dates of the columns (a few), not a list of every pending unit
            due_of = cells.due_finder({i.pk: i for i in indicators}, due_rules.today())
            pending = [(u, i) for u, i in pending if due_of(u, i, MarkState.PENDING).status == due]
        kept = {unit_id for unit_id, _ in pending}
        shown = [row for row in shown if row[1] in kept]
    unit_ids = None if len(shown) == len(enrolled) else [row[1] for row in shown]
    if unit_ids is not None and not query:
        counts = _kept_counts(scheme, indicators, enrolled, unit_ids, read)
    else:
        counts = _column_counts(scheme, indicators, unit_ids, read)
    return GridSelection(
        scheme=scheme,
        indicators=indicators,
        rows=shown,
        counts=counts,
        unit_count=len(enrolled),
    )


def _column_counts(scheme, indicators, unit_ids=None, derived_read=None):
    """One StateCounts per column over the cells of `unit_ids` (all the scheme's units when None), counted by
    the database (assessment.tallies), not from every cell."""
    if unit_ids is not None and not unit_ids:
        return [StateCounts() for _ in indicators]
    words = tallies.tallies_for(
        [scheme], indicators, pending_units=False, unit_ids=unit_ids, derived_read=derived_read
    ).words
    counts = []
    for indicator in indicators:
        column = StateCounts()
        for state, number, n in words.get(indicator.pk, ()):
            column.add(state, number, n)
        counts.append(column)
    return counts


def _kept_counts(scheme, indicators, enrolled, unit_ids, derived_read):
    """The column counts of the rows a 未完成 or due filter keeps (`unit_ids`, of every enrolled row), grouped over
    the fewer of the kept and the left out: when most are kept (未完成 at a province), the whole columns (stored)
    less the rows left out. The whole columns are read either way, so the queries do not depend on the data."""
    whole = _column_counts(scheme, indicators, None, derived_read)
    kept = set(unit_ids)
    if len(kept) * 2 <= len(enrolled):
        return _column_counts(scheme, indicators, unit_ids, derived_read)
    left_out = [row[1] for row in enrolled if row[1] not in kept]
    for column, less in zip(whole, _column_counts(scheme, indicators, left_out, derived_read), strict=True):
        for key, n in vars(less).items():
            setattr(column, key, getattr(column, key) - n)
    return whole


class _EnrolledRows:
    """Every enrolled unit's row (`_ENROLLED` tuples) as the pager reads them: counted once, a page read at a time."""

    def __init__(self, queryset):
        self._queryset = queryset
        self._count = None

    def count(self):
        if self._count is None:
            self._count = self._queryset.count()
        return self._count

    __len__ = count

    def __getitem__(self, index):
        return list(self._queryset[index]) if isinstance(index, slice) else self._queryset[index]

    def __iter__(self):
        return iter(self._queryset)


def _whole_selection(scheme, indicators, enrolled):
    """The unfiltered grid: every enrolled unit, read a page at a time (`rows` is the queryset the pager slices),
    and the summary row counted by the database (assessment.tallies), not from every cell's word."""
    rows = _EnrolledRows(enrolled)
    return GridSelection(
        scheme=scheme,
        indicators=indicators,
        rows=rows,
        counts=_column_counts(scheme, indicators),
        unit_count=len(rows),
    )


def page_table(selection, rows):
    """The ProgressTable of some of a selection's rows (a page): their cells, due dates and 扣分情况."""
    scheme, indicators = selection.scheme, selection.indicators
    unit_ids = [row[1] for row in rows]
    by_cell = cells.cells_for([scheme], unit_ids, enrolled={scheme.pk: unit_ids}) if unit_ids else {}
    deductions = confirmed_deductions([scheme], unit_ids) if unit_ids else {}
    closed = closed_texts([scheme]) if unit_ids else {}
    table = ProgressTable(scheme=scheme, indicators=indicators, notes=list(scheme.notes.all()))
    db = SchemeUnit.objects.db
    for su_id, unit_id, name, full_name, typed in rows:
        # As loaded by .only(): the columns read above, the rest deferred.
        unit = Unit.from_db(db, ["id", "name", "full_name"], (unit_id, name, full_name))
        su = SchemeUnit.from_db(db, _PAGE_SCHEME_UNIT, (su_id, scheme.pk, unit_id, typed))
        su.unit = unit
        table.rows.append(
            Row(
                unit=unit,
                scheme_unit=su,
                cells=[by_cell.get((unit_id, i.id)) for i in indicators],
                deductions=deductions.get((unit_id, scheme.id), []),
                closed=closed.get((scheme.pk, unit_id)),
            )
        )
    return table
