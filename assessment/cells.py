"""The one truth of a cell: what every unit × indicator cell shows, stored or derived.

A progress-table cell is either a stored `Mark` (√, *, 非考核项, 已说明…) or derived from other records
(the 奖惩案例 column counts accepted cases and offline records; see assessment.derived). `cells_for`
builds the cells of some schemes in a fixed number of queries (the marks, plus one per derivation and
year). The grid, the progress tables and their snapshot, every Excel export, the API, the unit page,
the overview, the reminders and the scoring all read cells from here; nothing else derives a cell's text.

What a derived cell shows (`Cell.value`): its stored word when that word exempts the unit (非考核项,
已说明 — the unit owes nothing, so the number is not the point), else the number when there is one, else
its stored word (* until the first case is counted).

Every cell also carries its due date and status as of a day (`Cell.due`, assessment.due): `cells_for` and
`cells_of_marks` take `as_of` (default today) and read the office's changed dates in one query.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from . import derived
from . import due as due_rules
from .models import EXEMPT_STATES, Mark, MarkState, Scheme


class StoredMark(NamedTuple):
    """The columns of a stored Mark that a cell reads (`cells_for`'s marks).

    A province's tables hold tens of thousands of cells: a model instance per mark costs ten times this
    tuple, and nothing reads more of those marks than these columns (a save loads the Mark itself).
    """

    id: int
    unit_id: int
    indicator_id: int
    state: str
    count: int | None
    version: int

    @property
    def pk(self):
        return self.id


@dataclass(slots=True)
class Cell:
    """One unit × indicator cell as every page shows it. `mark` is the stored row (pk, version, history).

    Built here and only read afterwards. Not frozen, so that its due can be set in place: a province has
    tens of thousands of cells, and making each twice (the second with its due) was a third of a grid's time.
    """

    mark: Mark | None
    unit_id: int
    indicator_id: int
    state: str  # the word of the cell ("" when a typed column holds a number)
    count: int | None  # the number shown, if any
    derived: bool = False
    due: due_rules.Due | None = None  # its due date and status as of the day the cells were built

    @property
    def status(self):
        """done / explained / not_assessed / not_due / due_soon / overdue (assessment.due.DueStatus)."""
        return self.due.status if self.due else ""

    @property
    def due_date(self):
        return self.due.date if self.due else None

    @property
    def value(self):
        """The text of the cell, exactly as printed: √, *, 非考核项, 已说明情况, 无, 4…"""
        return _shown(self.state, self.count, self.derived)

    # Templates and serializers that knew marks read the same names.
    display = value

    @property
    def pk(self):
        return self.mark.pk if self.mark else None

    id = pk

    @property
    def version(self):
        return self.mark.version if self.mark else None

    @property
    def shown_count(self):
        """The number the cell shows, or None."""
        value = self.value
        return int(value) if value.isdigit() else None

    @property
    def is_pending(self):
        return self.value == MarkState.PENDING

    @property
    def is_exempt(self):
        return self.state in EXEMPT_STATES

    @property
    def writable(self):
        """Whether a value may be typed into the cell (a derived number never is: see Indicator.check_value)."""
        return self.mark is not None and not self.derived


def _shown(state, count, is_derived):
    """A cell's text from its word and number (Cell.value, and `texts_for` without making cells)."""
    if is_derived:
        if state in EXEMPT_STATES or not count:
            return state
        return str(count)
    return str(count) if count is not None else state


def _derived_state(mark_state):
    # A mark may still hold a number typed in before the column was derived: it shows as not done.
    return mark_state or MarkState.PENDING


def _derived_cell(mark, unit_id, indicator_id, count):
    state = _derived_state(mark.state if mark is not None else "")
    return Cell(mark=mark, unit_id=unit_id, indicator_id=indicator_id, state=state, count=count or 0, derived=True)


def stored_cell(mark):
    return Cell(mark=mark, unit_id=mark.unit_id, indicator_id=mark.indicator_id, state=mark.state, count=mark.count)


def _with_due(cells, indicators, as_of, unit_ids=None):
    """The cells with their Due as of `as_of` (one query for the office's changed dates)."""
    as_of = as_of or due_rules.today()
    indicators = {i.pk: i for i in indicators}
    if not cells or not indicators:
        return cells
    overrides = due_rules.overrides_for(indicators, unit_ids)
    # A Due is immutable and, without the office's changed date, depends only on the column and the text:
    # cells that share both share one (a province has 15,000 cells of a few dozen kinds).
    shared = {}
    for cell in cells.values():
        indicator, value = indicators[cell.indicator_id], cell.value
        override = overrides.get((cell.unit_id, cell.indicator_id))
        if override is not None:
            cell_due = due_rules.cell_due(value, indicator, indicator.scheme.year, as_of, override)
        else:
            cell_due = shared.get((cell.indicator_id, value))
            if cell_due is None:
                cell_due = shared[cell.indicator_id, value] = due_rules.cell_due(
                    value, indicator, indicator.scheme.year, as_of
                )
        cell.due = cell_due
    return cells


def derived_counts(indicators, unit_ids=None):
    """{(unit id, indicator id): number} for the derived ones among `indicators` (one query per derivation, year)."""
    groups = defaultdict(list)
    for indicator in indicators:
        derivation = derived.derivation_for(indicator)
        if derivation is not None:
            groups[(derivation, indicator.scheme.year)].append(indicator)
    counts = {}
    for (derivation, year), group in groups.items():
        counts.update(derivation.counts(year, group, unit_ids))
    return counts


def cells_of_marks(marks, indicators, as_of=None):
    """Cells for the given marks (a page of the API, one unit's row), indicators of those marks given.

    `indicators`: {indicator id: Indicator with scheme loaded}. Derived numbers for the marks' units only;
    due dates and statuses as of `as_of` (default today).
    """
    marks = list(marks)
    derived_indicators = [i for i in indicators.values() if derived.is_derived(i)]
    unit_ids = {m.unit_id for m in marks}
    counts = derived_counts(derived_indicators, unit_ids) if derived_indicators else {}
    derived_ids = {i.pk for i in derived_indicators}
    result = {
        m.pk: _derived_cell(m, m.unit_id, m.indicator_id, counts.get((m.unit_id, m.indicator_id)))
        if m.indicator_id in derived_ids
        else stored_cell(m)
        for m in marks
    }
    wanted = [indicators[i] for i in {m.indicator_id for m in marks}]
    return _with_due(result, wanted, as_of, unit_ids)


def _cell_parts(schemes, unit_ids, columns):
    """(key, stored row or None, derived number or None, is derived) of every cell of `schemes` that exists.

    The one walk over enrolled units × indicators that `cells_for` and `texts_for` share. `columns`: the
    Mark columns to read (unit_id and indicator_id among them); the stored rows are tuples of those.
    """
    marks = Mark.objects.filter(indicator__scheme__in=schemes)
    if unit_ids is not None:
        marks = marks.filter(unit_id__in=unit_ids)
    unit_at, indicator_at = columns.index("unit_id"), columns.index("indicator_id")
    by_cell = {(row[unit_at], row[indicator_at]): row for row in marks.order_by().values_list(*columns)}
    indicators = [i for s in schemes for i in s.indicators.all()]
    for indicator in indicators:
        # The scheme is at hand: spare derived_counts a query per indicator for its year.
        indicator.scheme = next(s for s in schemes if s.pk == indicator.scheme_id)
    counts = derived_counts(indicators, unit_ids)
    for scheme in schemes:
        enrolled = [su.unit_id for su in scheme.scheme_units.all() if unit_ids is None or su.unit_id in unit_ids]
        for indicator in scheme.indicators.all():
            indicator_id, is_derived = indicator.pk, derived.is_derived(indicator)
            for unit_id in enrolled:  # once per cell of a province: nothing in here that can be hoisted
                key = (unit_id, indicator_id)
                row = by_cell.get(key)
                if is_derived:
                    count = counts.get(key)
                    if row is not None or count:
                        yield key, row, count, True
                elif row is not None:
                    yield key, row, None, False


def cells_for(schemes, unit_ids=None, as_of=None):
    """{(unit id, indicator id): Cell} of every enrolled unit × indicator of `schemes`.

    `schemes` with `indicators` and `scheme_units` prefetched (tables.schemes_with_parts or
    scoring.scoring_schemes). A cell whose mark is missing is absent, unless it is derived. Each cell
    carries its due date and status as of `as_of` (default today); its `mark` is a StoredMark.
    """
    schemes = list(schemes)
    unit_ids = set(unit_ids) if unit_ids is not None else None
    cells = {}
    for key, row, count, is_derived in _cell_parts(schemes, unit_ids, StoredMark._fields):
        mark = StoredMark._make(row) if row is not None else None
        cells[key] = _derived_cell(mark, key[0], key[1], count) if is_derived else stored_cell(mark)
    indicators = [i for s in schemes for i in s.indicators.all()]
    return _with_due(cells, indicators, as_of, unit_ids)


def texts_for(schemes):
    """{unit id: {indicator id: shown text}} of `schemes`, as `texts(cells_for(schemes))` without the cells.

    What scoring reads: a province scores its 18,000 cells on each request of the scores page, and a
    Cell and a StoredMark for each was most of the time (and of the garbage collector's).
    """
    by_unit = defaultdict(dict)
    for (unit_id, indicator_id), row, count, is_derived in _cell_parts(
        list(schemes), None, ("unit_id", "indicator_id", "state", "count")
    ):
        if is_derived:
            text = _shown(_derived_state(row[2] if row is not None else ""), count or 0, True)
        else:
            text = _shown(row[2], row[3], False)
        by_unit[unit_id][indicator_id] = text
    return by_unit


def year_cells(year, as_of=None):
    """(schemes, cells) of every category of `year`: 4 queries, plus one per derivation."""
    schemes = list(
        Scheme.objects.filter(year=year)
        .select_related("category")
        .prefetch_related("indicators", "scheme_units")
        .order_by("category__order", "pk")
    )
    return schemes, cells_for(schemes, as_of=as_of)


def pending_by_unit(cells):
    """{unit id: how many of its cells show *}."""
    counts = defaultdict(int)
    for (unit_id, _), cell in cells.items():
        if cell.is_pending:
            counts[unit_id] += 1
    return counts
