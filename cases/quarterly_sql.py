"""What the quarterly table (cases.quarterly) asks of the database, written as SQL.

A country's table has 15,000 units; what the page reads is a page of them and a few counts, and compiling these
queries with the ORM (subqueries, unions, lists of a hundred ids) was most of the page's own time. Each function
here is one statement over the section's enrolled units (SchemeUnit), the stored accepted cases per unit and
quarter (CaseCount, read only while the year's are current: cases.stored_counts), the column's marks and the
offline records.
"""

from collections import Counter
from functools import cached_property
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models.expressions import RawSQL

from assessment import cells
from assessment.models import EXEMPT_STATES, Category, Indicator, Mark, Note, Scheme, SchemeUnit, Unit
from assessment.raw_sql import fetch, quoted_table
from core.prepared import Prepared

from .models import QUARTERS, CaseCount, CaseCountRecord, CaseDuty

NO_CASES = (frozenset(), False)  # the kind of a unit with no case and no exempting cell


# An indicator's row with its scheme's, its category's and its duty's (None without one), as select_related reads them.
_PARTS = ((Indicator, ""), (Scheme, "scheme__"), (Category, "scheme__category__"), (CaseDuty, "case_duty__"))


def _fields(model):
    return [field.attname for field in model._meta.concrete_fields]


def _columns_query(year):
    # how many units each one's scheme enrolls, as written SQL (a Subquery's compiling was a third of the query's)
    enrolled = RawSQL(
        f"SELECT COUNT(*) FROM {quoted_table(SchemeUnit)} su WHERE su.scheme_id = {quoted_table(Indicator)}.scheme_id",
        (),
    )
    names = [prefix + name for model, prefix in _PARTS for name in _fields(model)]
    return (
        Indicator.objects.filter(scheme__year=year, accepts_count=True)
        .annotate(enrolled=enrolled)
        .order_by("scheme__category__order", "order")
        .values_list(*names, "enrolled")
    )


# Asked on every request of the table and its workbook: compiled once per year (core.prepared).
_COLUMNS = Prepared(_columns_query)


def year_columns(year):
    """[Indicator] of the year's count columns (奖惩案例) in the tables' order, each with its scheme, category and
    CaseDuty (if any) loaded and `enrolled`, how many units its scheme enrolls: one query compiled once, the models
    made from its row (Model.from_db) as select_related makes them."""
    parts, found = [(model, _fields(model)) for model, _ in _PARTS], []
    for row in _COLUMNS.rows(year):
        values = iter(row)
        made = [model.from_db(DEFAULT_DB_ALIAS, names, [next(values) for _ in names]) for model, names in parts]
        indicator, scheme, category, duty = made
        scheme.category = category
        indicator.scheme = scheme
        if duty.pk is not None:  # without one, duty.per_quarter_of asks (and finds none)
            indicator.case_duty = duty
        indicator.enrolled = next(values)
        found.append(indicator)
    return found


class NoteRow(NamedTuple):
    """A note under the table: its number and text."""

    number: int
    text: str


def notes_of(indicator_ids):
    """{indicator id: [NoteRow] by number} of the notes these columns are under."""
    found = {pk: [] for pk in indicator_ids}
    sql = (
        f"SELECT t.indicator_id, n.number, n.text FROM {quoted_table(Note.indicators.through)} t"
        f" JOIN {quoted_table(Note)} n ON n.id = t.note_id"
        f" WHERE t.indicator_id IN ({', '.join(['%s'] * len(found))}) ORDER BY n.number, n.id"
    )
    for indicator_id, number, text in fetch(sql, list(found)) if found else ():
        found[indicator_id].append(NoteRow(number, text))
    return found


def _enrolled(scheme_id, page=None):
    """(sql, params): the scheme's enrolled units in the table's order (of the slice `page`, (start, stop)):
    su.unit_id, u.name and the order's columns `pos`, `row_id`."""
    sql = (
        f'SELECT su.unit_id, u.name, su."order" AS pos, su.id AS row_id FROM {quoted_table(SchemeUnit)} su'
        f" JOIN {quoted_table(Unit)} u ON u.id = su.unit_id"
        f' WHERE su.scheme_id = %s ORDER BY su."order", su.id'
    )
    if page is None:
        return sql, [scheme_id]
    start, stop = page
    return f"{sql} LIMIT %s OFFSET %s", [scheme_id, max(stop - start, 0), start]


def enrolled_units(scheme_id, page=None):
    """[(unit id, name)] of the scheme's enrolled units in the table's order (of the slice `page`)."""
    return [(unit_id, name) for unit_id, name, *_ in fetch(*_enrolled(scheme_id, page))]


