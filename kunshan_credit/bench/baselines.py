"""What a page is compared with: the same cells in one query, written as bare HTML or bare openpyxl.

They read the cells of an issue's progress tables straight from the marks: no scheme, note,
score or access logic, so the ratio against them is the cost of everything the real page adds.
`made_xlsx` is not a baseline but the portal's own workbook made on every request, as
`bulletins.documents.store` makes it once per version: a published issue's progress.xlsx is then
served stored, so that row alone would not show what writing the workbook costs.
"""

import io
from itertools import groupby

from django.http import HttpResponse
from django.utils.html import escape
from openpyxl import Workbook

from assessment.models import Mark, cell_text
from bulletins import documents
from bulletins.models import Issue, IssueTable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cells(year, number):
    """One query: (category, unit, indicator order, state, count) of every cell of the issue's tables."""
    schemes = IssueTable.objects.filter(issue__year=year, issue__number=number).values("scheme_id")
    return (
        Mark.objects.filter(indicator__scheme__in=schemes)
        .order_by("indicator__scheme__category__order", "unit__order", "unit_id", "indicator__order")
        .values_list("indicator__scheme__category__name", "unit__name", "indicator__order", "state", "count")
    )


def _rows(cells):
    for (category, unit), row in groupby(cells, key=lambda c: (c[0], c[1])):
        yield category, unit, [cell_text(state, count) for *_, state, count in row]


def bare_table(request, year, number):
    parts = ["<!doctype html><meta charset=utf-8><title>bare</title><table>"]
    for category, unit, values in _rows(_cells(year, number)):
        parts.append(f"<tr><th>{escape(category)}<td>{escape(unit)}")
        parts.extend(f"<td>{escape(v)}" for v in values)
    parts.append("</table>")
    return HttpResponse("".join(parts))


def bare_xlsx(request, year, number):
    wb = Workbook(write_only=True)
    sheets = {}
    for category, unit, values in _rows(_cells(year, number)):
        if category not in sheets:
            sheets[category] = wb.create_sheet(category)
        sheets[category].append([unit, *values])
    out = io.BytesIO()
    wb.save(out)
    return HttpResponse(out.getvalue(), content_type=XLSX)


def made_xlsx(request, year, number):
    """The published issue's progress workbook, made now from its snapshot (one query), never stored."""
    issue = Issue.objects.select_related("current_version").get(year=year, number=number)
    version = issue.current_version
    return HttpResponse(documents.render_xlsx(version.snapshot, issue, version), content_type=XLSX)


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")
