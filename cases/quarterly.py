"""The per-unit × per-quarter table of a year (/cases/<year>/): counts, missed quarters, note 6's deduction.

Built in a fixed number of queries whatever the number of units and cases; the page and
its Excel export both read it from here. A country's table has 15,000 units: each is an `Entry` (its name,
its exempting cell, its kind of counts), and units of the same kind share their cells, spans, deduction and
flag, worked out once; a full `QuarterRow` is made only for the rows shown (a page's 100, or the workbook's).
Without a filter the page reads no unit's name or counts but its rows': how many units fall short is counted
over the kinds, which the database groups (each unit's four stored quarterly counts; the few with an exempting
cell or an offline record one by one), so the count above the table costs the same for 70 units and 20,000.
What the page asks of the database is written SQL (cases.quarterly_sql): its 100 units read with their stored
counts in one query, no ORM query compiled for a list of a hundred ids.
"""

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

from assessment import cells
from assessment.models import EXEMPT_STATES, Indicator, Mark

from . import quarterly_sql, stored_counts
from .counts import CaseCounts, quarterly_counts
from .duty import due_quarters, is_exempt, per_quarter_of, quarterly_deduction, shortfalls
from .models import QUARTER_LABELS, QUARTERS, quarters_label

SPANNING_HEADER = "跨季度记录"
# How the records covering several quarters count (the page's and the workbook's note; cases.duty.shortfalls).
SPAN_RULE = "跨季度的线下报送记录（如“前三季度报送 N 例”）只补足它所涵盖的季度中不足的季度"


class RowUnit(NamedTuple):
    """What a row reads of its unit: a country's table has 15,000 rows, and a Unit (with its SchemeUnit) for
    each was half of the page's time."""

    pk: int
    name: str


@dataclass
class QuarterCell:
    count: int
    due: bool  # the quarter has ended
    missing: int  # cases short of the duty (after the offline records covering several quarters)

    @property
    def flagged(self):
        return self.due and self.missing > 0


class Entry(NamedTuple):
    """A unit of a section, before its row is made: what the filters and the counts above the table read."""

    unit: RowUnit
    mark: object  # the unit's cell in the 奖惩案例 column if it exempts the unit (非考核项 / 已说明), else None
    kind: tuple  # (its counts, exempt): units of one kind have the same row but for the unit


@dataclass
class QuarterRow:
    unit: RowUnit
    mark: object  # the unit's 奖惩案例 cell if its word exempts the unit (非考核项 / 已说明; assessment.cells.Cell)
    quarters: list
    spans: list  # [((first, last), count)] of the offline records covering several quarters
    deduction: object  # Decimal, or None when the unit owes no cases

    @property
    def total(self):
        return sum(c.count for c in self.quarters) + sum(n for _, n in self.spans)

    @property
    def spans_label(self):
        """The records covering several quarters, with the quarters they cover: “前三季度6例”."""
        return "、".join(f"{quarters_label(*span)}{n}例" for span, n in self.spans)

    @property
    def exempt_label(self):
        return self.mark.state if is_exempt(self.mark) else ""

    @cached_property
    def missed(self):
        """The quarters that fell short, as printed in the table (e.g. “二季度缺1条”); worked out once a row
        (the page's counts, its filter and its rows all ask)."""
        if self.exempt_label:
            return []
        return [
            f"{QUARTER_LABELS[q]}缺{c.missing}条" for q, c in zip(QUARTERS, self.quarters, strict=True) if c.flagged
        ]

    @property
    def flagged(self):
        return bool(self.missed)

    def excel_values(self):
        return [
            self.unit.name,
            *[c.count for c in self.quarters],
            self.spans_label,
            self.total,
            self.exempt_label or "、".join(self.missed) or "无",
            float(self.deduction) if self.deduction is not None else self.exempt_label,
        ]


class _YearCounts:
    """The year's counts of every unit, read once for every section that needs them all (the workbook)."""

    def __init__(self, year):
        self.year = year

    @cached_property
    def every(self):
        return quarterly_counts(self.year)

    @cached_property
    def stored_current(self):
        """The year's stored case counts are current (cases.stored_counts.make_current), asked once."""
        return stored_counts.make_current(self.year)


