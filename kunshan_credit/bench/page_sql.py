"""The rows each page shows, read as a hand-written page would: ONE raw SQL query each, no ORM, no model.

The baselines (baselines.py) write these rows as a bare HTML table, so a page's ratio is what the portal
spends beyond reading the same rows and writing them once. Each function runs one `cursor.execute` and
returns plain tuples; the few Python loops after it only group them. A cell's shown text is worked out in
SQL (`SHOWN`) by the same rule as `assessment.models.cell_text` and `assessment.cells` (a typed cell: its
number, else its word; the 奖惩案例 column, `accepts_count`: its accepted cases and offline records unless it
is exempt or has none), so the rows are the page's rows and the values its values. What a baseline leaves
out is said on each function: that is the page's own work, which the ratio is meant to show.

Works on SQLite and PostgreSQL alike (window functions, CTEs, LIMIT); identifiers that are SQL words quoted.
"""

import datetime

from django.db import connection

from assessment import due
from assessment.models import EXEMPT_STATES, DueRule, MarkState
from cases.models import CaseStatus

ROWS = 100  # a page of the grid, the units index, the scores, the quarterly table (core.paging.PAGE_ROWS)
CASES = 20  # a page of the case list (cases.views.PAGE_SIZE)

_EXEMPT = ", ".join(f"'{state}'" for state in sorted(EXEMPT_STATES))  # constants of the vocabulary, no input

# The count of the 奖惩案例 column in `year` of the units UNITS: accepted cases plus offline records.
COUNTED = """counted AS (
    SELECT unit_id, SUM(n) AS n FROM (
        SELECT source_unit_id AS unit_id, COUNT(*) AS n FROM cases_case
        WHERE year = %(year)s AND status = %(accepted)s AND source_unit_id IN (UNITS) GROUP BY source_unit_id
        UNION ALL
        SELECT unit_id, SUM("count") AS n FROM cases_casecountrecord WHERE year = %(year)s AND unit_id IN (UNITS)
        GROUP BY unit_id
    ) sources GROUP BY unit_id
)"""

# A cell's shown text from its indicator i, its mark m (or none) and its unit's count c.
SHOWN = f"""CASE WHEN i.accepts_count THEN
        CASE WHEN COALESCE(NULLIF(m.state, ''), '*') IN ({_EXEMPT}) OR COALESCE(c.n, 0) = 0
             THEN COALESCE(NULLIF(m.state, ''), '*') ELSE CAST(c.n AS TEXT) END
    ELSE COALESCE(CAST(m."count" AS TEXT), m.state) END"""

# Every cell of the schemes SCHEMES (a SELECT of scheme ids) and units UNITS (a SELECT of unit ids: a page's,
# or every unit's): enrolled unit × indicator, with what the due statuses need (the office's changed date, the
# column's rule and date).
CELLS = f"""cell AS (
    SELECT su.scheme_id, su.id AS su_id, su.unit_id, i.id AS indicator_id, i."order" AS col, {SHOWN} AS shown,
           COALESCE(o.date, CASE WHEN i.due_rule = %(by_date)s AND i.due_date IS NOT NULL THEN i.due_date
                                 WHEN i.due_rule = %(quarterly)s THEN %(first_quarter_end)s
                                 ELSE %(year_end)s END) AS due_date,
           (o.id IS NULL AND i.due_rule = %(quarterly)s) AS by_quarter
    FROM assessment_schemeunit su
    JOIN assessment_indicator i ON i.scheme_id = su.scheme_id
    LEFT JOIN assessment_mark m ON m.unit_id = su.unit_id AND m.indicator_id = i.id
    LEFT JOIN counted c ON c.unit_id = su.unit_id
    LEFT JOIN assessment_dueoverride o ON o.unit_id = su.unit_id AND o.indicator_id = i.id
    WHERE su.scheme_id IN (SCHEMES) AND su.unit_id IN (UNITS) AND (m.id IS NOT NULL OR (i.accepts_count AND c.n > 0))
)"""

# A * cell's status as of today (assessment.due.cell_due): 年终未完成 once the year and its date have passed,
# overdue once its date has passed or (by quarter) a quarter has ended, due soon within the days, else not due.
STATUS = """CASE WHEN %(year_ended)s AND %(today)s > due_date THEN 'year_end'
         WHEN (by_quarter AND %(quarter_missed)s) OR %(today)s > due_date THEN 'overdue'
         WHEN due_date <= %(soon)s THEN 'due_soon' ELSE 'not_due' END"""


