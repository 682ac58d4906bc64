"""What a page is compared with: the same rows read by hand and written as bare HTML (or bare openpyxl).

Each page the office reads has a baseline of its own (issue 25: "at most 3× the CPU of a bare raw-SQL page of
the same rows, same middleware and session"): a view here that reads exactly the rows and values the page
shows with ONE raw SQL query (kunshan_credit/bench/page_sql.py: `connection.cursor()`, no ORM, no model, no
cache) and writes them as a bare HTML table. pages.py requests it with the same signed-in office client as
the page, so both pay the same session, user, second-factor and role middleware. What each reads:

- `grid_page` (/assessment/<y>/<category>/, with ?pending=1, ?q=, ?due=overdue): the first 100 enrolled units
  the filter keeps, in order, × the scheme's columns' shown texts, plus the 合计 row over every unit kept;
- `year_page` (/assessment/<y>/): per category its cells counted by shown text, its units with a * left, its
  units and columns;
- `overview_page` (/overview/<y>/): per category each column's cells by shown text, the * cells by due status,
  the 8 units most behind, the 50 earliest overdue cells; the cases and requests waiting;
- `units_page` (/units/): the first 100 units of the year with their * cells and open requests;
- `scores_page` (/assessment/<y>/scores/): the first 100 units in ranking order from the stored totals
  (assessment_unityearscore), with rank and tie;
- `quarterly_page` (/cases/<y>/): the first 100 units of the 奖惩案例 columns × the four quarters' counts;
- `cases_page` (/cases/): the 20 latest cases, with the number of cases.

What a baseline leaves out (due marks, 扣分情况, score lines, notes, menus) is what the page adds: the ratio
shows its cost. The published issue keeps the older baselines, requested anonymously as its readers are:
`bare_table` (every cell of the issue's tables, one query) and `bare_xlsx` (the same cells in a write-only
workbook). `made_xlsx` is not a baseline but the portal's own workbook made on every request, as
`bulletins.documents.store` makes it once per version: a published issue's progress.xlsx is then
served stored, so that row alone would not show what writing the workbook costs.
"""

import datetime
import io
from itertools import groupby

from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import Workbook

from assessment.models import Mark, cell_text
from bulletins import documents
from bulletins.models import Issue, IssueTable
from cases.models import CaseKind, CaseStatus

from . import page_sql

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


# --- the pages' own baselines: page_sql's rows, one query each, as bare HTML tables


def _html(*tables):
    """A bare page of (caption, rows) tables: every value escaped, nothing else."""
    parts = ["<!doctype html><meta charset=utf-8><title>bare</title>"]
    for caption, rows in tables:
        parts.append(f"<table><caption>{escape(caption)}</caption>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{escape('' if v is None else v)}" for v in row))
        parts.append("</table>")
    return HttpResponse("".join(parts))


GRID_KINDS = {"pending": ("pending", "1"), "overdue": ("due", "overdue")}


def grid_page(request, year, category):
    """One filter at a time (the benchmark's rows ask for one): ?pending=1, ?due=overdue or ?q=."""
    kind = next((k for k, (name, value) in GRID_KINDS.items() if request.GET.get(name) == value), "")
    query = request.GET.get("q", "").strip()[:50]
    if query and not kind:
        kind = "query"
    titles, rows, summary = page_sql.grid(year, category, kind, query)
    total = [" ".join(f"{shown} {n}" for shown, n in column.items()) for column in summary]
    return _html(("", [["单位", *titles], *([name, *values] for name, values in rows), ["合计", *total]]))


def year_page(request, year):
    return _html(*page_sql.year_page(year).items())  # a table per category


def overview_page(request, year):
    return _html(*page_sql.overview(year).items())


def units_page(request, year):
    return _html(("", page_sql.units_index(year)))


def scores_page(request, year):
    return _html(("", ((c, u, f"并列{r}" if tied > 1 else r, d, e) for c, u, r, tied, d, e in page_sql.scores(year))))


def quarterly_page(request, year):
    return _html(("", page_sql.quarterly(year)))


def _when(value):
    """A submission time as the page writes it (local time), from an aware or (SQLite) naive UTC value."""
    if value is None:
        return "—"
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def cases_page(request):
    rows = [
        (title, CaseKind(kind).label, source, f"{y}年{q}季度", CaseStatus(status).label, _when(at), "是" * bulletin)
        for _pk, title, kind, source, y, q, status, at, bulletin, _total in page_sql.case_list()
    ]
    return _html(("", rows))