@dataclass
class QuarterSection:
    """One count column's table: its units (names, in order) read as tuples, its rows made for the units asked.

    A page asks `unit_count` and `page_units` (the pager without a filter: the page's units alone, with their
    stored counts), or `units` (every enrolled unit's name, for the name filter), `flagged_count` (how many units
    fall short: the kinds of counts asked of the database, `kind_counts`), with the 未达要求 filter the units that
    fall short (`flagged_units`, matched by the database), and the entries of its 100 rows (`page_entries`); the
    workbook reads every unit's entry (`entries`).
    """

    indicator: Indicator
    per_quarter: int
    due: tuple
    notes: list  # [quarterly_sql.NoteRow] by number
    counts: _YearCounts
    kinds: dict = field(default_factory=dict)  # {kind: (quarter cells, spans, deduction)}
    stored: dict = field(default_factory=dict)  # {unit id: {quarter: n}}: the page's units' stored counts

    @property
    def year(self):
        return self.counts.year

    def _kind(self, kind):
        """(quarter cells, spans, deduction) of a kind of counts, worked out once."""
        found = self.kinds.get(kind)
        if found is None:
            found = self.kinds[kind] = _row_parts(self.indicator, dict(kind[0]), kind[1], self.due, self.per_quarter)
        return found

    def row(self, entry):
        return QuarterRow(entry.unit, entry.mark, *self._kind(entry.kind))

    @property
    def rows(self):
        """Every unit's row (the workbook); a page makes its own with `row`."""
        return [self.row(entry) for entry in self.entries]

    def is_flagged(self, entry):
        """The entry's row is flagged (QuarterRow.flagged)."""
        return self.is_flagged_kind(entry.kind)

    def is_flagged_kind(self, kind):
        # An exempt unit is never flagged (QuarterRow.missed): its mark's word is not needed to say so.
        return not kind[1] and _falls_short(kind[0], self.due, self.per_quarter)

    @cached_property
    def units(self):
        """[RowUnit] of every enrolled unit in the table's order (one query, tuples)."""
        return self.units_between(0, None)

    @property
    def unit_count(self):
        """How many units are enrolled: counted with the section's indicator (build_quarterly), no unit read."""
        return self.indicator.enrolled or 0

    def units_between(self, start, stop):
        """[RowUnit] of the enrolled units [start:stop] in the table's order (one query; every one from `start`
        when `stop` is None)."""
        if "units" in self.__dict__:
            return self.units[start:stop]
        page = None if stop is None else (start, stop)
        units = [RowUnit(*row) for row in quarterly_sql.enrolled_units(self.indicator.scheme_id, page)]
        return units[start:] if page is None else units

    def page_units(self, start, stop):
        """units_between(start, stop), read with their stored quarterly counts while the year's are current (kept
        for `page_entries`)."""
        if stop is None or not self.counts.stored_current:
            return self.units_between(start, stop)
        units = []
        for unit_id, name, quarter, n in quarterly_sql.page_with_counts(
            self.indicator.scheme_id, self.year, (start, stop)
        ):
            if not units or units[-1].pk != unit_id:
                units.append(RowUnit(unit_id, name))
                counts = self.stored[unit_id] = {}
            if quarter is not None:
                counts[quarter] = n
        return units

    @cached_property
    def entries(self):
        """[Entry] of every unit, in the table's order: every count of the year read (once for all sections)."""
        return self.entries_of(self.units, every=True)

    def entries_of(self, units, *, every=False):
        """[Entry] of these units (RowUnits): their counts and exempting cells read for them alone (2 queries), or
        with `every` (all the table's units) the year's counts of every unit."""
        if not units:
            return []
        unit_ids = None if every else [unit.pk for unit in units]
        counts = self.counts.every if every else quarterly_counts(self.year, unit_ids)
        marks = Mark.objects.filter(indicator_id=self.indicator.pk, state__in=EXEMPT_STATES)
        if unit_ids is not None:
            marks = marks.filter(unit_id__in=unit_ids)
        return self._entries(units, counts, cells.stored_marks(marks))

    def _entries(self, units, counts, marks):
        """[Entry] of these units, given their quarterly_counts and the StoredMarks of the column holding an
        exempting word (of these units at least)."""
        exempt = _exempt_cells(self.indicator, self.year, counts, marks)
        entries = []
        for unit in units:
            mark = exempt.get(unit.pk)
            entries.append(Entry(unit, mark, (frozenset(counts.get(unit.pk, {}).items()), mark is not None)))
        return entries

    def page_entries(self, units):
        """[Entry] of a page's units (RowUnits). While the year's stored counts are current, a unit with an
        exempting cell or an offline record is one of the `special_entries` (which the count above the table
        reads), any other unit's counts are its stored counts (read with the page by `page_units`, else here in
        one query); while they are not, every count and cell is read for these units (`entries_of`)."""
        if not self.counts.stored_current:
            return self.entries_of(units)
        special = {entry.unit.pk: entry for entry in self.special_entries}
        unread = [unit.pk for unit in units if unit.pk not in special and unit.pk not in self.stored]
        self.stored.update(quarterly_sql.stored_quarters(self.year, unread))
        return [
            special[unit.pk]._replace(unit=unit)
            if unit.pk in special
            else Entry(unit, None, (frozenset(self.stored.get(unit.pk, {}).items()), False))
            for unit in units
        ]

    @cached_property
    def special_entries(self):
        """[Entry] of the enrolled units with an exempting cell or an offline record (quarterly_sql.CountedKinds), their
        names left out: the units with their exempting marks in one query, their counts in one more."""
        rows = quarterly_sql.special_units(self.indicator, self.year)
        units = [RowUnit(unit_id, "") for unit_id, _ in rows]
        marks = [mark for _, mark in rows if mark is not None]
        return self._entries(units, quarterly_counts(self.year, [u.pk for u in units]) if units else {}, marks)

    @cached_property
    def _counted(self):
        """The kinds as the database counts them (quarterly_sql.CountedKinds), or None while the year's stored case
        counts are stale and cannot be stored now (a writer is changing them): then every entry is read."""
        return quarterly_sql.CountedKinds(self) if self.counts.stored_current else None

    def kind_counts(self):
        """{kind: units} over every enrolled unit: grouped by the database, or from every entry."""
        if self._counted is None:
            return Counter(entry.kind for entry in self.entries)
        return self._counted.tally

    def flagged_units(self):
        """[RowUnit] of the units that fall short, in the table's order (the 未达要求 filter): their kinds matched
        by the database, or every entry asked."""
        if self._counted is None:
            return [entry.unit for entry in self.entries if self.is_flagged(entry)]
        flagged = self._counted.flagged_ids()
        return [unit for unit in self.units if unit.pk in flagged]

    @property
    def category(self):
        return self.indicator.scheme.category

    @property
    def note_numbers(self):
        return "、".join(str(n.number) for n in self.notes)

    @property
    def header(self):
        rule = f"按说明{self.note_numbers}应扣分" if self.notes else "应扣分"
        return [self.category.name, *QUARTER_LABELS.values(), SPANNING_HEADER, "合计", "未达要求的季度", rule]

    @cached_property
    def flagged_count(self):
        return sum(n for kind, n in self.kind_counts().items() if self.is_flagged_kind(kind))


