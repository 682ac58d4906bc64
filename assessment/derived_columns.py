"""The derived columns' cells (奖惩案例) counted and listed by the database, not made unit by unit.

A derived cell's word is its mark's (or * without one) and its number the derivation's (assessment.derived):
a country's column has 20,000 cells, and making each from the marks and the case counts in Python was most of
the grid's, the year page's and the overview's time. Here each column is one query: its enrolled units joined
to their marks of the column and to the derivation's numbers (`Derivation.number_sql`, summed by unit),
grouped by (word, number) for the tallies, filtered to the cells showing * for the filters. Joins, not a
subquery per unit: PostgreSQL hashes the three row sets once (a subquery per unit was 70 ms at 20,000 units,
and its cost estimate set the JIT compiler off for 190 ms more). The words and texts are still
assessment.cells' (`derived_word_and_text`), applied once per group, so the counts equal the ones made from
every Cell (tests/test_tallies.py).
"""

from django.db import connection

from . import cells, derived, raw_sql
from .models import Mark, MarkState, SchemeUnit

# A derived cell shows * when its mark holds no word (or *) and nothing is counted (cells.derived_word_and_text).
_NO_WORD = ("", MarkState.PENDING)
# A mark without a word and no number counted (without a mark there is no cell).
_SHOWS_PENDING = f"AND m.state IN ({', '.join(['%s'] * len(_NO_WORD))}) AND COALESCE(c.n, 0) = 0"


def _numbers_key(indicator):
    """Columns with the same key have the same numbers: those of one derivation in one year."""
    return type(derived.derivation_for(indicator)), indicator.scheme.year


