"""The per-unit × per-quarter table of a year (/cases/<year>/): counts, missed quarters, note 6's deduction.

Built in a fixed number of queries whatever the number of units and cases; the page and
its Excel export both read it from here. A country's table has 15,000 units: each is an `Entry` (its name,
its exempting cell, its kind of counts), and units of the same kind share their cells, spans, deduction and
flag, worked out once; a full `QuarterRow` is made only for the rows shown (a page's 100, or the workbook's).
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.db.models import Prefetch

from assessment import cells
from assessment.models import EXEMPT_STATES, Indicator, Mark, Note, SchemeUnit

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


@dataclass
class QuarterSection:
    indicator: Indicator
    per_quarter: int
    due: tuple
    notes: list
    entries: list = field(default_factory=list)  # [Entry] of every unit, in the table's order
    kinds: dict = field(default_factory=dict)  # {kind: ((quarter cells, spans, deduction), flagged)}

    def row(self, entry):
        return QuarterRow(entry.unit, entry.mark, *self.kinds[entry.kind][0])

    @property
    def rows(self):
        """Every unit's row (the workbook); a page makes its own with `row`."""
        return [self.row(entry) for entry in self.entries]

    def is_flagged(self, entry):
        """The entry's row is flagged (QuarterRow.flagged, asked once for its kind)."""
        return self.kinds[entry.kind][1]

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
        return sum(1 for entry in self.entries if self.kinds[entry.kind][1])


def build_quarterly(year, today=None):
    """One section per count column (奖惩案例) of the year's schemes; [] if the year has none."""
    indicators = list(
        Indicator.objects.filter(scheme__year=year, accepts_count=True)
        .select_related("scheme__category", "case_duty")
        .prefetch_related(Prefetch("notes", queryset=Note.objects.order_by("number")))
        .order_by("scheme__category__order", "order")
    )
    if not indicators:
        return []
    scheme_ids = [i.scheme_id for i in indicators]
    # A province has thousands of units: of each, its name (the rows) and its cell's word (exempt or not).
    enrolled = (
        SchemeUnit.objects.filter(scheme_id__in=scheme_ids)
        .order_by("order", "pk")
        .values_list("scheme_id", "unit_id", "unit__name")
    )
    units_by_scheme = {}
    for scheme_id, unit_id, name in enrolled:
        units_by_scheme.setdefault(scheme_id, []).append(RowUnit(unit_id, name))
    counts = quarterly_counts(year)
    # Whether a unit owes cases is its cell's word (cases.duty.is_exempt). Only a mark holding an exempting word
    # makes an exempting cell (a derived cell keeps its mark's word): those cells alone are made and asked.
    exempt = cells.stored_marks(Mark.objects.filter(indicator__in=indicators, state__in=EXEMPT_STATES))
    reading = {m.unit_id: counts[m.unit_id] for m in exempt if m.unit_id in counts}
    marks = cells.cells_of_marks(
        exempt,
        {i.pk: i for i in indicators},
        counts=CaseCounts().counts(year, indicators, reading=reading),  # the cells' numbers, from the same counts
        with_due=False,
    )
    marks = {(c.unit_id, c.indicator_id): c for c in marks.values() if is_exempt(c)}
    due = due_quarters(year, today)
    sections = []
    for indicator in indicators:
        per_quarter = per_quarter_of(indicator)
        section = QuarterSection(indicator, per_quarter, due, list(indicator.notes.all()))
        # Units with the same counts (and exemption) have the same cells, spans, deduction and flag: a country's
        # thousands of units have a few hundred kinds, each worked out once (the cells are only read).
        kinds = section.kinds
        for unit in units_by_scheme.get(indicator.scheme_id, []):
            by_quarter = counts.get(unit.pk, {})
            mark = marks.get((unit.pk, indicator.pk))
            kind = (frozenset(by_quarter.items()), mark is not None)
            if kind not in kinds:
                parts = _row_parts(indicator, by_quarter, kind[1], due, per_quarter)
                kinds[kind] = (parts, QuarterRow(unit, mark, *parts).flagged)
            section.entries.append(Entry(unit, mark, kind))
        sections.append(section)
    return sections


def _row_parts(indicator, by_quarter, exempt, due, per_quarter):
    """(quarter cells, spans, deduction) of a row with these counts: what QuarterRow takes besides unit and mark."""
    missing = shortfalls(by_quarter, due=due, per_quarter=per_quarter)
    quarter_cells = [QuarterCell(by_quarter.get(q, 0), q in due, missing.get(q, 0)) for q in QUARTERS]
    deduction = None if exempt else quarterly_deduction(indicator, by_quarter, due=due, per_quarter=per_quarter)
    spans = sorted((key, n) for key, n in by_quarter.items() if isinstance(key, tuple))
    return quarter_cells, spans, deduction
