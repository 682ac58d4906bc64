"""/overview/: the leaders' overview of a year: where each category stands now and how its issues went (read-only)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from assessment import access
from assessment.years import current_year, scheme_years, year_state
from core.links import IdLink

from ..overview import year_overview

leaders_view = access.require(visible=access.can_read_all)


@require_safe
@leaders_view
def overview_index(request):
    year = current_year()
    if year is None:
        raise Http404("还没有考核方案。")
    return redirect("overview:year", year)


@require_safe
@leaders_view
def overview_year(request, year):
    data = year_overview(year)
    if data is None:
        raise Http404(f"没有{year}年度的考核方案。")
    years = scheme_years()
    # 催办 a unit of the overdue lists: one reversal for the page, not one per item
    context = {"year": year, "years": years, "year_state": year_state(year), "urge_link": IdLink("units:urge"), **data}
    return render(request, "bulletins/overview.html", context)
