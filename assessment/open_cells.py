"""The cells showing * of whole columns: counted by due status, the first overdue and the units with the most.

A country's year has tens of thousands of cells showing *; the overview shows how many are of each due status,
the first few overdue and the few units with the most, never all of them. A * cell's due status is its column's
(assessment.due: the column's rule as of the day) unless the office changed that cell's date (DueOverride: a
few): so a column's * cells are counted under the column's status, and only the changed cells are asked their
own (`OpenCells.statuses`). The first overdue cells and the units with the most * are asked of the database,
ordered and limited (`first_overdue`, `most_open`), the derived columns' cells (奖惩案例, one column a table)
asked once by the caller (`tallies.derived_columns`). The statuses are assessment.due's, the cells those of
assessment.cells: the same numbers as every Cell's (tests/test_overview_counts.py).
"""

import functools
import heapq
from collections import Counter, defaultdict

from django.db import connection
from django.db.models import Q

from . import derived
from . import due as due_rules
from .due import DueStatus
from .models import DueOverride, Indicator, Mark, MarkState, SchemeUnit
from .raw_sql import fetch, quoted_table
from .tallies import PENDING_MARKS

# A typed cell counted as not done: * or the number 0 (the overview's units behind).
OPEN_MARKS = PENDING_MARKS | Q(count=0)
# Units read past the last place shown when a derived column's * may lift them over it (`most_open`): enough for
# the ties of a country's table (150 within one of the 8th at 20,000 units), so a second query is rare.
READ_AHEAD = 500


# The marks' conditions the queries below use, each the one Q of its rule.
CONDITIONS = {"pending": PENDING_MARKS, "open": OPEN_MARKS}


@functools.cache
def _condition(name, vendor):
    """CONDITIONS[name] as SQL over the mark table's columns ("assessment_mark"."state"…) and its parameters,
    compiled by the ORM once a process (per kind of database): the rule stays its Q, while the queries that use it
    are written out (an ORM query's compile was most of their CPU)."""
    query = Mark.objects.filter(CONDITIONS[name]).query
    sql, params = query.get_compiler(connection.alias).compile(query.where)
    return sql, tuple(params)


def _marks(name, indicator_ids):
    """(SQL, params): the condition that a mark is of these columns and kept by CONDITIONS[name]."""
    condition, params = _condition(name, connection.vendor)
    listed = ", ".join(["%s"] * len(indicator_ids))
    return f"{quoted_table(Mark)}.indicator_id IN ({listed}) AND {condition}", [*indicator_ids, *params]


def _changed(negated=False):
    """SQL: the office changed the mark's due date (a DueOverride of its unit × indicator), or (`negated`) not."""
    mark = quoted_table(Mark)
    return (
        f"{'NOT ' if negated else ''}EXISTS (SELECT 1 FROM {quoted_table(DueOverride)} d"
        f" WHERE d.unit_id = {mark}.unit_id AND d.indicator_id = {mark}.indicator_id)"
    )


