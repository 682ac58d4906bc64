"""Progress tables (工作进展通报) built from schemes and marks in a fixed number of queries.

The bulletin page, the Excel export and later the entry grid all read tables from
here, so a cell is rendered the same way everywhere.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import Deduction, Indicator, Mark, Note, Scheme, SchemeUnit
from .scoring import deduction_text

DEDUCTION_HEADER = "扣分情况"
NOTES_HEADING = "说明:"


@dataclass
class Row:
    unit: object
    scheme_unit: object
    cells: list  # one Mark or None per indicator, in column order
    deductions: list = field(default_factory=list)  # the unit's confirmed Deduction records

    @property
    def values(self):
        return [m.display if m else "" for m in self.cells]

    @property
    def deduction_text(self):
        """Text typed for the row, then the confirmed deductions in the office's wording (assessment.scoring)."""
        recorded = deduction_text(self.deductions, {m.indicator_id: m.display for m in self.cells if m})
        return "；".join(t for t in (self.scheme_unit.deduction_text, recorded) if t)


@dataclass
class ProgressTable:
    scheme: Scheme
    indicators: list
    notes: list
    rows: list = field(default_factory=list)

    @property
    def category(self):
        return self.scheme.category

    @property
    def header(self):
        """Header cells as printed: the category, each indicator with its points, 扣分情况."""
        return [self.scheme.category.name, *[i.header for i in self.indicators], DEDUCTION_HEADER]


def schemes_with_parts(queryset=None):
    """Schemes with category, indicators, notes and enrolled units prefetched."""
    queryset = Scheme.objects.all() if queryset is None else queryset
    return queryset.select_related("category").prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("order")),
        Prefetch("notes", queryset=Note.objects.order_by("number")),
        Prefetch(
            "scheme_units",
            queryset=SchemeUnit.objects.select_related("unit").order_by("order", "pk"),
        ),
    )


def build_tables(schemes):
    """One ProgressTable per scheme (schemes from `schemes_with_parts`), marks in one query."""
    schemes = list(schemes)
    marks = Mark.objects.filter(indicator__scheme__in=schemes).only(
        "id", "unit_id", "indicator_id", "state", "count", "version"
    )
    by_cell = {(m.unit_id, m.indicator_id): m for m in marks}
    # 扣分情况: confirmed deduction records of every unit in one query (a “*” is pending, never listed).
    deductions = defaultdict(list)
    for d in Deduction.objects.filter(indicator__scheme__in=schemes, confirmed_at__isnull=False).select_related(
        "indicator"
    ):
        deductions[(d.unit_id, d.indicator.scheme_id)].append(d)
    tables = []
    for scheme in schemes:
        indicators = list(scheme.indicators.all())
        table = ProgressTable(scheme=scheme, indicators=indicators, notes=list(scheme.notes.all()))
        for su in scheme.scheme_units.all():
            cells = [by_cell.get((su.unit_id, ind.id)) for ind in indicators]
            table.rows.append(
                Row(unit=su.unit, scheme_unit=su, cells=cells, deductions=deductions[(su.unit_id, scheme.id)])
            )
        tables.append(table)
    return tables
