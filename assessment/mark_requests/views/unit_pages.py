"""A unit's own page (its marks, what is still open, its requests and history) and the list of units."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessment import access, cells, tallies
from assessment.mark_requests.services import current_year, explained_state
from assessment.mark_requests.unit_index import EnrolledUnits, rows_html
from assessment.marks.history import marks_changes
from assessment.marks.views.entry import reporter_redirect
from assessment.models import Mark, MarkRequest, Scheme, SchemeUnit
from assessment.notify import receipts
from assessment.scoring.live import unit_score
from assessment.years import year_state
from core import paging
from core.links import IdLink

HISTORY_SHOWN = 50


@require_safe
@reporter_redirect
@access.read_all_required
def index(request):
    """All units with what they still have open (office, leaders); a reporter goes to its own unit."""
    year = current_year()
    # A country has tens of thousands of units: 100 a page (core.paging), read as tuples with their open requests,
    # and the * of the page's units only, by the database (assessment.tallies), not from every cell of the year.
    page = paging.paginate(request, EnrolledUnits(year))
    schemes = Scheme.objects.filter(year=year).prefetch_related("indicators") if year else []
    pending = tallies.pending_counts(schemes, [row.pk for row in page.object_list])
    units = [row._replace(pending=pending.get(row.pk, 0)) for row in page.object_list]
    context = {"units": units, "year": year, "page": page, "rows_html": rows_html(units, IdLink("units:detail"))}
    return render(request, "units/index.html", context)


def _due_order(row):
    cell_due = row["cell"].due
    return (cell_due.date is None, cell_due.date, row["indicator"].order)


@require_safe
@access.require()
def detail(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    scheme_units = list(
        SchemeUnit.objects.filter(unit=unit).select_related("scheme__category").order_by("-scheme__year")
    )
    years = [su.scheme.year for su in scheme_units]
    wanted = request.GET.get("year")
    if wanted is not None and (not wanted.isdigit() or int(wanted) not in years):
        raise Http404("该单位没有这一年度的考核。")
    # Unless a year is chosen: the current year, as on every other page and for every role (assessment.years),
    # else the unit's latest year.
    if wanted is None:
        wanted = str(current_year())
    scheme_unit = next((su for su in scheme_units if str(su.scheme.year) == wanted), None) or (
        scheme_units[0] if scheme_units else None
    )
    context = {"unit": unit, "years": years, "scheme_unit": scheme_unit}
    if access.is_reporter(request.user) and access.can_view_unit(request.user, unit):
        # Reminders and 催办 the unit has not yet acknowledged, each with its 签收 link.
        context["waiting_receipts"] = receipts.waiting_for(unit)
    if scheme_unit is not None:
        scheme = scheme_unit.scheme
        indicators = list(scheme.indicators.order_by("order"))
        for indicator in indicators:
            indicator.scheme = scheme
        marks = {m.indicator_id: m for m in Mark.objects.filter(unit=unit, indicator__scheme=scheme)}
        shown = cells.cells_of_marks(marks.values(), {i.pk: i for i in indicators})
        requests = list(
            MarkRequest.objects.filter(mark__in=marks.values())
            .select_related("submitted_by", "decided_by")
            .order_by("-submitted_at", "-pk")
        )
        open_by_mark = {r.mark_id: r for r in requests if r.is_open}
        indicator_of_mark = {m.pk: m.indicator_id for m in marks.values()}
        by_pk = {i.pk: i for i in indicators}
        for r in requests:
            r.indicator = by_pk[indicator_of_mark[r.mark_id]]
        is_unit_reporter = access.is_reporter(request.user) and access.can_view_unit(request.user, unit)
        acting_year = current_year()
        state = year_state(scheme.year)
        rows = []
        for indicator in indicators:
            mark = marks.get(indicator.pk)
            cell = shown.get(mark.pk) if mark else None
            pending = cell is not None and cell.is_pending
            rows.append(
                {
                    "indicator": indicator,
                    "mark": mark,
                    "cell": cell,
                    "pending": pending,
                    "open_request": open_by_mark.get(mark.pk) if mark else None,
                    "can_request": is_unit_reporter
                    and pending
                    and not cell.derived
                    and scheme.year == acting_year
                    and state.is_open
                    and mark.pk not in open_by_mark,
                    "can_explain": explained_state(indicator) is not None,
                }
            )
        history, history_total = marks_changes(marks.values(), HISTORY_SHOWN, shown)
        context.update(
            # The same figure as the scores pages and the API (frozen once the year is closed).
            score=unit_score(unit, scheme.year),
            scheme=scheme,
            year_state=state,
            rows=rows,
            # What is due when: the open (*) items by due date, overdue first (assessment.due).
            pending_rows=sorted((r for r in rows if r["pending"]), key=_due_order),
            requests=requests,
            history=history,
            history_total=history_total,
            history_shown=HISTORY_SHOWN,
        )
    return render(request, "units/detail.html", context)
