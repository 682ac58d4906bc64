"""The live ranking read a page at a time: ranks by the database over the stored scores, only the page's units made.

A country's ranking has 20,000 units and a page shows 100. Once the stored scores are current
(`stored.make_current`), the database ranks every unit of each category (RANK() OVER the year-end deduction, as
`stored.year_ranking` ranks them: competition ranks 1, 2, 2, 4 and ties marked), applies the filters after ranking
(a rank on a filtered page is still the unit's rank in its category), counts the rows for the pager and returns
one page of them. Only those units become UnitScores, their lines made when shown (`stored.load_lines`).
"""

from django.db import connection

from assessment.models import Category, Scheme, SchemeUnit, Unit, UnitYearScore
from assessment.raw_sql import field_reader
from assessment.scoring.categories import CategoryScores
from assessment.scoring.lines import UnitScore
from assessment.scoring.stored import UnitLines


def _ranked_sql(year, scheme_ids, query):
    """(SQL, params) of every enrolled unit of `year` ranked in its scheme, filtered by `scheme_ids` and `query`
    (part of the unit's name, any case) after ranking, in the page order of year_ranking."""
    su, scheme, category, unit, score = (m._meta.db_table for m in (SchemeUnit, Scheme, Category, Unit, UnitYearScore))
    sql = (
        "SELECT r.id, r.scheme_id, r.unit_id, r.name, r.deduction, r.year_end_deduction, r.rank, r.same FROM ("
        f' SELECT su.id, su.scheme_id, su.unit_id, u.name, c."order" AS category_order, su."order" AS unit_order,'
        " sc.deduction, sc.year_end_deduction,"
        " RANK() OVER (PARTITION BY su.scheme_id ORDER BY sc.year_end_deduction) AS rank,"
        " COUNT(*) OVER (PARTITION BY su.scheme_id, sc.year_end_deduction) AS same"
        f" FROM {su} su JOIN {scheme} s ON s.id = su.scheme_id JOIN {category} c ON c.id = s.category_id"
        f" JOIN {unit} u ON u.id = su.unit_id LEFT JOIN {score} sc ON sc.scheme_unit_id = su.id"
        " WHERE s.year = %s) r WHERE 1 = 1"
    )
    params = [year]
    if scheme_ids is not None:
        sql += f" AND r.scheme_id IN ({', '.join(['%s'] * len(scheme_ids))})"
        params += list(scheme_ids)
    if query:
        escaped = query.lower().replace("!", "!!").replace("%", "!%").replace("_", "!_")
        sql += " AND LOWER(r.name) LIKE %s ESCAPE '!'"
        params.append(f"%{escaped}%")
    return sql, params


class RankedRows:
    """The ranking's rows as core.paging reads them: `count()` and a slice, each one query.

    A slice is a list of (CategoryScores, UnitScore) in page order; a UnitScore's lines are made when read.
    """

    ORDER = " ORDER BY r.category_order, r.scheme_id, r.year_end_deduction, r.unit_order, r.id"

    def __init__(self, lines, sections, *, scheme_ids=None, query=""):
        self.year, self.lines, self.query = lines.year, lines, query.casefold()
        self.scheme_ids = scheme_ids
        self.rules = lines.rules
        self.sections = dict(zip(self.rules, sections, strict=True))
        self._count = None

    def _sql(self):
        return _ranked_sql(self.year, self.scheme_ids, self.query)

    def count(self):
        if self._count is None:
            sql, params = self._sql()
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM ({sql}) page", params)
                self._count = cursor.fetchone()[0]
        return self._count

    __len__ = count

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("RankedRows 只支持连续切片")
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        if stop <= start:
            return []
        sql, params = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql}{self.ORDER} LIMIT %s OFFSET %s", [*params, stop - start, start])
            found = cursor.fetchall()
        read = [field_reader(UnitYearScore, name) for name in ("deduction", "year_end_deduction")]
        result = []
        for _, scheme_id, unit_id, name, deduction, year_end_deduction, rank, same in found:
            score = UnitScore.under(
                self.rules[scheme_id],
                unit_id,
                name,
                lines=None,
                totals=(read[0](deduction), read[1](year_end_deduction)),
                line_maker=UnitLines(self.lines, (scheme_id, unit_id)),
                rank=rank,
            )
            score.tied = same > 1
            result.append((self.sections[scheme_id], score))
        return result


def section_of(rules):
    """A category's heading on the ranking page: its CategoryScores without units (the page's rows carry them)."""
    return CategoryScores.of_rules(rules, [])
