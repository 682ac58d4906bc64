"""Progress tables (工作进展通报) built from schemes and marks in a fixed number of queries.

The bulletin page, the Excel export and later the entry grid all read tables from
here, so a cell is rendered the same way everywhere.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import ClassVar

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Prefetch

from assessment.scoring.categories import deduction_text
from assessment.scoring.live import closed_deduction_texts
from core.prepared import Prepared, set_prefetched

from . import cells, raw_sql
from .models import EXPLAINED_STATES, Category, Deduction, Indicator, MarkState, Note, Scheme, SchemeUnit

DEDUCTION_HEADER = "扣分情况"
NOTES_HEADING = "说明:"


@dataclass
class Row:
    unit: object
    scheme_unit: object
    cells: list  # one assessment.cells.Cell or None per indicator, in column order
    deductions: list = field(default_factory=list)  # the unit's confirmed Deduction records
    closed: str | None = None  # once the year is closed: the 扣分情况 of its frozen score

    @property
    def values(self):
        return [m.display if m else "" for m in self.cells]

    @property
    def deduction_text(self):
        texts = {m.indicator_id: m.display for m in self.cells if m}
        return row_deduction_text(self.scheme_unit.deduction_text, self.deductions, texts, self.closed)

    @property
    def has_pending(self):
        """Whether a cell of the row still holds * (not done yet)."""
        return any(c is not None and c.is_pending for c in self.cells)


def row_deduction_text(typed, deductions, texts_by_indicator, closed=None):
    """A row's 扣分情况: the text typed for it, then what the unit lost.

    During the year, its confirmed deductions in the office's wording (assessment.scoring); the printed
    issue's column is empty. Once the year is closed (`closed`: the unit's text from its frozen score,
    `closed_texts`), every point its score lost, computed and recorded alike, from the score's lines.
    `texts_by_indicator`: {indicator id: the cell's shown text}.
    """
    if closed is not None:
        return "；".join(t for t in (typed, closed) if t)
    recorded = deduction_text(deductions, texts_by_indicator) if deductions else ""
    return "；".join(t for t in (typed, recorded) if t)


def closed_texts(schemes):
    """{(scheme id, unit id): 扣分情况} of the units of `schemes` whose year is closed (one query)."""
    if not schemes:
        return {}
    by_key = closed_deduction_texts({s.year for s in schemes})
    if not by_key:
        return {}
    slugs = {(s.year, s.category.slug): s.pk for s in schemes}
    return {
        (slugs[year, slug], unit_id): text for (year, slug, unit_id), text in by_key.items() if (year, slug) in slugs
    }


def table_header(scheme, indicators):
    """Header cells as printed: the category, each indicator with its points, 扣分情况."""
    return [scheme.category.name, *[i.header for i in indicators], DEDUCTION_HEADER]


@dataclass
class StateCounts:
    """How many cells of a column hold √, *, 非考核项, 已说明 (either wording), 无 or a number."""

    done: int = 0
    pending: int = 0
    not_assessed: int = 0
    explained: int = 0
    none: int = 0
    numbers: int = 0

    # Which count each word goes to, and a number's: the one copy. The grid's page hands it to grid.js
    # (`summary_keys`, a JSON script tag), which keeps the summary row right as cells are saved.
    WORD_KEYS: ClassVar[dict] = {
        MarkState.DONE: "done",
        MarkState.PENDING: "pending",
        MarkState.NOT_ASSESSED: "not_assessed",
        **dict.fromkeys(sorted(EXPLAINED_STATES), "explained"),
        MarkState.NONE: "none",
    }
    NUMBER_KEY: ClassVar[str] = "numbers"

    @classmethod
    def key(cls, state, count=None):
        """The count a cell of this word (or number) goes to; None for a word not counted (empty)."""
        return cls.NUMBER_KEY if count is not None else cls.WORD_KEYS.get(state)

    @classmethod
    def summary_keys(cls):
        """What grid.js reads from the page: {"words": {word: key}, "number": key}."""
        return {"words": {str(word): key for word, key in cls.WORD_KEYS.items()}, "number": cls.NUMBER_KEY}

    def add(self, state, count=None, n=1):
        key = self.key(state, count)
        if key is not None:
            setattr(self, key, getattr(self, key) + n)
        return self


@dataclass
class _Table:
    """What every progress table has: its scheme, indicators, notes and rows, category and header."""

    scheme: Scheme
    indicators: list
    notes: list
    rows: list = field(default_factory=list)

    @property
    def category(self):
        return self.scheme.category

    @property
    def header(self):
        return table_header(self.scheme, self.indicators)


@dataclass
class ProgressTable(_Table):
    """A year's progress table built from its marks (build_tables): Rows of Cells, for pages and the grid."""

    def column_counts(self):
        """One StateCounts per indicator over the table's rows (the entry grid's summary row)."""
        counts = [StateCounts() for _ in self.indicators]
        for row in self.rows:
            for column, cell in zip(counts, row.cells, strict=True):
                if cell is not None:
                    column.add(cell.state, cell.shown_count)
        return counts

    def filtered(self, *, indicator_id=None, pending_only=False, query="", due=""):
        """A copy with one indicator's column (or all) and only the matching rows; no queries.

        pending_only keeps the rows with a * left in the shown columns; query matches unit names; due
        (a DueStatus value, assessment.due) keeps the rows with a shown cell of that status.
        """
        columns = [i for i, ind in enumerate(self.indicators) if indicator_id is None or ind.id == indicator_id]
        query = query.strip().casefold()
        rows = []
        for row in self.rows:
            shown = Row(
                unit=row.unit,
                scheme_unit=row.scheme_unit,
                cells=[row.cells[i] for i in columns],
                deductions=row.deductions,
                closed=row.closed,
            )
            if query and query not in row.unit.name.casefold() and query not in row.unit.full_name.casefold():
                continue
            if pending_only and not shown.has_pending:
                continue
            if due and not any(c is not None and c.status == due for c in shown.cells):
                continue
            rows.append(shown)
        indicators = [self.indicators[i] for i in columns]
        return ProgressTable(scheme=self.scheme, indicators=indicators, notes=self.notes, rows=rows)


def schemes_with_parts(queryset=None, *, units=True, notes=True):
    """Schemes with category, indicators, and (unless False) notes and enrolled units prefetched."""
    queryset = Scheme.objects.all() if queryset is None else queryset
    return queryset.select_related("category").prefetch_related(*scheme_parts(units=units, notes=notes))


def scheme_parts(*, units=True, notes=True):
    """What `schemes_with_parts` prefetches (for `prefetch_related_objects` on schemes already read): indicators
    in order, and (unless False) notes and enrolled units."""
    prefetch = [Prefetch("indicators", queryset=Indicator.objects.order_by("order"))]
    if notes:
        prefetch.append(Prefetch("notes", queryset=Note.objects.order_by("number")))
    if units:
        scheme_units = SchemeUnit.objects.select_related("unit").order_by("order", "pk")
        prefetch.append(Prefetch("scheme_units", queryset=scheme_units))
    return prefetch


_NOTES = Prepared(lambda scheme_id: Note.objects.filter(scheme_id=scheme_id).order_by("number"))


def _attnames(model):
    return [f.attname for f in model._meta.concrete_fields]


# A year's schemes with their categories (one row each: the scheme's columns, then the category's) and its
# indicators in order, compiled once (core.prepared): the grid, the year page and the overview read them on
# every request.
_YEAR_SCHEMES = Prepared(
    lambda year: (
        Scheme.objects.filter(year=year)
        .order_by("category__order", "pk")
        .values_list(*_attnames(Scheme), *(f"category__{name}" for name in _attnames(Category)))
    )
)
_YEAR_INDICATORS = Prepared(lambda year: Indicator.objects.filter(scheme__year=year).order_by("scheme_id", "order"))


def year_schemes(year):
    """The schemes of `year` in category order, each with its category and its indicators in order: what
    `schemes_with_parts(units=False, notes=False).filter(year=year).order_by("category__order", "pk")` reads, in
    two queries compiled once (`read_notes` adds the notes of one of them)."""
    scheme_fields, category_fields = _attnames(Scheme), _attnames(Category)
    width = len(scheme_fields)
    schemes = []
    for row in _YEAR_SCHEMES.rows(year):
        scheme = Scheme.from_db(DEFAULT_DB_ALIAS, scheme_fields, row[:width])
        scheme.category = Category.from_db(DEFAULT_DB_ALIAS, category_fields, row[width:])
        schemes.append(scheme)
    indicators = defaultdict(list)
    for indicator in _YEAR_INDICATORS.objects(year) if schemes else ():
        indicators[indicator.scheme_id].append(indicator)
    for scheme in schemes:
        set_prefetched(scheme, "indicators", indicators[scheme.pk], back="scheme")
    return schemes


def read_notes(scheme):
    """Give one scheme its notes as `scheme_parts()` prefetches them (a query compiled once)."""
    set_prefetched(scheme, "notes", _NOTES.objects(scheme.pk), back="scheme")
    return scheme


def confirmed_deductions(schemes, unit_ids=None):
    """{(unit id, scheme id): [Deduction]}: the confirmed records of 扣分情况 (a “*” is pending, never listed).

    `schemes` with their indicators prefetched (`schemes_with_parts`): a record's `indicator` is its scheme's,
    set here rather than joined and made again for each record.
    """
    deductions = defaultdict(list)
    indicators = {i.pk: i for s in schemes for i in s.indicators.all()}
    if not indicators:
        return deductions
    if unit_ids is None:
        records = Deduction.objects.filter(indicator_id__in=list(indicators), confirmed_at__isnull=False)
    else:
        records = _confirmed_of_units(list(indicators), list(unit_ids))
    for d in records:
        d.indicator = indicators[d.indicator_id]
        deductions[(d.unit_id, d.indicator.scheme_id)].append(d)
    return deductions


def _confirmed_of_units(indicator_ids, unit_ids):
    """The confirmed Deductions of these units in these columns, in the model's order: one raw query (a page's rows
    on every request of the grid; the ORM prepares each of 100 unit ids as a lookup)."""
    if not unit_ids:
        return []
    indicator, unit, confirmed = raw_sql.columns(Deduction, "indicator", "unit", "confirmed_at")
    return Deduction.objects.raw(
        f"SELECT * FROM {raw_sql.quoted_table(Deduction)} WHERE {indicator} IN ({raw_sql.placeholders(indicator_ids)})"
        f" AND {unit} IN ({raw_sql.placeholders(unit_ids)}) AND {confirmed} IS NOT NULL"
        f" ORDER BY {raw_sql.ordering(Deduction)}",
        [*indicator_ids, *unit_ids],
    )


def build_tables(schemes):
    """One ProgressTable per scheme (schemes from `schemes_with_parts`), cells from `assessment.cells`.

    The cells are the ones every page shows (stored marks, and derived columns such as 奖惩案例 counted
    from the case records), in a fixed number of queries.
    """
    schemes = list(schemes)
    by_cell = cells.cells_for(schemes)
    deductions = confirmed_deductions(schemes)  # of every unit in one query
    closed = closed_texts(schemes)
    tables = []
    for scheme in schemes:
        indicators = list(scheme.indicators.all())
        table = ProgressTable(scheme=scheme, indicators=indicators, notes=list(scheme.notes.all()))
        for su in scheme.scheme_units.all():
            row_cells = [by_cell.get((su.unit_id, ind.id)) for ind in indicators]
            table.rows.append(
                Row(
                    unit=su.unit,
                    scheme_unit=su,
                    cells=row_cells,
                    deductions=deductions[(su.unit_id, scheme.id)],
                    closed=closed.get((scheme.pk, su.unit_id)),
                )
            )
        tables.append(table)
    return tables


@dataclass
class PrintedTable(_Table):
    """A progress table as the year's workbook holds it: each cell's shown text, nothing else.

    `rows`: (unit name, [shown text, or None where there is no cell, per indicator], 扣分情况) in
    printed order. What build_tables' rows print (Row.values, Row.deduction_text), without a Cell per
    cell or their due dates, which an export never reads (`printed_tables`).
    """


def printed_tables(schemes):
    """One PrintedTable per scheme (from `schemes_with_parts(..., units=False)`), empty if there are none.

    The texts are the cells' own (assessment.cells.texts_for), the units read as tuples: the queries of
    build_tables less the due dates' (a province's export made 18,000 Cells and their Due for nothing).
    """
    schemes = list(schemes)
    if not schemes:
        return []
    enrolled = {s.pk: [] for s in schemes}
    units = SchemeUnit.objects.filter(scheme__in=schemes).order_by("order", "pk")
    for scheme_id, unit_id, name, typed in units.values_list("scheme_id", "unit_id", "unit__name", "deduction_text"):
        enrolled[scheme_id].append((unit_id, name, typed))
    texts = cells.texts_for(schemes, enrolled={pk: [row[0] for row in rows] for pk, rows in enrolled.items()})
    deductions = confirmed_deductions(schemes)
    closed = closed_texts(schemes)
    tables = []
    for scheme in schemes:
        indicators = list(scheme.indicators.all())
        rows = []
        for unit_id, name, typed in enrolled[scheme.pk]:
            unit_texts = texts.get(unit_id, {})
            typed_and_recorded = row_deduction_text(
                typed, deductions.get((unit_id, scheme.pk)), unit_texts, closed.get((scheme.pk, unit_id))
            )
            rows.append((name, [unit_texts.get(i.pk) for i in indicators], typed_and_recorded))
        tables.append(PrintedTable(scheme=scheme, indicators=indicators, notes=list(scheme.notes.all()), rows=rows))
    return tables