class OpenCells:
    """The * cells of `schemes` (indicators prefetched) as of `as_of`, read by columns.

    `derived_read`: the derived columns as `tallies.derived_columns` asks them. One query for the office's changed
    dates, one more for the changed cells showing * when there are any. A unit's place in its table (the grid's
    row order: the enrolment's order, then its id) is read for the units shown and their rivals only, never for
    every enrolled unit.
    """

    def __init__(self, schemes, as_of, derived_read):
        self.as_of = as_of
        self.indicators = {}
        for scheme in schemes:
            for indicator in scheme.indicators.all():
                indicator.scheme = scheme  # its year, for the due rules
                self.indicators[indicator.pk] = indicator
        # (indicator id, scheme id, unit id) of the derived columns' cells showing *
        self.derived_pending = [(i.id, i.scheme_id, u) for i, u in derived_read.pending()]
        # {scheme id: Counter {unit id: its derived cells showing *}} (`most_open`)
        self.derived_by_scheme = defaultdict(Counter)
        for _, scheme_id, u in self.derived_pending:
            self.derived_by_scheme[scheme_id][u] += 1
        # A * without a changed date has its column's due (assessment.due: the rule, the day).
        self.column_due = {pk: self._due(i) for pk, i in self.indicators.items()}
        overrides = due_rules.overrides_for(self.indicators)
        changed = self._changed_pending(overrides) if overrides else []
        # {(unit id, indicator id): Due} of the * cells whose date the office changed.
        self.changed = {key: self._due(self.indicators[key[1]], overrides[key]) for key in changed}

    def _due(self, indicator, override=None):
        return due_rules.cell_due(MarkState.PENDING, indicator, indicator.scheme.year, self.as_of, override)

    def _typed(self, indicator_ids):
        return [pk for pk in indicator_ids if not derived.is_derived(self.indicators[pk])]

    def _changed_pending(self, overrides):
        """[(unit id, indicator id)] of the enrolled cells showing * whose date the office changed."""
        keys = [(u, pk) for pk, _, u in self.derived_pending if (u, pk) in overrides]
        typed = self._typed(self.indicators)
        if typed:
            mark = quoted_table(Mark)
            where, params = _marks("pending", typed)
            # enrolled in the column's scheme: the cell exists
            sql = (
                f"SELECT {mark}.unit_id, {mark}.indicator_id FROM {mark}"
                f" JOIN {quoted_table(Indicator)} i ON i.id = {mark}.indicator_id"
                f" WHERE {where} AND {_changed()} AND EXISTS (SELECT 1 FROM {quoted_table(SchemeUnit)} su"
                f" WHERE su.scheme_id = i.scheme_id AND su.unit_id = {mark}.unit_id)"
            )
            keys += fetch(sql, params)
        return keys

    @staticmethod
    def _places(scheme, unit_ids, known=None):
        """{unit id: (order, enrolment id)}: the row place of `unit_ids` in `scheme`'s table, those of `known`
        (read with the cells) and the others asked (one query when any is missing)."""
        places = dict(known or {})
        missing = sorted(set(unit_ids) - places.keys())
        if missing:
            order = connection.ops.quote_name("order")
            sql = (
                f"SELECT unit_id, {order}, id FROM {quoted_table(SchemeUnit)}"
                f" WHERE scheme_id = %s AND unit_id IN ({', '.join(['%s'] * len(missing))})"
            )
            places.update((u, (order, pk)) for u, order, pk in fetch(sql, [scheme.pk, *missing]))
        return places

    def statuses(self, indicator_id, pending):
        """Counter {DueStatus: cells} of a column with `pending` cells showing *."""
        column = self.column_due[indicator_id].status
        counts = Counter({column: pending})
        for (_, pk), cell_due in self.changed.items():
            if pk == indicator_id:
                counts[column] -= 1
                counts[cell_due.status] += 1
        return counts

    def first_overdue(self, scheme, limit):
        """[(Due, unit id, indicator id)] of the first `limit` overdue * cells of `scheme`, by due date, then in
        the table's order (row, column): at most `limit` cells of the typed columns read (ORDER BY … LIMIT)."""
        if limit <= 0:
            return []
        column = {i.pk: n for n, i in enumerate(scheme.indicators.all())}
        found = [
            (cell_due, unit_id, pk)
            for (unit_id, pk), cell_due in self.changed.items()
            if pk in column and cell_due.status == DueStatus.OVERDUE
        ]
        overdue = [pk for pk in column if self.column_due[pk].status == DueStatus.OVERDUE]
        found += [
            (self.column_due[pk], u, pk)
            for pk, _, u in self.derived_pending
            if pk in overdue and (u, pk) not in self.changed
        ]
        typed = self._typed(overdue)
        known = {}
        if typed:
            for u, pk, order, enrolment in self._first_typed(scheme, typed, column, limit):
                found.append((self.column_due[pk], u, pk))
                known[u] = (order, enrolment)
        place = self._places(scheme, {u for _, u, _ in found}, known)
        return heapq.nsmallest(limit, found, key=lambda cell: (cell[0].date, place[cell[1]], column[cell[2]]))

    def _first_typed(self, scheme, indicator_ids, column, limit):
        """[(unit id, indicator id, order, enrolment id)] of the first `limit` * cells of these typed columns without
        a changed date, by the columns' dates, then row, then column."""
        dates = sorted({self.column_due[pk].date for pk in indicator_ids})
        mark, order = quoted_table(Mark), connection.ops.quote_name("order")
        where, params = _marks("pending", indicator_ids)

        def rank(values):
            whens = " ".join(["WHEN %s THEN %s"] * len(indicator_ids))
            return f"CASE {mark}.indicator_id {whens} END", [v for pk in indicator_ids for v in (pk, values[pk])]

        by_date, date_params = rank({pk: dates.index(self.column_due[pk].date) for pk in indicator_ids})
        by_column, column_params = rank(column)
        sql = (
            f"SELECT {mark}.unit_id, {mark}.indicator_id, su.{order}, su.id FROM {mark}"
            f" JOIN {quoted_table(SchemeUnit)} su ON su.unit_id = {mark}.unit_id AND su.scheme_id = %s"
            f" WHERE {where} AND {_changed(negated=True)}"
            f" ORDER BY {by_date}, su.{order}, su.id, {by_column} LIMIT %s"
        )
        return fetch(sql, [scheme.pk, *params, *date_params, *column_params, limit])

    def most_open(self, scheme, limit):
        """[(unit id, cells)] of the `limit` units of `scheme` with the most cells showing * or 0, most first, then
        in row order (units with none left out).

        The typed columns' cells are counted per unit by the database, ordered by count and row and limited
        (GROUP BY unit ORDER BY count DESC LIMIT). A derived column's * (one a unit and column at most, read by
        the caller) is added after: then every unit that can still reach the last place shown — its typed count
        at least that place's less the derived columns — must be read: the first READ_AHEAD after it are, and
        only when those are all still that close are they read again (HAVING), never every unit.
        """
        if limit <= 0:
            return []
        indicators = list(scheme.indicators.all())
        typed = self._typed(i.pk for i in indicators)
        extra = self.derived_by_scheme.get(scheme.pk, Counter())
        derived_columns = sum(1 for i in indicators if derived.is_derived(i))
        found = Counter()
        if typed:
            # With a derived column, the units just after the last place may pass it: read a few hundred more.
            top = self._open_counts(scheme, typed, limit=limit + READ_AHEAD if extra else limit)
            if extra and len(top) > limit:
                floor = top[limit - 1][1] - derived_columns
                if len(top) == limit + READ_AHEAD and top[-1][1] >= floor:
                    top = self._open_counts(scheme, typed, floor=floor)  # more tied near the last place than read
            found.update({u: n for u, n, _, _ in top})
            known = {u: (order, enrolment) for u, _, order, enrolment in top}
        else:
            known = {}
        # A unit left out above cannot place whatever its derived * add; one not counted above has no typed one.
        # The units counted above get theirs; the others have at most one a derived column, so they are read (and
        # their places asked) only when the last place shown has no more than that: never, in a country's table.
        for u in found:
            found[u] += extra.get(u, 0)
        shown = heapq.nlargest(limit, found.values())
        if len(shown) < limit or shown[-1] <= derived_columns:
            found.update({u: n for u, n in extra.items() if u not in known})
        place = self._places(scheme, [u for u, n in found.items() if n], known)
        return heapq.nsmallest(
            limit, ((u, n) for u, n in found.items() if n), key=lambda item: (-item[1], place[item[0]])
        )

    @staticmethod
    def _open_counts(scheme, typed, *, limit=None, floor=None):
        """[(unit id, cells, order, enrolment id)] of `scheme`'s enrolled units by their cells of the typed columns
        `typed` showing * or 0 (OPEN_MARKS), most first, then in row order: the first `limit`, or those with at
        least `floor`. One GROUP BY written out, its condition the ORM's (`_condition`)."""
        mark, order = quoted_table(Mark), connection.ops.quote_name("order")
        where, params = _marks("open", typed)
        sql = (
            f"SELECT {mark}.unit_id, COUNT(*) AS n, su.{order}, su.id FROM {mark}"
            f" JOIN {quoted_table(SchemeUnit)} su ON su.unit_id = {mark}.unit_id AND su.scheme_id = %s"
            f" WHERE {where} GROUP BY {mark}.unit_id, su.{order}, su.id"
        )
        params = [scheme.pk, *params]
        if floor is not None:
            sql += " HAVING COUNT(*) >= %s"
            params.append(floor)
        sql += f" ORDER BY n DESC, su.{order}, su.id"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        return fetch(sql, params)