def page_with_counts(scheme_id, year, page):
    """[(unit id, name, quarter, n)] of the enrolled units of the slice `page` in the table's order, a row for each
    of their quarters with stored accepted cases in `year` (one with quarter None for a unit without any)."""
    units, params = _enrolled(scheme_id, page)
    sql = (
        f'SELECT page.pos, page.row_id, page.unit_id, page.name, c.quarter, c."count" FROM ({units}) page'
        f' LEFT JOIN {quoted_table(CaseCount)} c ON c.unit_id = page.unit_id AND c.year = %s AND c."count" > 0'
    )
    # the page's units are read in the table's order from its index; their few rows are put in order here (the
    # database would sort the joined rows again)
    return [row[2:] for row in sorted(fetch(sql, [*params, year]), key=lambda row: row[:2])]


def stored_quarters(year, unit_ids):
    """{unit id: {quarter: n}} of these units' stored accepted cases in `year` (empty for a unit without any):
    their quarterly_counts while the year's are current, for a unit without an offline record."""
    found = {unit_id: {} for unit_id in unit_ids}
    sql = (
        f'SELECT unit_id, quarter, "count" FROM {quoted_table(CaseCount)} WHERE year = %s AND "count" > 0'
        f" AND unit_id IN ({', '.join(['%s'] * len(unit_ids))})"
    )
    for unit_id, quarter, n in fetch(sql, [year, *unit_ids]) if unit_ids else ():
        found[unit_id][quarter] = n
    return found


def _special_ids(indicator, year):
    """(sql, params): SELECT of the ids of the units whose kind the database does not group by their four stored
    counts: with an exempting word in the column `indicator` or an offline record in `year`."""
    states = sorted(EXEMPT_STATES)
    sql = (
        f"SELECT unit_id FROM {quoted_table(Mark)} WHERE indicator_id = %s"
        f" AND state IN ({', '.join(['%s'] * len(states))})"
        f" UNION SELECT unit_id FROM {quoted_table(CaseCountRecord)} WHERE year = %s"
    )
    return sql, [indicator.pk, *states, year]


def special_units(indicator, year):
    """[(unit id, StoredMark or None)] of the column's enrolled units with an exempting word or an offline record
    in `year`: the mark is the unit's in the column if it holds an exempting word."""
    special, params = _special_ids(indicator, year)
    columns = ", ".join(f"m.{connection.ops.quote_name(name)}" for name in cells.StoredMark._fields)
    states = sorted(EXEMPT_STATES)
    sql = (
        f"SELECT su.unit_id, {columns} FROM {quoted_table(SchemeUnit)} su LEFT JOIN {quoted_table(Mark)} m"
        f" ON m.unit_id = su.unit_id AND m.indicator_id = %s AND m.state IN ({', '.join(['%s'] * len(states))})"
        f" WHERE su.scheme_id = %s AND su.unit_id IN ({special})"
    )
    rows = fetch(sql, [indicator.pk, *states, indicator.scheme_id, *params])
    return [(row[0], cells.StoredMark(*row[1:]) if row[1] is not None else None) for row in rows]


class CountedKinds:
    """A section's kinds of counts as the database has them, while the year's stored case counts are current.

    A unit with an exempting cell or an offline record (a few) is read as its entry (the section's
    `special_entries`); every other unit's kind is its accepted cases per quarter, its four stored counts, which
    the database groups (`tally`) or matches against the kinds that fall short (`flagged_ids`); the units with
    none are the rest.
    """

    COLUMNS = [f"q{q}" for q in QUARTERS]

    def __init__(self, section):
        self.section = section
        self.special = section.special_entries
        special, special_params = _special_ids(section.indicator, section.year)
        # the section's enrolled units but the special ones, and the units with a stored accepted case
        self.plain = (
            f"SELECT unit_id FROM {quoted_table(SchemeUnit)} WHERE scheme_id = %s AND unit_id NOT IN ({special})",
            [section.indicator.scheme_id, *special_params],
        )
        self.counted = (
            f'SELECT unit_id FROM {quoted_table(CaseCount)} WHERE year = %s AND "count" > 0',
            [section.year],
        )
        by_quarter = ", ".join(
            f'SUM(CASE WHEN quarter = {q} THEN "count" END) AS {name}'
            for name, q in zip(self.COLUMNS, QUARTERS, strict=True)
        )
        self.vectors = (
            f"SELECT unit_id, {by_quarter} FROM {quoted_table(CaseCount)}"
            f' WHERE year = %s AND "count" > 0 AND unit_id IN ({self.plain[0]}) GROUP BY unit_id',
            [section.year, *self.plain[1]],
        )

    def _select(self, select, tail="", params=()):
        sql, inner = self.vectors
        return fetch(f"SELECT {select} FROM ({sql}) vectors {tail}", [*inner, *params])

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
            (plain_sql, plain_params), (counted_sql, counted_params) = self.plain, self.counted
            none = fetch(f"{plain_sql} AND unit_id NOT IN ({counted_sql})", [*plain_params, *counted_params])
            found.update(unit_id for (unit_id,) in none)
        return found
