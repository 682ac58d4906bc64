"""Reading the marks' history: who changed which cell, when, from what to what, and how.

Every entry comes with the value before it, fetched in the same query (a subquery on the
previous entry of the same mark), so history lists stay at a fixed number of queries.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import OuterRef, Subquery, prefetch_related_objects

from assessment import cells
from assessment.models import ChangeBatch, Indicator, Mark, Scheme, cell_text
from assessment.raw_sql import quoted_table
from core.people import display_name

HistoricalMark = Mark.history.model


@dataclass
class Change:
    """One history entry of a mark, with its value before and after.

    `cell`: the cell as it is shown now (assessment.cells.Cell), when the caller has it. A derived column
    (奖惩案例) stores only its word; its number is counted from other records, so its entries read as
    the cell does, with the number counted now (cells.derived_text), never the bare * kept under it.
    """

    entry: object
    cell: object = None

    def _text(self, state, count):
        if self.cell is not None and self.cell.derived:
            return cells.derived_text(state, self.cell.count)
        return cell_text(state, count)

    @property
    def old(self):
        if self.entry.history_type == "+":
            return None
        return self._text(self.entry.old_state, self.entry.old_count)

    @property
    def new(self):
        return self._text(self.entry.state, self.entry.count)

    @property
    def who(self):
        return display_name(self.entry.history_user)

    @property
    def how(self):
        return self.entry.history_change_reason or ""

    @property
    def when(self):
        return self.entry.history_date

    @property
    def batch(self):
        return self.entry.batch

    @property
    def unit(self):
        return self.entry.unit

    @property
    def indicator(self):
        return self.entry.indicator


def with_previous(entries):
    """History entries annotated with the previous entry's state and count (one query in all)."""
    previous = HistoricalMark.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by(
        "-history_id"
    )
    return entries.annotate(
        old_state=Subquery(previous.values("state")[:1]),
        old_count=Subquery(previous.values("count")[:1]),
    )


def _entries():
    return with_previous(
        HistoricalMark.objects.select_related("history_user", "batch", "unit", "indicator__scheme__category").order_by(
            "-history_date", "-history_id"
        )
    )


def mark_changes(mark, cell=None):
    """Every entry of one cell, newest first (its creation included); `cell`: the cell as shown now."""
    return [Change(e, cell) for e in _entries().filter(id=mark.pk)]


def marks_changes(marks, limit, shown=None):
    """The entries of some cells (a unit's page), newest first: the first `limit`, and how many in all.

    `shown`: {mark id: Cell} as the page shows them (assessment.cells), so derived cells read as shown.
    """
    ids = [m.pk for m in marks]
    shown = shown or {}
    entries = _entries().filter(id__in=ids)
    changes = [Change(e, shown.get(e.id)) for e in entries[:limit]]
    return changes, HistoricalMark.objects.filter(id__in=ids).count()


def _of_year(entry):
    """FROM … WHERE of `entry`'s history entries (its alias) whose indicator is in the year (a parameter)."""
    indicator, scheme = quoted_table(Indicator), quoted_table(Scheme)
    return f"JOIN {indicator} i ON i.id = {entry}.indicator_id JOIN {scheme} s ON s.id = i.scheme_id WHERE s.year = %s"


def year_changes(year, limit=30):
    """The latest modifications of a year's marks (creations left out: loading or copying a year), as
    `_entries` gives them (tests/test_year_page.py compares).

    The year page's list: one written-out query of the entries with their previous values (`with_previous`'s
    subqueries), then their units, indicators, authors and batches by id, only when there are entries. The
    ORM's compile of `_entries`' five joins and two subqueries was 3 ms of the page whether or not it found any.
    """
    table, count = quoted_table(HistoricalMark), connection.ops.quote_name("count")
    previous = f"FROM {table} p WHERE p.id = h.id AND p.history_id < h.history_id ORDER BY p.history_id DESC LIMIT 1"
    sql = (
        f"SELECT h.*, (SELECT p.state {previous}) AS old_state, (SELECT p.{count} {previous}) AS old_count"
        f" FROM {table} h {_of_year('h')} AND h.history_type = %s"
        " ORDER BY h.history_date DESC, h.history_id DESC LIMIT %s"
    )
    entries = list(HistoricalMark.objects.raw(sql, [year, "~", limit]))
    if entries:
        prefetch_related_objects(entries, "history_user", "batch", "unit", "indicator")
    return [Change(e) for e in entries]


def batch_changes(batch):
    """The entries of a batch, in the order they were made, with the cell's present version."""
    current = Mark.objects.filter(pk=OuterRef("id"))
    entries = (
        _entries()
        .filter(batch=batch)
        .annotate(
            current_version=Subquery(current.values("version")[:1]),
            current_state=Subquery(current.values("state")[:1]),
            current_count=Subquery(current.values("count")[:1]),
        )
        .order_by("history_id")
    )
    return [Change(e) for e in entries]


def _batches(where, params, limit):
    """Batches (bulk sets, imports, undos) with entries of the cells `where` keeps (SQL over the entry `h` and its
    indicator `i`), newest first, each with its number of cells: one written-out query, the batches' authors asked
    by id only when there are batches (the ORM's compile of the annotated join was 1.5 ms of a page whether or not
    it found any). tests/test_year_page.py compares both lists with the ORM's."""
    batches = list(
        ChangeBatch.objects.raw(
            f"SELECT b.*, COUNT(*) AS cells FROM {quoted_table(ChangeBatch)} b"
            f" JOIN {quoted_table(HistoricalMark)} h ON h.batch_id = b.id"
            f" JOIN {quoted_table(Indicator)} i ON i.id = h.indicator_id {where}"
            " GROUP BY b.id ORDER BY b.created_at DESC, b.id DESC LIMIT %s",
            [*params, limit],
        )
    )
    if batches:
        prefetch_related_objects(batches, "created_by", "undone_by", "undo_of")
    return batches


def year_batches(year, limit=10):
    """The latest batches of a year's cells (the year page's list)."""
    return _batches(f"JOIN {quoted_table(Scheme)} s ON s.id = i.scheme_id WHERE s.year = %s", [year], limit)


def scheme_batches(scheme_id, limit=10):
    """The latest batches of a table's cells (the grid's list)."""
    return _batches("WHERE i.scheme_id = %s", [scheme_id], limit)