def build_quarterly(year, today=None):
    """One section per count column (奖惩案例) of the year's schemes, with how many units each has and its notes
    (quarterly_sql.NoteRow); [] if the year has none. Two queries: the sections read their units and counts when
    asked."""
    indicators = quarterly_sql.year_columns(year)
    notes = quarterly_sql.notes_of([indicator.pk for indicator in indicators])
    due = due_quarters(year, today)
    counts = _YearCounts(year)
    return [QuarterSection(i, per_quarter_of(i), due, notes[i.pk], counts) for i in indicators]


def _exempt_cells(indicator, year, counts, marks):
    """{unit id: Cell} of the units whose 奖惩案例 cell exempts them (cases.duty.is_exempt), of `marks`: the
    StoredMarks of the column holding an exempting word (only such a mark makes an exempting cell: a derived cell
    keeps its mark's word), their cells' numbers from `counts` (the year's quarterly_counts of their units)."""
    reading = {m.unit_id: counts[m.unit_id] for m in marks if m.unit_id in counts}
    made = cells.cells_of_marks(
        marks,
        {indicator.pk: indicator},
        counts=CaseCounts().counts(year, [indicator], reading=reading),  # the cells' numbers, from the same counts
        with_due=False,
    )
    return {c.unit_id: c for c in made.values() if is_exempt(c)}


@lru_cache(maxsize=4096)
def _falls_short(counts, due, per_quarter):
    """Whether a unit with these counts (a kind's frozenset of (quarter or span, n)) is short of the duty in a
    quarter due: QuarterRow.flagged of a unit not exempt. A pure function of its arguments, kept per process (a
    country's table has ~80 kinds, asked on every request)."""
    return any(shortfalls(dict(counts), due=due, per_quarter=per_quarter).values())


def _row_parts(indicator, by_quarter, exempt, due, per_quarter):
    """(quarter cells, spans, deduction) of a row with these counts: what QuarterRow takes besides unit and mark."""
    missing = shortfalls(by_quarter, due=due, per_quarter=per_quarter)
    quarter_cells = [QuarterCell(by_quarter.get(q, 0), q in due, missing.get(q, 0)) for q in QUARTERS]
    deduction = None if exempt else quarterly_deduction(indicator, by_quarter, due=due, per_quarter=per_quarter)
    spans = sorted((key, n) for key, n in by_quarter.items() if isinstance(key, tuple))
    return quarter_cells, spans, deduction
