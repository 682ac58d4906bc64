"""A published version's content as the web shows it, rendered once each and kept: the issue's page and, for a
table longer than a page, that table's further pages.

A version never changes, so neither does its rendering; the page around it (navigation, the reader's name) is
rendered per request. Kept in the shared cache without expiry: the keys change with the layout.

Kunshan's tables (11 and 59 units) are shown whole, as printed. A province's or a nation's (thousands of units a
category) would make the issue's page megabytes for a reader on a phone: a table with more rows than
`settings.BULLETIN_TABLE_PAGE_ROWS` shows its first page on the issue's page, and its other pages each at
/<year>/<number>/v<version>/tables/<category>/<page>/, named by version so that a link never changes what it
shows. The PDF, the Word file and the Excel file stay whole: they are the print.
"""

import math

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse

from . import snapshot as snapshots

# Bump when templates/bulletins/_bulletin.html or _table_pages.html change, so kept pages are made again.
PAGE_LAYOUT = 3


def _stamp(version):
    # The publication time keeps the key a version's own even if a database is rebuilt under the same cache.
    return f"{PAGE_LAYOUT}:{version.pk}:{version.published_at:%Y%m%d%H%M%S%f}:{settings.BULLETIN_TABLE_PAGE_ROWS}"


def page_key(version):
    return f"bulletins:page:{_stamp(version)}"


def _content(version):
    deferred = version.get_deferred_fields() & {"snapshot", "changes"}
    if deferred:
        version.refresh_from_db(fields=sorted(deferred))  # one query for both
    return version.snapshot, version.changes


def page_count(total_rows):
    return max(1, math.ceil(total_rows / settings.BULLETIN_TABLE_PAGE_ROWS))


def _pager(issue_head, version, table, number):
    """The links of a long table's pages: (number, url or None for the page shown) and previous/next, with one
    reversal for all of them."""
    count = page_count(table.total_rows)
    pattern = reverse(
        "bulletins:issue_table",
        args=[issue_head["year"], issue_head["number"], version.number, table.category.slug, 999999],
    ).replace("999999", "{}")
    links = [(n, None if n == number else pattern.format(n)) for n in range(1, count + 1)]
    return {
        "number": number,
        "count": count,
        "links": links,
        "previous": pattern.format(number - 1) if number > 1 else None,
        "next": pattern.format(number + 1) if number < count else None,
        "first_row": (number - 1) * settings.BULLETIN_TABLE_PAGE_ROWS + 1,
        "last_row": min(number * settings.BULLETIN_TABLE_PAGE_ROWS, table.total_rows),
    }


def published_page(version):
    """{"title", "html"} of a published version's content: long tables show their first page and their pager."""
    key = page_key(version)
    page = cache.get(key)
    if page is None:
        data, changes = _content(version)
        bulletin = snapshots.present(data, changes, page_rows=settings.BULLETIN_TABLE_PAGE_ROWS)
        for table in bulletin.tables:
            table.pager = _pager(data["issue"], version, table, 1) if len(table.rows) < table.total_rows else None
        context = {"bulletin": bulletin, "version": version, "show_changes": True}
        page = {"title": bulletin.title, "html": render_to_string("bulletins/_bulletin.html", context)}
        cache.set(key, page, None)
    return page


def table_page(version, slug, number):
    """{"title", "category", "html", "pager"} of page `number` of the version's table of category `slug`, or None
    when the version has no such table or page."""
    key = f"bulletins:table-page:{_stamp(version)}:{slug}:{number}"
    page = cache.get(key)
    if page is None:
        data, changes = _content(version)
        rows = settings.BULLETIN_TABLE_PAGE_ROWS
        table = snapshots.table_view(data, changes, slug, (number - 1) * rows, number * rows)
        if table is None or number < 1 or number > page_count(table.total_rows):
            return None
        table.pager = _pager(data["issue"], version, table, number)
        bulletin = snapshots.present({**data, "tables": []})
        context = {"table": table, "show_changes": True, "version": version}
        page = {
            "title": bulletin.title,
            "category": table.category.name,
            "html": render_to_string("bulletins/_table_page.html", context),
            "pager": table.pager,
        }
        cache.set(key, page, None)
    return page
