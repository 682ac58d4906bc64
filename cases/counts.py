"""How many cases each unit reported in a year: accepted cases plus offline records, in one query.

The progress tables (`assessment.tables.build_tables`), the quarterly table and scoring all
read counts from here, so the 奖惩案例 cell and note 6's deduction agree. The accepted cases are read
from their stored counts (CaseCount, kept true by cases.stored_counts), not counted from a country's cases;
the offline records are few and read as they are.
"""

from collections import defaultdict

from django.db.models import Count, F, Sum

from assessment import derived, raw_sql
from assessment.due import due_quarters
from core.prepared import kept

from . import stored_counts
from .duty import per_quarter_of, shortfalls
from .models import QUARTER_LABELS, CaseCount, CaseCountRecord, CaseCountYear


def quarterly_counts(year, unit_ids=None):
    """{unit_id: {quarter or (first, last): count}} of accepted cases and offline records in `year`.

    Cases and records of one quarter count under the quarter; offline records covering several
    quarters under their span, e.g. (1, 3) for “前三季度” (cases.duty.shortfalls fills only those).
    One query whatever the number of units or cases: the stored counts and the records grouped by unit
    and quarters, joined with UNION ALL.
    """
    result = {}  # plain dicts made once: a country's 20,000 units, read on every page with the column
    for unit_id, first, last, n in _read(year, unit_ids, by_quarter=True):
        by_quarter = result.get(unit_id)
        if by_quarter is None:
            by_quarter = result[unit_id] = {}
        key = first if first == last else (first, last)
        by_quarter[key] = by_quarter.get(key, 0) + n
    return result


def year_counts(year, unit_ids=None, quarterly=None):
    """{unit_id: count} for the year: what the 奖惩案例 cell shows (`quarterly`: quarterly_counts if at hand).

    Without `quarterly`, one query that totals each unit's cases and records in the database (a row or two
    per unit, not one per unit and quarter): the sum of quarterly_counts' numbers, as with it.
    """
    if quarterly is not None:
        return {unit_id: sum(by_quarter.values()) for unit_id, by_quarter in quarterly.items()}
    totals = defaultdict(int)
    for unit_id, n in _read(year, unit_ids, by_quarter=False):
        totals[unit_id] += n
    return dict(totals)


def _read(year, unit_ids, *, by_quarter):
    """The rows of the stored counts and the records; a stale year is rebuilt first (cases.stored_counts).

    The year's freshness rides in the same query, as one row without a unit (only when fresh), so a fresh
    year costs one query. A stale one is counted from its cases (and stored, unless a writer is changing it).
    """
    if unit_ids is not None:
        unit_ids = list(unit_ids)
    rows = list(_stored_query(year, unit_ids, by_quarter))
    if any(row[0] is None for row in rows):
        return [row for row in rows if row[0] is not None]
    counts = stored_counts.rebuild(year).counts
    if unit_ids is not None:
        wanted = set(unit_ids)
        counts = {key: n for key, n in counts.items() if key[0] in wanted}
    if by_quarter:
        rows = [(unit_id, quarter, quarter, n) for (unit_id, quarter), n in counts.items()]
    else:
        totals = defaultdict(int)
        for (unit_id, _), n in counts.items():
            totals[unit_id] += n
        rows = list(totals.items())
    return rows + list(_records(year, unit_ids, by_quarter))


def _unit_condition(column, unit_ids):
    """(" AND column IN (…)", params) of `unit_ids` (a list), ("", []) for every unit (None)."""
    if unit_ids is None:
        return "", []
    if not unit_ids:
        return " AND 1 = 0", []
    condition, params = raw_sql.in_condition(column, unit_ids)
    return f" AND {condition}", params


def _records(year, unit_ids, by_quarter):
    """The offline records' rows: (unit, first quarter, last quarter, n) or (unit, n), grouped."""
    return raw_sql.fetch(*_records_sql(year, unit_ids, by_quarter))


def _records_sql(year, unit_ids, by_quarter):
    unit, first, last, count, year_column = raw_sql.columns(
        CaseCountRecord, "unit", "first_quarter", "last_quarter", "count", "year"
    )
    keys = f"{unit}, {first}, {last}" if by_quarter else unit
    units, params = _unit_condition(unit, unit_ids)
    sql = (
        f"SELECT {keys}, SUM({count}) FROM {raw_sql.quoted_table(CaseCountRecord)}"
        f" WHERE {year_column} = %s{units} GROUP BY {keys}"
    )
    return sql, [year, *params]


