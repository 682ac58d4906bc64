"""The one truth of a cell: what every unit × indicator cell shows, stored or derived.

A progress-table cell is either a stored `Mark` (√, *, 非考核项, 已说明…) or derived from other records
(the 奖惩案例 column counts accepted cases and offline records; see assessment.derived). `cells_for`
builds the cells of some schemes in a fixed number of queries (the marks, plus one per derivation and
year). The grid, the progress tables and their snapshot, every Excel export, the API, the unit page,
the overview, the reminders and the scoring all read cells from here; nothing else derives a cell's text
(a stored mark's text, and its history's, is `models.cell_text`, which `Cell.value` starts from).

What a derived cell shows (`Cell.value`): its stored word when that word exempts the unit (非考核项,
已说明 — the unit owes nothing, so the number is not the point), else the number when there is one, else
its stored word (* until the first case is counted).

Every cell also carries its due date and status as of a day (`Cell.due`, assessment.due): `cells_for` and
`cells_of_marks` take `as_of` (default today) and read the office's changed dates in one query.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from . import derived, raw_sql
from . import due as due_rules
from .models import EXEMPT_STATES, Mark, MarkState, Scheme, cell_text


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
        return shown_count(self.value)

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
    return cell_text(state, count)


def derived_text(state, count):
    """What a derived cell whose mark holds `state` shows with `count` counted: as its Cell's `value`.

    A derived column's history (assessment.marks.history) reads the stored words through it, so its lines
    say what the cell shows (6), not the word kept under the number (*).
    """
    return _shown(_derived_state(state), count or 0, True)


def shown_count(value):
    """The number a cell showing `value` shows, or None."""
    return int(value) if value.isdigit() else None


def _derived_state(mark_state):
    # A mark may still hold a number typed in before the column was derived: it shows as not done.
    return mark_state or MarkState.PENDING


def _derived_cell(mark, unit_id, indicator_id, count):
    state = _derived_state(mark.state if mark is not None else "")
    return Cell(mark=mark, unit_id=unit_id, indicator_id=indicator_id, state=state, count=count or 0, derived=True)


def stored_cell(mark):
    return Cell(mark=mark, unit_id=mark.unit_id, indicator_id=mark.indicator_id, state=mark.state, count=mark.count)


def due_finder(indicators, as_of, unit_ids=None, *, overrides=None):
    """A function (unit id, indicator id, shown text) -> Due as of `as_of` (one query for the office's dates).

    `indicators`: {indicator id: Indicator with its scheme}. A Due is immutable and, without the office's
    changed date, depends only on the column and the text: cells that share both share one (a province
    has 15,000 cells of a few dozen kinds). `overrides`: the office's changed dates when the caller has read
    them (`due.overrides_for` of these cells at least; then no query).
    """
    if overrides is None:
        overrides = due_rules.overrides_for(indicators, unit_ids)
    shared = {}

    def due_of(unit_id, indicator_id, value):
        indicator = indicators[indicator_id]
        override = overrides.get((unit_id, indicator_id))
        if override is not None:
            return due_rules.cell_due(value, indicator, indicator.scheme.year, as_of, override)
        cell_due = shared.get((indicator_id, value))
        if cell_due is None:
            cell_due = shared[indicator_id, value] = due_rules.cell_due(value, indicator, indicator.scheme.year, as_of)
        return cell_due

    return due_of


def _with_due(cells, indicators, as_of, unit_ids=None):
    """The cells with their Due as of `as_of` (one query for the office's changed dates)."""
    as_of = as_of or due_rules.today()
    indicators = {i.pk: i for i in indicators}
    if not cells or not indicators:
        return cells
    due_of = due_finder(indicators, as_of, unit_ids)
    for cell in cells.values():
        cell.due = due_of(cell.unit_id, cell.indicator_id, cell.value)
    return cells


def derived_counts(indicators, unit_ids=None, readings=None):
    """{(unit id, indicator id): number} for the derived ones among `indicators` (one query per derivation, year).

    `readings`: a derived.Readings shared with scoring; then each derivation reads its year once for both.
    """
    groups = defaultdict(list)
    for indicator in indicators:
        derivation = derived.derivation_for(indicator)
        if derivation is not None:
            groups[(derivation, indicator.scheme.year)].append(indicator)
    counts = {}
    for (derivation, year), group in groups.items():
        reading = readings.of(derivation, year) if readings is not None else None
        counts.update(derivation.counts(year, group, unit_ids, reading))
    return counts


def stored_marks(marks):
    """The StoredMarks of a Mark queryset: what a cell reads of each, without a model instance per mark."""
    return [StoredMark._make(row) for row in marks.order_by().values_list(*StoredMark._fields)]


def cells_of_marks(marks, indicators, as_of=None, *, counts=None, with_due=True):
    """Cells for the given marks (a page of the API, one unit's row), indicators of those marks given.

    `marks`: Marks or StoredMarks (`stored_marks`). `indicators`: {indicator id: Indicator with scheme
    loaded}. Derived numbers for the marks' units only, unless the caller has them (`counts`, as
    `derived_counts` gives); due dates and statuses as of `as_of` (default today), unless `with_due` is
    False (the quarterly table reads only the cells' words).
    """
    marks = list(marks)
    derived_indicators = [i for i in indicators.values() if derived.is_derived(i)]
    unit_ids = {m.unit_id for m in marks}
    if counts is None:
        counts = derived_counts(derived_indicators, unit_ids) if derived_indicators else {}
    derived_ids = {i.pk for i in derived_indicators}
    result = {
        m.pk: _derived_cell(m, m.unit_id, m.indicator_id, counts.get((m.unit_id, m.indicator_id)))
        if m.indicator_id in derived_ids
        else stored_cell(m)
        for m in marks
    }
    if not with_due:
        return result
    wanted = [indicators[i] for i in {m.indicator_id for m in marks}]
    return _with_due(result, wanted, as_of, unit_ids)


class _Reading:
    """The stored marks (as StoredMark rows) and derived numbers of some schemes' cells, read once.

    `parts` is the one walk over enrolled units × indicators that every way of making cells shares.
    `columns`: the indicators walked (some of the schemes' columns: a grid's shown ones), else every one;
    `counts`: the derived numbers when the caller has them (`derived_counts`' form), else read here.
    """

    def __init__(self, schemes, unit_ids=None, enrolled=None, readings=None, *, columns=None, counts=None):
        self.schemes = schemes = list(schemes)
        self.unit_ids = unit_ids = set(unit_ids) if unit_ids is not None else None
        if enrolled is None:
            enrolled = {s.pk: [su.unit_id for su in s.scheme_units.all()] for s in schemes}
        self.enrolled = enrolled
        self.indicators = [i for s in schemes for i in s.indicators.all()] if columns is None else list(columns)
        for indicator in self.indicators:
            # The scheme is at hand: spare derived_counts a query per indicator for its year.
            indicator.scheme = next(s for s in schemes if s.pk == indicator.scheme_id)
        self.rows = {(row[1], row[2]): row for row in _stored_rows(schemes, columns, unit_ids)}
        self.counts = derived_counts(self.indicators, unit_ids, readings) if counts is None else counts

    def parts(self, unit_ids=None):
        """(key, stored row or None, derived number or None, is derived) of every cell that exists.

        `unit_ids` narrows to some of the units read (a page's rows).
        """
        unit_ids = self.unit_ids if unit_ids is None else unit_ids
        rows, counts = self.rows, self.counts
        for scheme in self.schemes:
            enrolled = [u for u in self.enrolled[scheme.pk] if unit_ids is None or u in unit_ids]
            for indicator in self.indicators:
                if indicator.scheme_id != scheme.pk:
                    continue
                indicator_id, is_derived = indicator.pk, derived.is_derived(indicator)
                for unit_id in enrolled:  # once per cell of a province: nothing in here that can be hoisted
                    key = (unit_id, indicator_id)
                    row = rows.get(key)
                    if is_derived:
                        count = counts.get(key)
                        if row is not None or count:
                            yield key, row, count, True
                    elif row is not None:
                        yield key, row, None, False

    def cells(self, unit_ids=None):
        """{key: Cell} without due (see cells_for)."""
        cells = {}
        for key, row, count, is_derived in self.parts(unit_ids):
            mark = StoredMark._make(row) if row is not None else None
            cells[key] = _derived_cell(mark, key[0], key[1], count) if is_derived else stored_cell(mark)
        return cells


def _stored_rows(schemes, indicators, unit_ids):
    """The StoredMark rows of `schemes` (of `indicators` only, unless None), of `unit_ids` only unless None.

    Some units' (a page's): one raw query (assessment.raw_sql: the ORM would prepare each unit id as a lookup).
    """
    if unit_ids is None:
        marks = Mark.objects.filter(indicator__scheme__in=schemes)
        if indicators is not None:
            marks = marks.filter(indicator__in=[i.pk for i in indicators])
        return marks.order_by().values_list(*StoredMark._fields)
    indicator_ids = (
        [i.pk for s in schemes for i in s.indicators.all()] if indicators is None else [i.pk for i in indicators]
    )
    if not unit_ids or not indicator_ids:
        return []
    unit_ids = list(unit_ids)
    indicator, unit = raw_sql.columns(Mark, "indicator", "unit")
    return raw_sql.fetch(
        f"SELECT {', '.join(raw_sql.columns(Mark, *StoredMark._fields))} FROM {raw_sql.quoted_table(Mark)}"
        f" WHERE {indicator} IN ({raw_sql.placeholders(indicator_ids)})"
        f" AND {unit} IN ({raw_sql.placeholders(unit_ids)})",
        [*indicator_ids, *unit_ids],
    )


def word_and_text(row, count, is_derived):
    """(word, shown text) of a cell from its StoredMark row (or None) and its derived number: as its Cell's."""
    if is_derived:
        return derived_word_and_text(row[3] if row is not None else "", count)
    return row[3], _shown(row[3], row[4], False)


def derived_word_and_text(mark_state, count):
    """(word, shown text) of a derived cell whose mark holds `mark_state` ("" without a mark) with `count` counted."""
    state = _derived_state(mark_state)
    return state, _shown(state, count or 0, True)


def cells_for(schemes, unit_ids=None, as_of=None, *, enrolled=None):
    """{(unit id, indicator id): Cell} of every enrolled unit × indicator of `schemes`.

    `schemes` with `indicators` and `scheme_units` prefetched (tables.schemes_with_parts or
    scoring.scoring_schemes). A cell whose mark is missing is absent, unless it is derived. Each cell
    carries its due date and status as of `as_of` (default today); its `mark` is a StoredMark. `enrolled`:
    {scheme id: [unit id]} when the schemes' `scheme_units` are not prefetched (a grid page's rows).
    """
    reading = _Reading(schemes, unit_ids, enrolled=enrolled)
    return _with_due(reading.cells(), reading.indicators, as_of, reading.unit_ids)


class ShownCell(NamedTuple):
    """A cell as a page of rows writes it (the grid's): its Cell's `value`, its stored mark's id and version (None
    without a mark) and its `due`, without the Cell and its StoredMark (`shown_rows`)."""

    value: str
    pk: int | None
    version: int | None
    due: due_rules.Due


def shown_rows(scheme, columns, unit_ids, *, counts, overrides, as_of=None):
    """{unit id: [ShownCell, or None where there is no cell, per column]} of `unit_ids` (a page's rows, enrolled in
    `scheme`) in `columns` (some of its indicators): what cells_for's Cells show, from the same walk and rules
    (tests/test_grid_selection.py); each kind of cell (its column's kind, word and numbers) has its text made once.

    `counts`: the derived numbers of these units ({(unit id, indicator id): number}, as `derived_counts` gives);
    `overrides`: the office's changed dates (`due.overrides_for`, of these cells at least). One query, the marks.
    """
    reading = _Reading([scheme], unit_ids, enrolled={scheme.pk: list(unit_ids)}, columns=columns, counts=counts)
    due_of = due_finder({i.pk: i for i in reading.indicators}, as_of or due_rules.today(), overrides=overrides)
    place = {indicator.pk: n for n, indicator in enumerate(reading.indicators)}
    rows = {unit_id: [None] * len(place) for unit_id in reading.unit_ids}
    texts = {}
    for (unit_id, indicator_id), row, count, is_derived in reading.parts():
        kind = (is_derived, row[3], row[4], count) if row is not None else (is_derived, None, None, count)
        value = texts.get(kind)
        if value is None:
            value = texts[kind] = word_and_text(row, count, is_derived)[1]
        pk, version = (row[0], row[5]) if row is not None else (None, None)
        rows[unit_id][place[indicator_id]] = ShownCell(value, pk, version, due_of(unit_id, indicator_id, value))
    return rows


def texts_for(schemes, enrolled=None, readings=None, unit_ids=None):
    """{unit id: {indicator id: shown text}} of `schemes`: the cells' `value`s, without making the cells.

    What scoring reads: a province scores its 18,000 cells on each request of the scores page, and a
    Cell and a StoredMark for each was most of the time (and of the garbage collector's). `enrolled`:
    {scheme id: [unit id]} in order, when the schemes' `scheme_units` are not prefetched. `readings`: a
    derived.Readings the caller shares (scoring reads the same case counts for its shortfalls). `unit_ids`:
    read only these units' marks (a page's units).
    """
    by_unit = defaultdict(dict)
    reading = _Reading(schemes, unit_ids, enrolled=enrolled, readings=readings)
    for (unit_id, indicator_id), row, count, is_derived in reading.parts():
        by_unit[unit_id][indicator_id] = word_and_text(row, count, is_derived)[1]
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
