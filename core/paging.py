"""The one pager of the long lists (the grid, the scores, the quarterly table, the case lists, the logs).

A province has thousands of units and tens of thousands of cases: a page shows a slice of rows, while
its filters, totals and ranks are computed over every row before slicing (the callers' job). The links
keep every other query parameter, so a filter survives paging; they are made once per page, never per row.
Out of range pages behave as Django's `Paginator.get_page`: past the end is the last page, junk is the first.
Rendered by templates/_pager.html (`{% include "_pager.html" with noun="个单位" %}`, once per list).
"""

from dataclasses import dataclass

from django.core.paginator import Paginator

PAGE_ROWS = 100


def paginate(request, items, per_page=PAGE_ROWS, param="page"):
    """The page of `items` that `?<param>=` asks for, with `link_prefix` for the pager's links.

    `page.link_prefix + str(n)` is the URL (query string) of page n with every other parameter kept.
    """
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    others = request.GET.copy()
    others.pop(param, None)
    query = others.urlencode()
    page.link_prefix = f"?{query}&{param}=" if query else f"?{param}="
    return page


@dataclass
class SectionPage:
    """The rows of one section (a category) that fall on the page shown."""

    section: object
    rows: list


def paginate_sections(request, sections, rows_of, per_page=PAGE_ROWS):
    """One pager over the rows of several sections taken in order (the scores' and the quarterly's categories).

    Returns (page, [SectionPage]) with only the sections that have rows on this page: a city fits on one
    page with every section; at province a page holds the next `per_page` rows, across a section's end.
    """
    flat = [(section, row) for section in sections for row in rows_of(section)]
    page = paginate(request, flat, per_page)
    return page, group_sections(page.object_list)


def group_sections(pairs):
    """[SectionPage] of a page's (section, row) pairs in order: a section's rows together, as shown."""
    shown = []
    for section, row in pairs:
        if not shown or shown[-1].section is not section:
            shown.append(SectionPage(section, []))
        shown[-1].rows.append(row)
    return shown
