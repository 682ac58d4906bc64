"""/overview/: the leaders' overview of a year: where each category stands now and how its issues went (read-only)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from assessment import access
from assessment.years import current_year, scheme_years, year_state
from core.links import IdLink

from ..overview import year_overview
from ..overview_html import category_html

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
    # 催办 a unit of the overdue lists (who manages units): one reversal for the page, not one per item
    urge = IdLink("units:urge") if access.can_manage(request.user) else None
    for category in data["categories"]:
        category.html = category_html(category, latest_url=data["latest_url"], urge=urge)
    context = {"year": year, "years": scheme_years(), "year_state": year_state(year), **data}
    return render(request, "bulletins/overview.html", context)