def _params(year, **more):
    today = due.today()
    return {
        "year": year,
        "accepted": CaseStatus.ACCEPTED,
        "by_date": DueRule.DATE,
        "quarterly": DueRule.QUARTERLY,
        "first_quarter_end": due.quarter_end(year, 1).isoformat(),
        "year_end": due.year_end_date(year).isoformat(),
        "year_ended": due.year_ended(year, today),
        "quarter_missed": bool(due.due_quarters(year, today)),
        "today": today.isoformat(),
        "soon": (today + datetime.timedelta(days=due.soon_days())).isoformat(),
        "pending": MarkState.PENDING,
        **more,
    }


def _run(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


YEAR_SCHEMES = "SELECT id FROM assessment_scheme WHERE year = %(year)s"
GRID_SCHEME = (
    "SELECT s.id FROM assessment_scheme s JOIN assessment_category k ON k.id = s.category_id "
    "WHERE s.year = %(year)s AND k.slug = %(slug)s"
)
EVERY_UNIT = "SELECT id FROM assessment_unit"


def _with(*ctes, schemes=YEAR_SCHEMES, units=EVERY_UNIT):
    """`WITH` the counts and the cells of `schemes` and `units` (SELECTs), after `ctes` they may read."""
    return "WITH " + ", ".join([*ctes, COUNTED, CELLS]).replace("SCHEMES", schemes).replace("UNITS", units)


GRID_FILTERS = {
    "": "",
    "pending": "AND EXISTS (SELECT 1 FROM cell WHERE cell.su_id = su.id AND cell.shown = %(pending)s)",
    "query": "AND (LOWER(u.name) LIKE %(like)s ESCAPE '!' OR LOWER(u.full_name) LIKE %(like)s ESCAPE '!')",
    "overdue": "AND EXISTS (SELECT 1 FROM cell WHERE cell.su_id = su.id AND cell.shown = %(pending)s "
    f"AND {STATUS} = 'overdue')",
}


def grid(year, slug, kind="", query=""):
    """The entry grid's page 1: (column titles, rows, summary).

    rows: [(unit name, [shown text or "" per column])], the first 100 enrolled units that the filter keeps
    (`GRID_FILTERS`: none, ?pending=1, ?q=, ?due=overdue) in printed order; summary: one {shown text: cells}
    per column over every unit kept (the page's 合计 row, a GROUP BY). Not read: the cells' due marks and
    history links, the rows' 扣分情况 and closing texts, the notes, the menus, the recent batches.
    """
    like = "%" + query.casefold().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
    kept = f"""kept AS (
        SELECT su.id, su."order" AS pos, u.name
        FROM assessment_schemeunit su JOIN assessment_unit u ON u.id = su.unit_id
        WHERE su.scheme_id IN ({GRID_SCHEME}) {GRID_FILTERS[kind]}
    )"""
    page = f"page AS (SELECT id, pos, name FROM kept ORDER BY pos, id LIMIT {ROWS})"
    sql = f"""{_with(schemes=GRID_SCHEME)}, {kept}, {page}
    SELECT 0, 0, i.id, i.title, i."order", NULL, 0 FROM assessment_indicator i WHERE i.scheme_id IN ({GRID_SCHEME})
    UNION ALL
    SELECT 1, page.pos, page.id, page.name, cell.col, cell.shown, 0 FROM page LEFT JOIN cell ON cell.su_id = page.id
    UNION ALL
    SELECT 2, 0, 0, '', cell.col, cell.shown, COUNT(*) FROM cell WHERE cell.su_id IN (SELECT id FROM kept)
        GROUP BY cell.col, cell.shown
    ORDER BY 1, 2, 3, 5"""
    found = _run(sql, _params(year, slug=slug, like=like))
    index = {col: n for n, (part, _, _, _, col, _, _) in enumerate(r for r in found if r[0] == 0)}
    titles = [text for part, _, _, text, *_ in found if part == 0]
    rows, summary = {}, [{} for _ in titles]
    for part, _pos, row_id, name, col, shown, n in found:
        if part == 1:
            row = rows.setdefault(row_id, (name, [""] * len(titles)))
            if col is not None:
                row[1][index[col]] = shown or ""
        elif part == 2 and shown is not None:
            summary[index[col]][shown] = n
    return titles, list(rows.values()), summary


def _by_category(part_sql):
    return f"""JOIN assessment_scheme s ON s.id = {part_sql}.scheme_id
        JOIN assessment_category k ON k.id = s.category_id"""


def year_page(year):
    """The year page's table: per category, [(what, shown text, n)]: its cells by shown text, the units with a
    * left, its units, its columns (the page's counts, GROUP BYs). Not read: the recent batches and changes."""
    sql = f"""{_with()}
    SELECT k."order", k.name, 'cells', cell.shown, COUNT(*) FROM cell {_by_category("cell")}
        GROUP BY k."order", k.name, cell.shown
    UNION ALL
    SELECT k."order", k.name, 'pending units', '', COUNT(DISTINCT cell.unit_id) FROM cell {_by_category("cell")}
        WHERE cell.shown = %(pending)s GROUP BY k."order", k.name
    UNION ALL
    SELECT k."order", k.name, 'units', '', COUNT(*) FROM assessment_schemeunit su {_by_category("su")}
        WHERE s.year = %(year)s GROUP BY k."order", k.name
    UNION ALL
    SELECT k."order", k.name, 'columns', '', COUNT(*) FROM assessment_indicator i {_by_category("i")}
        WHERE s.year = %(year)s GROUP BY k."order", k.name
    ORDER BY 1, 3, 4"""
    return _grouped(_run(sql, _params(year)))


def _grouped(found):
    result = {}
    for _order, category, *rest in found:
        result.setdefault(category, []).append(tuple(rest))
    return result


def overview(year):
    """The overview's figures: per category, [(what, label, detail, n)]: each column's cells by shown text (its
    bars), the * cells by due status, the 8 units with most * or 0 cells, the 50 earliest overdue cells; then
    the cases and requests waiting (GROUP BYs and window functions). Not read: the issues' trend, which the
    page takes from the published snapshots."""
    pending = f"pending AS (SELECT cell.*, {STATUS} AS status FROM cell WHERE cell.shown = %(pending)s)"
    behind = """behind AS (
        SELECT cell.scheme_id, cell.unit_id, COUNT(*) AS n,
               ROW_NUMBER() OVER (PARTITION BY cell.scheme_id ORDER BY COUNT(*) DESC, MIN(su."order"), MIN(su.id))
               AS place
        FROM cell JOIN assessment_schemeunit su ON su.id = cell.su_id
        WHERE cell.shown IN (%(pending)s, '0') GROUP BY cell.scheme_id, cell.unit_id
    )"""
    overdue = """overdue AS (
        SELECT pending.*, ROW_NUMBER() OVER (PARTITION BY scheme_id ORDER BY due_date, su_id, col) AS place
        FROM pending WHERE status = 'overdue'
    )"""
    sql = f"""{_with()}, {pending}, {behind}, {overdue}
    SELECT k."order", k.name, 0, i."order", i.title, cell.shown, COUNT(*) FROM cell {_by_category("cell")}
        JOIN assessment_indicator i ON i.id = cell.indicator_id
        GROUP BY k."order", k.name, i."order", i.title, cell.shown
    UNION ALL
    SELECT k."order", k.name, 1, 0, pending.status, '', COUNT(*) FROM pending {_by_category("pending")}
        GROUP BY k."order", k.name, pending.status
    UNION ALL
    SELECT k."order", k.name, 2, behind.place, u.name, '', behind.n FROM behind {_by_category("behind")}
        JOIN assessment_unit u ON u.id = behind.unit_id WHERE behind.place <= 8
    UNION ALL
    SELECT k."order", k.name, 3, overdue.place, u.name || ' · ' || i.title, CAST(overdue.due_date AS TEXT), 0
        FROM overdue {_by_category("overdue")}
        JOIN assessment_unit u ON u.id = overdue.unit_id JOIN assessment_indicator i ON i.id = overdue.indicator_id
        WHERE overdue.place <= 50
    UNION ALL
    SELECT 2147483647, '待办', 4, 0, '待审核案例', '', COUNT(*) FROM cases_case
        WHERE year = %(year)s AND status IN (%(submitted)s, %(resubmitted)s)
    UNION ALL
    SELECT 2147483647, '待办', 5, 0, '待审核申请', '', COUNT(*) FROM assessment_markrequest r
        JOIN assessment_mark m ON m.id = r.mark_id JOIN assessment_indicator i ON i.id = m.indicator_id
        JOIN assessment_scheme s ON s.id = i.scheme_id WHERE r.status = %(submitted)s AND s.year = %(year)s
    ORDER BY 1, 3, 4, 5, 6"""
    params = _params(year, submitted=CaseStatus.SUBMITTED, resubmitted=CaseStatus.RESUBMITTED)
    return _grouped(_run(sql, params))


def units_index(year):
    """The units index's page 1: [(category, unit name, cells showing *, open requests, units in all)], the first
    100 enrolled units of `year` in the page's order. The cells are read for those units only."""
    page = f"""page AS (
        SELECT u.id, u.name, k.name AS category, k."order" AS category_order, su."order" AS pos,
               COUNT(*) OVER () AS total
        FROM assessment_unit u JOIN assessment_category k ON k.id = u.category_id
        JOIN assessment_schemeunit su ON su.unit_id = u.id JOIN assessment_scheme s ON s.id = su.scheme_id
        WHERE s.year = %(year)s ORDER BY k."order", su."order", u.id LIMIT {ROWS}
    )"""
    sql = f"""{_with(page, units="SELECT id FROM page")}
    SELECT page.category, page.name,
        (SELECT COUNT(*) FROM cell WHERE cell.unit_id = page.id AND cell.shown = %(pending)s),
        (SELECT COUNT(*) FROM assessment_markrequest r JOIN assessment_mark m ON m.id = r.mark_id
            JOIN assessment_indicator i ON i.id = m.indicator_id JOIN assessment_scheme s ON s.id = i.scheme_id
            WHERE r.status = %(submitted)s AND m.unit_id = page.id AND s.year = %(year)s),
        page.total
    FROM page ORDER BY page.category_order, page.pos, page.id"""
    return _run(sql, _params(year, submitted=CaseStatus.SUBMITTED))


def scores(year):
    """The scores page's page 1: [(category, unit name, rank, tied, deduction, year-end deduction)], the first 100
    enrolled units in ranking order, from the stored totals (assessment_unityearscore, as
    assessment/scoring/stored.py reads them; competition ranks by the year-end deduction within a category).
    The totals as stored: the page refreshes stale ones first, and the benchmark requests it before this one.
    Not read: the units' score lines (the explanations), which the page makes for its 100 units."""
    sql = f"""SELECT k.name, u.name,
        RANK() OVER (PARTITION BY su.scheme_id ORDER BY sc.year_end_deduction),
        COUNT(*) OVER (PARTITION BY su.scheme_id, sc.year_end_deduction),
        sc.deduction, sc.year_end_deduction
    FROM assessment_schemeunit su JOIN assessment_scheme s ON s.id = su.scheme_id
    JOIN assessment_category k ON k.id = s.category_id JOIN assessment_unit u ON u.id = su.unit_id
    LEFT JOIN assessment_unityearscore sc ON sc.scheme_unit_id = su.id
    WHERE s.year = %(year)s
    ORDER BY k."order", s.id, sc.year_end_deduction, su."order", su.id LIMIT {ROWS}"""
    return _run(sql, {"year": year})


def quarterly(year):
    """The quarterly table's page 1: [(category, unit name, cases of quarters 1–4, offline records over several
    quarters)], the first 100 units of the year's 奖惩案例 columns in order, counted as cases.counts does
    (accepted cases and offline records). Not read: the duty per quarter, what is missed, the deductions, the
    counts of units short of the duty above each table."""
    page = f"""page AS (
        SELECT k."order" AS category_order, i."order" AS col, su."order" AS pos, su.id, su.unit_id,
               k.name AS category, u.name
        FROM assessment_indicator i JOIN assessment_scheme s ON s.id = i.scheme_id
        JOIN assessment_category k ON k.id = s.category_id
        JOIN assessment_schemeunit su ON su.scheme_id = s.id JOIN assessment_unit u ON u.id = su.unit_id
        WHERE s.year = %(year)s AND i.accepts_count ORDER BY k."order", i."order", su."order", su.id LIMIT {ROWS}
    )"""
    counted = """counted AS (
        SELECT source_unit_id AS unit_id, quarter AS first_q, quarter AS last_q, COUNT(*) AS n FROM cases_case
        WHERE year = %(year)s AND status = %(accepted)s AND source_unit_id IN (SELECT unit_id FROM page)
        GROUP BY source_unit_id, quarter
        UNION ALL
        SELECT unit_id, first_quarter, last_quarter, SUM("count") FROM cases_casecountrecord
        WHERE year = %(year)s AND unit_id IN (SELECT unit_id FROM page) GROUP BY unit_id, first_quarter, last_quarter
    )"""
    quarters = ", ".join(f"SUM(CASE WHEN c.first_q = {q} AND c.last_q = {q} THEN c.n ELSE 0 END)" for q in (1, 2, 3, 4))
    sql = f"""WITH {page}, {counted}
    SELECT page.category, page.name, {quarters}, SUM(CASE WHEN c.first_q <> c.last_q THEN c.n ELSE 0 END)
    FROM page LEFT JOIN counted c ON c.unit_id = page.unit_id
    GROUP BY page.category_order, page.col, page.pos, page.id, page.category, page.name
    ORDER BY page.category_order, page.col, page.pos, page.id"""
    return _run(sql, {"year": year, "accepted": CaseStatus.ACCEPTED})


def case_list():
    """The case list's page 1 for the office: [(id, title, kind, source, year, quarter, status, submitted at,
    for the bulletin, cases in all)], the 20 latest by submission, as cases.views orders them."""
    sql = f"""SELECT id, title, kind, source_label, year, quarter, status, submitted_at, for_bulletin, COUNT(*) OVER ()
    FROM cases_case ORDER BY submitted_at DESC, id DESC LIMIT {CASES}"""
    return _run(sql, None)