def _stored_query(year, unit_ids, by_quarter):
    """The stored counts' rows, the records' (`_records`) and, while the year is fresh, one row without a unit, in
    one query written out (the ORM's making of this union, with a page's units listed, was most of the quarterly
    table's time for its special units): (unit, first, last, n) rows, or (unit, n) rows when not `by_quarter`."""
    unit, quarter, count, year_column = raw_sql.columns(CaseCount, "unit", "quarter", "count", "year")
    units, unit_params = _unit_condition(unit, unit_ids)
    cases = f"FROM {raw_sql.quoted_table(CaseCount)} WHERE {year_column} = %s AND {count} > 0{units}"
    if by_quarter:
        cases = f"SELECT {unit}, {quarter}, {quarter}, {count} {cases}"
    else:
        cases = f"SELECT {unit}, SUM({count}) {cases} GROUP BY {unit}"
    records, record_params = _records_sql(year, unit_ids, by_quarter)
    generation, fresh, fresh_year = raw_sql.columns(CaseCountYear, "generation", "fresh", "year")
    marker = "NULL, 0, 0" if by_quarter else "NULL"
    years = raw_sql.quoted_table(CaseCountYear)
    fresh_row = f"SELECT {marker}, {generation} FROM {years} WHERE {fresh_year} = %s AND {fresh}"
    return raw_sql.fetch(
        f"{cases} UNION ALL {records} UNION ALL {fresh_row}", [year, *unit_params, *record_params, year]
    )


def _number_sql(year, current):
    if current:
        cases = CaseCount.objects.filter(year=year).values(counted_unit=F("unit_id")).annotate(n=Sum("count"))
    else:  # a writer changed the year while it was counted: its cases themselves
        cases = stored_counts.counted_cases(year).values(counted_unit=F("source_unit_id")).annotate(n=Count("pk"))
    records = CaseCountRecord.objects.filter(year=year).values(counted_unit=F("unit_id")).annotate(n=Sum("count"))
    parts, params = [], []
    for rows in (cases, records):
        sql, more = rows.order_by().values_list("counted_unit", "n").query.sql_with_params()
        parts.append(sql)
        params += more
    union = " UNION ALL ".join(parts)
    return f"SELECT counted_unit, SUM(n) AS n FROM ({union}) numbers GROUP BY counted_unit", tuple(params)


class CaseCounts(derived.Derivation):
    """The 奖惩案例 column, derived: the number is the unit's accepted cases plus its offline records, and
    what note 6 deducts is the cases short of the duty in every quarter due by the scoring date.

    Registered in CasesConfig.ready, so the assessment layer (cells, scoring) reads it without importing cases.
    """

    source = "奖惩案例记录"

    def applies(self, indicator):
        return indicator.accepts_count

    def read(self, year, unit_ids=None):
        """The year's quarterly_counts of every unit, or of `unit_ids` (one query)."""
        return quarterly_counts(year, unit_ids)

    def counts(self, year, indicators, unit_ids=None, reading=None):
        """{(unit id, indicator id): number}; `reading`: the year's quarterly_counts when the caller has them."""
        totals = year_counts(year, unit_ids, reading)
        return {(unit_id, i.pk): n for i in indicators for unit_id, n in totals.items()}

    def number_sql(self, year):
        """The stored accepted-case counts when the year's are current (made so first if stale), else its accepted
        cases counted; and its offline records: summed by unit (`counted_unit`, `n`). Compiled once a year and a
        way (core.prepared.kept): the grid, the year page and the overview ask it on every request."""
        current = stored_counts.make_current(year)
        return kept(("cases.number_sql", year, current), lambda: _number_sql(year, current))

    def shortfalls(self, year, indicator, as_of, unit_ids, reading=None):
        """{(unit id, indicator id): [(quarter label, missing)]} for every unit of `unit_ids` as of `as_of`.

        `reading`: the year's quarterly_counts when the caller has them (then no query for the counts).
        """
        due = due_quarters(year, as_of)
        per_quarter = per_quarter_of(indicator)  # its CaseDuty: one query unless prefetched
        counts = quarterly_counts(year, unit_ids) if reading is None else reading
        result = {}
        for unit_id in unit_ids:
            missing = shortfalls(counts.get(unit_id, {}), due=due, per_quarter=per_quarter)
            result[unit_id, indicator.pk] = [(QUARTER_LABELS[q], n) for q, n in missing.items() if n]
        return result
