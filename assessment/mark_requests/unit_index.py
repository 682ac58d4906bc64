"""The units index (/units/): the year's enrolled units, 100 a page, with their cells showing * and open requests.

A country has 20,000 units. The pager counts them and reads its page's alone, as tuples with their open requests
(`EnrolledUnits`: two raw queries, the ORM's compiling of these joins was most of the page's own time); their *
come from the stored tallies (assessment.tallies.pending_counts); the rows are written here as the template's
loop wrote them (`rows_html`), not by the template.
"""

from html import escape
from typing import NamedTuple

from django.utils.safestring import mark_safe

from assessment.models import Category, Indicator, Mark, MarkRequest, Scheme, SchemeUnit, Unit
from assessment.raw_sql import fetch, quoted_table


class IndexRow(NamedTuple):
    pk: int
    name: str
    category: str  # the unit's category's name
    open_requests: int  # its requests waiting for review about a cell of the year
    pending: int = 0  # its cells of the year showing *


class EnrolledUnits:
    """The units enrolled in a scheme of `year` in the index's order (the unit's category, its place in its
    table, its id), as core.paging.paginate slices a list: its length is counted, a slice reads only its rows
    (IndexRow, `pending` left to the caller). A unit enrolled twice in the year is listed twice, as the join
    of Unit and SchemeUnit always did."""

    def __init__(self, year):
        self.year = year

    def _enrolled(self, select, tail=""):
        return (
            f"SELECT {select} FROM {quoted_table(Unit)} u"
            f" JOIN {quoted_table(SchemeUnit)} su ON su.unit_id = u.id"
            f" JOIN {quoted_table(Scheme)} s ON s.id = su.scheme_id"
            f" JOIN {quoted_table(Category)} k ON k.id = u.category_id"
            f" WHERE s.year = %s {tail}"
        )

    def __len__(self):
        [(count,)] = fetch(self._enrolled("COUNT(*)"), [self.year])
        return count

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1) or index.start is None or index.stop is None:
            raise TypeError("EnrolledUnits is read by slices of a page")
        if index.stop <= index.start:
            return []
        waiting = (
            f"SELECT COUNT(*) FROM {quoted_table(MarkRequest)} r JOIN {quoted_table(Mark)} m ON m.id = r.mark_id"
            f" JOIN {quoted_table(Indicator)} i ON i.id = m.indicator_id"
            f" JOIN {quoted_table(Scheme)} rs ON rs.id = i.scheme_id"
            " WHERE r.status = %s AND m.unit_id = u.id AND rs.year = %s"
        )
        sql = self._enrolled(
            f"u.id, u.name, k.name, ({waiting})", 'ORDER BY k."order", su."order", u.id LIMIT %s OFFSET %s'
        )
        params = [MarkRequest.Status.SUBMITTED.value, self.year, self.year, index.stop - index.start, index.start]
        return [IndexRow(*row) for row in fetch(sql, params)]


# the indentation the template's loop printed: a row, its cells
_TR, _TD = "\n" + " " * 6, "\n" + " " * 8


def rows_html(rows, link):
    """The <tr> of these IndexRows as one safe string, as templates/units/index.html's loop printed them (its
    whitespace kept): the category, the unit's name linking its page (`link`: core.links.IdLink of units:detail),
    its cells showing * (— for none), its open requests (— for none). Every text is escaped; the counts are ints."""
    prefix, suffix = escape(link.prefix), escape(link.suffix)
    parts = []
    for row in rows:
        pending = f'<span class="pending-count">{row.pending}</span>' if row.pending else "—"
        parts.append(
            f"{_TR}<tr>{_TD}<td>{escape(row.category)}</td>"
            f'{_TD}<td><a href="{prefix}{row.pk}{suffix}">{escape(row.name)}</a></td>'
            f"{_TD}<td>{pending}</td>{_TD}<td>{row.open_requests or '—'}</td>{_TR}</tr>\n    "
        )
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped or an int