class DerivedColumns:
    """The derived columns among `indicators` (each with its `scheme` set), asked of the database.

    `unit_ids`: the cells of these units only (a list, or a queryset of unit ids), unless a call names others.
    What is read is kept, so a page that tallies and filters the same columns shares one instance.
    """

    def __init__(self, indicators, unit_ids=None):
        self.indicators = [i for i in indicators if derived.is_derived(i)]
        self.unit_ids = raw_sql.ids_of(unit_ids)
        self._read = {}
        self._numbers = {}  # {(derivation type, year): (sql, params)} of its numbers by unit, asked once

    def __bool__(self):
        return bool(self.indicators)

    def numbers(self, unit_ids):
        """{(unit id, indicator id): number} of the units among `unit_ids` (a list: a page's rows) with a number in
        the derived columns: the derivation's (`Derivation.number_sql`, as its `counts`), one query a derivation
        and year (the numbers' SQL shared with the columns' other queries)."""
        unit_ids = list(unit_ids)
        columns = {}
        for indicator in self.indicators:
            columns.setdefault(_numbers_key(indicator), []).append(indicator)
        found = {}
        for indicators in columns.values() if unit_ids else ():
            numbers, params = self._numbers_sql(indicators[0])
            rows = raw_sql.fetch(
                f"SELECT counted_unit, n FROM ({numbers}) c WHERE counted_unit IN ({raw_sql.placeholders(unit_ids)})",
                [*params, *unit_ids],
            )
            for unit_id, n in rows:
                found.update({(unit_id, indicator.pk): int(n) for indicator in indicators})
        return found

    def _numbers_sql(self, indicator):
        """SELECT counted_unit, n: the derivation's number of each unit with one (`Derivation.number_sql`)."""
        derivation = derived.derivation_for(indicator)
        key = _numbers_key(indicator)
        if key not in self._numbers:
            self._numbers[key] = derivation.number_sql(indicator.scheme.year)
        return self._numbers[key]

    def _sql(self, indicator, unit_ids, select, where="", where_params=(), select_params=()):
        """(sql, params): `select` (with `select_params`) over the column's enrolled units su (of `unit_ids`), with
        the mark's word m.state (NULL without a mark) and the number c.n (NULL without one); `where` adds conditions
        (with `where_params`)."""
        numbers, params = self._numbers_sql(indicator)
        sql = (
            f"SELECT {select} FROM {raw_sql.quoted_table(SchemeUnit)} su"
            f" LEFT JOIN {raw_sql.quoted_table(Mark)} m ON m.unit_id = su.unit_id AND m.indicator_id = %s"
            f" LEFT JOIN ({numbers}) c ON c.counted_unit = su.unit_id"
            f" WHERE su.scheme_id = %s"
        )
        params = [*select_params, indicator.pk, *params, indicator.scheme_id]
        if unit_ids is not None:
            condition, more = raw_sql.in_condition("su.unit_id", unit_ids)
            sql += f" AND {condition}"
            params += more
        return f"{sql} {where}", [*params, *where_params]

    def _query(self, indicator, unit_ids, select, where="", where_params=(), tail="", select_params=()):
        sql, params = self._sql(indicator, unit_ids, select, where, where_params, select_params)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} {tail}", params)
            return cursor.fetchall()

    def _per_column(self, what, unit_ids, read):
        """{indicator id: read(indicator, unit ids)} of every column, read once per `what` and units (the
        instance's when `unit_ids` is None); an empty list of units reads nothing."""
        unit_ids = self.unit_ids if unit_ids is None else raw_sql.ids_of(unit_ids)
        key = (what, unit_ids if unit_ids is None or isinstance(unit_ids, raw_sql.Subquery) else tuple(unit_ids))
        if key not in self._read:
            asked = unit_ids is None or bool(unit_ids)
            self._read[key] = {i.pk: read(i, unit_ids) if asked else [] for i in self.indicators}
        return self._read[key]

    def words(self, unit_ids=None):
        """{indicator id: [(word, shown number or None, how many cells)]}, as tallies.Tallies.words."""
        return self._per_column("words", unit_ids, self._words)

    def words_and_part(self, part, condition, params):
        """Read `words()` and `words(part)` in one query a column (each kept as those calls keep what they read):
        `part` the Subquery of the enrolled units for which `condition` holds (SQL over su, the enrolled row of these
        queries, with `params`). The grid's 未完成 counts every column and the rows it leaves out: one pass over the
        column's units and numbers instead of two. Only for an instance of every unit (no `unit_ids`)."""
        if self.unit_ids is not None:
            raise ValueError("words_and_part reads every unit's words")
        number, flag = "COALESCE(c.n, 0)", f"CASE WHEN {condition} THEN 1 ELSE 0 END"
        whole, of_part = {}, {}
        for indicator in self.indicators:
            groups = self._query(
                indicator, None, f"m.state, {number}, {flag}, COUNT(*)", tail="GROUP BY 1, 2, 3", select_params=params
            )
            whole[indicator.pk] = self._tally((word, n, cells) for word, n, _, cells in groups)
            of_part[indicator.pk] = self._tally((word, n, cells) for word, n, inside, cells in groups if inside)
        self._read[("words", None)] = whole
        self._read[("words", part)] = of_part

    def _words(self, indicator, unit_ids):
        number = "COALESCE(c.n, 0)"
        groups = self._query(indicator, unit_ids, f"m.state, {number}, COUNT(*)", tail=f"GROUP BY m.state, {number}")
        return self._tally(groups)

    @staticmethod
    def _tally(groups):
        """[(word, shown number or None, cells)] of (mark word or None, number counted, cells) groups."""
        tally = {}
        for word, n_counted, n in groups:
            if word is None and not n_counted:
                continue  # no mark and nothing counted: no cell (as assessment.cells)
            state, text = cells.derived_word_and_text(word or "", n_counted)
            shown = (state, cells.shown_count(text))
            tally[shown] = tally.get(shown, 0) + n
        return [(state, number, n) for (state, number), n in tally.items()]

    def pending(self, unit_ids=None, columns=None):
        """[(indicator, unit id)] of the cells showing *, in the indicators' order, then by unit id; of the
        indicators `columns` only (Indicators, or all of them when None)."""
        found = self._per_column("pending", unit_ids, self._pending)
        wanted = None if columns is None else {i.pk for i in columns}
        return [(i, unit_id) for i in self.indicators if wanted is None or i.pk in wanted for unit_id in found[i.pk]]

    def pending_sql(self, indicator, unit_ids=None):
        """(sql, params) of `SELECT su.unit_id` of the column's cells showing * (of `unit_ids`, else the instance's),
        for a query that counts them beside other cells (tallies.pending_unit_counts) rather than reading them."""
        unit_ids = self.unit_ids if unit_ids is None else raw_sql.ids_of(unit_ids)
        return self._sql(indicator, unit_ids, "su.unit_id", _SHOWS_PENDING, _NO_WORD)

    def _pending(self, indicator, unit_ids):
        sql, params = self.pending_sql(indicator, unit_ids)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY su.unit_id", params)
            rows = cursor.fetchall()
        return [unit_id for (unit_id,) in rows]
