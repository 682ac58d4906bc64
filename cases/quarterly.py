"""The per-unit × per-quarter table of a year (/cases/<year>/): counts, missed quarters, note 6's deduction.

Built in a fixed number of queries whatever the number of units and cases; the page and
its Excel export both read it from here. A country's table has 15,000 units: each is an `Entry` (its name,
its exempting cell, its kind of counts), and units of the same kind share their cells, spans, deduction and
flag, worked out once; a full `QuarterRow` is made only for the rows shown (a page's 100, or the workbook's).
Without a filter the page reads no unit's name or counts but its rows': how many units fall short is counted
over the kinds, which the database groups (each unit's four stored quarterly counts; the few with an exempting
cell or an offline record one by one), so the count above the table costs the same for 70 units and 20,000.
"""

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum

from assessment import cells
from assessment.models import EXEMPT_STATES, Indicator, Mark, Note, SchemeUnit

from . import stored_counts
from .counts import CaseCounts, quarterly_counts
from .duty import due_quarters, is_exempt, per_quarter_of, quarterly_deduction, shortfalls
from .models import QUARTER_LABELS, QUARTERS, CaseCount, CaseCountRecord, quarters_label

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

    A page asks `unit_count` and `units_between` (the pager without a filter: the page's units alone), or `units`
    (every enrolled unit's name, for the name filter), `flagged_count` (how many units fall short: the kinds of
    counts asked of the database, `kind_counts`), with the 未达要求 filter the units that fall short
    (`flagged_units`, matched by the database), and the entries of its 100 rows (`page_entries`); the workbook
    reads every unit's entry (`entries`).
    """

    indicator: Indicator
    per_quarter: int
    due: tuple
    notes: list
    counts: _YearCounts
    kinds: dict = field(default_factory=dict)  # {kind: ((quarter cells, spans, deduction), flagged)}

    @property
    def year(self):
        return self.counts.year

    def _kind(self, kind):
        """((quarter cells, spans, deduction), flagged) of a kind of counts, worked out once."""
        found = self.kinds.get(kind)
        if found is None:
            by_quarter, exempt = dict(kind[0]), kind[1]
            parts = _row_parts(self.indicator, by_quarter, exempt, self.due, self.per_quarter)
            # An exempt unit is never flagged (QuarterRow.missed): its mark's word is not needed to say so.
            found = self.kinds[kind] = (parts, not exempt and QuarterRow(None, None, *parts).flagged)
        return found

    def row(self, entry):
        return QuarterRow(entry.unit, entry.mark, *self._kind(entry.kind)[0])

    @property
    def rows(self):
        """Every unit's row (the workbook); a page makes its own with `row`."""
        return [self.row(entry) for entry in self.entries]

    def is_flagged(self, entry):
        """The entry's row is flagged (QuarterRow.flagged, asked once for its kind)."""
        return self.is_flagged_kind(entry.kind)

    def is_flagged_kind(self, kind):
        return self._kind(kind)[1]

    @cached_property
    def units(self):
        """[RowUnit] of every enrolled unit in the table's order (one query, tuples)."""
        return self.units_between(0, None)

    @property
    def unit_count(self):
        """How many units are enrolled: counted with the section's indicator (build_quarterly), no unit read."""
        return self.indicator.enrolled or 0

    def units_between(self, start, stop):
        """[RowUnit] of the enrolled units [start:stop] in the table's order: a page's, read alone (one query)."""
        if "units" in self.__dict__:
            return self.units[start:stop]
        enrolled = SchemeUnit.objects.filter(scheme_id=self.indicator.scheme_id).order_by("order", "pk")
        return [RowUnit(pk, name) for pk, name in enrolled[start:stop].values_list("unit_id", "unit__name")]

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
        marks = _exempt_cells(self.indicator, self.year, counts, unit_ids)
        entries = []
        for unit in units:
            mark = marks.get(unit.pk)
            entries.append(Entry(unit, mark, (frozenset(counts.get(unit.pk, {}).items()), mark is not None)))
        return entries

    def page_entries(self, units):
        """[Entry] of a page's units (RowUnits), read with the units the count above the table reads one by one
        (`special_entries`) in the same two queries."""
        special = self._special_units() if self.counts.stored_current else []
        entries = self.entries_of([*units, *special])
        self.__dict__["special_entries"] = entries[len(units) :]
        return entries[: len(units)]

    @cached_property
    def special_entries(self):
        """[Entry] of the enrolled units with an exempting cell or an offline record (_CountedKinds.special)."""
        return self.entries_of(self._special_units())

    def _special_units(self):
        enrolled = SchemeUnit.objects.filter(scheme_id=self.indicator.scheme_id).order_by()
        return [RowUnit(pk, "") for pk in enrolled.filter(_special(self)).values_list("unit_id", flat=True)]

    @cached_property
    def _counted(self):
        """The kinds as the database counts them (_CountedKinds), or None while the year's stored case counts are
        stale and cannot be stored now (a writer is changing them): then every entry is read."""
        return _CountedKinds(self) if self.counts.stored_current else None

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
    """One section per count column (奖惩案例) of the year's schemes, with how many units each has; [] if the year
    has none. Two queries: the sections read their units and counts when asked."""
    enrolled = SchemeUnit.objects.filter(scheme_id=OuterRef("scheme_id")).order_by().values("scheme_id")
    indicators = list(
        Indicator.objects.filter(scheme__year=year, accepts_count=True)
        .annotate(enrolled=Subquery(enrolled.annotate(n=Count("pk")).values("n")))
        .select_related("scheme__category", "case_duty")
        .prefetch_related(Prefetch("notes", queryset=Note.objects.order_by("number")))
        .order_by("scheme__category__order", "order")
    )
    due = due_quarters(year, today)
    counts = _YearCounts(year)
    return [
        QuarterSection(indicator, per_quarter_of(indicator), due, list(indicator.notes.all()), counts)
        for indicator in indicators
    ]


def _exempt_cells(indicator, year, counts, unit_ids=None):
    """{unit id: Cell} of the units (of `unit_ids`) whose 奖惩案例 cell exempts them (cases.duty.is_exempt).

    Only a mark holding an exempting word makes an exempting cell (a derived cell keeps its mark's word): those
    cells alone are made, with their numbers from `counts` (the year's quarterly_counts of these units at least).
    """
    marks = Mark.objects.filter(indicator_id=indicator.pk, state__in=EXEMPT_STATES)
    if unit_ids is not None:
        marks = marks.filter(unit_id__in=unit_ids)
    exempt = cells.stored_marks(marks)
    reading = {m.unit_id: counts[m.unit_id] for m in exempt if m.unit_id in counts}
    made = cells.cells_of_marks(
        exempt,
        {indicator.pk: indicator},
        counts=CaseCounts().counts(year, [indicator], reading=reading),  # the cells' numbers, from the same counts
        with_due=False,
    )
    return {c.unit_id: c for c in made.values() if is_exempt(c)}


NO_CASES = (frozenset(), False)  # the kind of a unit with no case and no exempting cell


class _CountedKinds:
    """A section's kinds of counts as the database has them, while the year's stored case counts are current.

    A unit with an exempting cell or an offline record (a few) is read as its entry (`special`); every other
    unit's kind is its accepted cases per quarter, its four stored counts (CaseCount), which the database groups
    (`tally`) or matches against the kinds that fall short (`flagged_ids`); the units with none are the rest.
    """

    COLUMNS = [f"q{q}" for q in QUARTERS]

    def __init__(self, section):
        self.section = section
        self.special = section.special_entries
        enrolled = SchemeUnit.objects.filter(scheme_id=section.indicator.scheme_id).order_by()
        self.plain = enrolled.exclude(_special(section))
        self.counted = CaseCount.objects.filter(year=section.year, count__gt=0).order_by()
        by_quarter = {name: Sum("count", filter=Q(quarter=q)) for name, q in zip(self.COLUMNS, QUARTERS, strict=True)}
        vectors = self.counted.filter(unit_id__in=self.plain.values("unit_id")).values("unit_id").annotate(**by_quarter)
        self.vectors = vectors.values_list("unit_id", *self.COLUMNS).query.sql_with_params()

    def _select(self, select, tail="", params=()):
        sql, inner = self.vectors
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {select} FROM ({sql}) vectors {tail}", [*inner, *params])
            return cursor.fetchall()

    @staticmethod
    def _kind(numbers):
        return (frozenset((q, k) for q, k in zip(QUARTERS, numbers, strict=True) if k), False)

    @cached_property
    def tally(self):
        """{kind: units} of every enrolled unit."""
        tally = Counter(entry.kind for entry in self.special)
        listed = ", ".join(self.COLUMNS)
        with_cases = 0
        for *numbers, n in self._select(f"{listed}, COUNT(*)", f"GROUP BY {listed}"):
            tally[self._kind(numbers)] += n
            with_cases += n
        tally[NO_CASES] += self.section.unit_count - len(self.special) - with_cases
        return tally

    def flagged_ids(self):
        """The ids of the units whose kind falls short (each kind of `tally` asked once)."""
        section = self.section
        found = {entry.unit.pk for entry in self.special if section.is_flagged(entry)}
        short = [kind for kind in self.tally if not kind[1] and section.is_flagged_kind(kind)]
        # the kinds a plain unit can have: cases by quarter only (a span is an offline record's, a special unit's)
        plain = [kind for kind in short if kind[0] and all(isinstance(key, int) for key, _ in kind[0])]
        vectors = [[dict(kind[0]).get(q, 0) for q in QUARTERS] for kind in plain]
        if vectors:
            listed = ", ".join(f"COALESCE({name}, 0)" for name in self.COLUMNS)
            rows = ", ".join(f"({', '.join(['%s'] * len(QUARTERS))})" for _ in vectors)
            found.update(
                unit_id
                for (unit_id,) in self._select(
                    "unit_id", f"WHERE ({listed}) IN (VALUES {rows})", [n for v in vectors for n in v]
                )
            )
        if NO_CASES in short:  # the units without a case: every plain unit not counted
            none = self.plain.exclude(unit_id__in=self.counted.values("unit_id"))
            found.update(none.values_list("unit_id", flat=True))
        return found


def _special(section):
    """The units whose kind the database does not group by their four stored counts: with an exempting cell in
    the section's column or an offline record in its year."""
    exempt_units = Mark.objects.filter(indicator_id=section.indicator.pk, state__in=EXEMPT_STATES).values("unit_id")
    record_units = CaseCountRecord.objects.filter(year=section.year).values("unit_id")
    return Q(unit_id__in=exempt_units) | Q(unit_id__in=record_units)


def _row_parts(indicator, by_quarter, exempt, due, per_quarter):
    """(quarter cells, spans, deduction) of a row with these counts: what QuarterRow takes besides unit and mark."""
    missing = shortfalls(by_quarter, due=due, per_quarter=per_quarter)
    quarter_cells = [QuarterCell(by_quarter.get(q, 0), q in due, missing.get(q, 0)) for q in QUARTERS]
    deduction = None if exempt else quarterly_deduction(indicator, by_quarter, due=due, per_quarter=per_quarter)
    spans = sorted((key, n) for key, n in by_quarter.items() if isinstance(key, tuple))
    return quarter_cells, spans, deduction
