"""Scores pages: the ranking, a unit's breakdown, deduction records and the year-end assessment.

Reading scores is for office staff and leaders (a reporter sees only its own unit's breakdown);
recording deductions and closing the year are for staff. Views fetch, check, call, render.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment import access
from assessment.models import Deduction, Scheme, YearEndAssessment
from assessment.scoring.forms import DeductionForm
from assessment.scoring.lines import Status
from assessment.scoring.live import (
    freeze,
    frozen_scores,
    latest_assessment,
    unit_score,
    year_end,
    year_scores,
)
from assessment.scoring.ranked import RankedRows, section_of
from assessment.scoring.services import close_year, confirm_deduction, delete_deduction, record_deduction, reopen_year
from assessment.scoring.stored import Lines, load_lines, make_current, year_ranking
from assessment.sheets import score_sheets
from assessment.years import current_year, year_state
from core import paging
from core.errors import DomainError
from core.excel import workbook_response
from core.links import IdLink

read_all = access.read_all_required
manage = access.manage_required


def _live_or_404(year, as_of=None):
    categories = year_scores(year, as_of=as_of)
    if not categories:
        raise Http404(f"{year}年没有考核方案。")
    return categories


def _ranking_data(request, year, *, stored=False):
    """What the ranking shows: the latest frozen version, or the live computation (none yet, or ?live=1).

    `stored`: the live ranking from the stored scores (scoring.stored), its lines made for the units shown.
    """
    assessment = latest_assessment(year)
    live = assessment is None or request.GET.get("live") == "1"
    if live and stored:
        categories = year_ranking(year)
        if not categories:
            raise Http404(f"{year}年没有考核方案。")
        return categories, assessment, live, False
    categories = _live_or_404(year)
    changed = False
    if assessment is not None and not live:
        changed = freeze(categories) != assessment.results
        categories = frozen_scores(assessment)
    return categories, assessment, live, changed


@require_safe
@read_all
def latest(request):
    year = current_year()
    if year is None:
        raise Http404("还没有考核方案。")
    return redirect("scores:ranking", year=year)


def _filters(request, categories):
    """The ranking's filters asked for: a category among `categories` (else all), part of a unit's name."""
    slugs = {c.category_slug for c in categories}
    category = request.GET.get("category", "")
    return {"category": category if category in slugs else "", "query": request.GET.get("q", "").strip()[:50]}


def _page_context(year, categories, filters, page, sections):
    return {
        "year": year,
        "categories": categories,
        "sections": sections,
        "page": page,
        "filters": filters,
        "is_filtered": any(filters.values()),
        # One reversal for the page: a unit's score page is this prefix + its id + "/".
        "unit_url_prefix": reverse("scores:unit", args=[year, 0]).removesuffix("0/"),
    }


def _paged(request, year, categories):
    """What scores.html shows of `categories`: the filters, and a page of 100 units across the categories.

    Ranks are computed over every unit before filtering or paging (a rank on page 2 is the unit's rank in
    its category); the filters (category, part of a unit's name) search every unit.
    """
    filters = _filters(request, categories)
    query = filters["query"].casefold()
    shown = {
        c.category_slug: [u for u in c.units if query in u.unit_name.casefold()]
        for c in categories
        if filters["category"] in ("", c.category_slug)
    }
    page, sections = paging.paginate_sections(
        request, [c for c in categories if c.category_slug in shown], lambda c: shown[c.category_slug]
    )
    return _page_context(year, categories, filters, page, sections)


def _stored_paged(request, year):
    """_paged of the live ranking from the stored scores, ranked, filtered and paged by the database
    (scoring.ranked); None when the stored scores could not be made current (writers kept changing them)."""
    lines = Lines(year)  # the schemes are read only to score units or make their lines; the Rules from rows
    if not make_current(year, lines):
        return None
    rules = lines.rules
    if not rules:
        raise Http404(f"{year}年没有考核方案。")
    categories = [section_of(scheme_rules) for scheme_rules in rules.values()]
    filters = _filters(request, categories)
    slug = filters["category"]
    scheme_ids = [pk for pk, scheme_rules in rules.items() if scheme_rules.category_slug == slug] if slug else None
    rows = RankedRows(lines, categories, scheme_ids=scheme_ids, query=filters["query"])
    page = paging.paginate(request, rows)
    return _page_context(year, categories, filters, page, paging.group_sections(page.object_list))


@require_safe
@read_all
def ranking(request, year):
    state = year_state(year)  # with the latest year-end version, if any (one query while the year was never closed)
    assessment = state.assessment
    live = assessment is None or request.GET.get("live") == "1"
    paged = _stored_paged(request, year) if live else None
    changed = False
    if paged is None:
        categories, assessment, live, changed = _ranking_data(request, year, stored=True)
        paged = _paged(request, year, categories)
    # the page shows each unit's lines that cost something: none to make for a unit whose totals say so
    load_lines([row for section in paged["sections"] for row in section.rows if not row.costs_nothing])
    return render(
        request,
        "assessment/scores.html",
        {
            **paged,
            "assessment": assessment,
            "year_state": state,
            "shown": None if live else assessment,
            "live": live,
            "changed": changed,
            "xlsx_url": reverse("scores:ranking_xlsx", args=[year]) + ("?live=1" if live and assessment else ""),
        },
    )


def _title(year, assessment):
    if assessment is None:
        return f"{year}年信用体系建设考核得分（若今日年终考核）"
    return f"{year}年信用体系建设年终考核结果（第{assessment.version}版）"


@require_safe
@read_all
def ranking_xlsx(request, year):
    categories, assessment, live, _ = _ranking_data(request, year)
    shown = None if live else assessment
    suffix = f"第{shown.version}版" if shown else "当前"
    sheets = score_sheets(categories, _title(year, shown))
    return workbook_response(sheets, f"考核得分-{year}年-{suffix}.xlsx", audit=request)


@require_safe
@access.require()
def unit_detail(request, year, unit_id):
    unit = access.get_unit_or_404(request.user, unit_id)
    score = unit_score(unit, year)
    if score is None:
        raise Http404(f"{unit}不在{year}年的考核中。")
    assessment = latest_assessment(year) if score.frozen else None
    context = {"year": year, "unit": unit, "score": score, "assessment": assessment, "year_state": year_state(year)}
    return render(request, "assessment/unit_score.html", context)


@require_safe
@read_all
def versions(request, year):
    items = YearEndAssessment.objects.filter(year=year).select_related("closed_by").defer("results")
    return render(request, "assessment/score_versions.html", {"year": year, "versions": items})


def _version(year, version):
    return get_object_or_404(YearEndAssessment.objects.select_related("closed_by"), year=year, version=version)


@require_safe
@read_all
def version_detail(request, year, version):
    assessment = _version(year, version)
    latest_version = YearEndAssessment.objects.filter(year=year).order_by("-version").values_list("version", flat=True)
    return render(
        request,
        "assessment/scores.html",
        {
            **_paged(request, year, frozen_scores(assessment)),
            "assessment": assessment,
            "shown": assessment,
            "superseded": latest_version.first() != assessment.version,
            "live": False,
            "xlsx_url": reverse("scores:version_xlsx", args=[year, version]),
        },
    )


@require_safe
@read_all
def version_xlsx(request, year, version):
    assessment = _version(year, version)
    return workbook_response(
        score_sheets(frozen_scores(assessment), _title(year, assessment)),
        f"考核得分-{year}年-第{assessment.version}版.xlsx",
        audit=request,
        obj=assessment,
    )


# --- deduction records


@require_safe
@read_all
def deductions(request, year):
    if not Scheme.objects.filter(year=year).exists():
        raise Http404(f"{year}年没有考核方案。")
    records = (
        Deduction.objects.filter(indicator__scheme__year=year)
        .select_related("unit", "indicator__scheme__category", "entered_by", "confirmed_by")
        .order_by("-date", "-pk")
    )
    links = {  # one reversal each for the page, not one per record
        "unit_link": IdLink("scores:unit", year),
        "confirm_link": IdLink("scores:deduction_confirm", year),
        "delete_link": IdLink("scores:deduction_delete", year),
    }
    return render(request, "assessment/deductions.html", {"year": year, "records": records, **links})


@require_http_methods(["GET", "HEAD", "POST"])
@manage
def deduction_new(request, year):
    if not Scheme.objects.filter(year=year).exists():
        raise Http404(f"{year}年没有考核方案。")
    form = DeductionForm(year, request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = record_deduction(
                unit=data["unit"],
                indicator=data["indicator"],
                date=data["date"],
                count=data["count"],
                amount=data["amount"],
                reason=data["reason"],
                user=request.user,
                confirm=data["confirm"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            state = "已确认，计入得分" if record.confirmed else "待确认，确认后计入得分"
            messages.success(request, f"已记录：{record.unit} · {record.indicator.title}（{state}）。")
            return redirect("scores:deductions", year=year)
    return render(request, "assessment/deduction_form.html", {"year": year, "form": form})


def _deduction(year, pk):
    return get_object_or_404(
        Deduction.objects.select_related("unit", "indicator__scheme__category", "entered_by", "confirmed_by"),
        pk=pk,
        indicator__scheme__year=year,
    )


@require_POST
@manage
def deduction_confirm(request, year, pk):
    record = _deduction(year, pk)
    try:
        confirm_deduction(record, request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已确认：{record.unit} · {record.indicator.title}，计入得分和扣分情况。")
    return redirect("scores:deductions", year=year)


@require_http_methods(["GET", "HEAD", "POST"])
@manage
def deduction_delete(request, year, pk):
    record = _deduction(year, pk)
    if request.method == "POST":
        try:
            delete_deduction(record, request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已删除：{record.unit} · {record.indicator.title} 的扣分记录。")
        return redirect("scores:deductions", year=year)
    return render(request, "assessment/deduction_delete.html", {"year": year, "record": record})


# --- the year-end assessment


@require_http_methods(["GET", "HEAD", "POST"])
@manage
def close(request, year):
    categories = _live_or_404(year, as_of=year_end(year))  # what closing scores: every quarter due
    previous = latest_assessment(year)
    if request.method == "POST":
        try:
            assessment = close_year(year, request.user, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{year}年年终考核已完成（第{assessment.version}版），结果已固定。")
            return redirect("scores:ranking", year=year)
    waiting = Deduction.objects.filter(indicator__scheme__year=year, confirmed_at__isnull=True).count()
    pending = [(c, u, [line for line in u.lines if line.pending]) for c in categories for u in c.units if u.pending]
    missing = [(u, line) for c in categories for u in c.units for line in u.lines if line.status == Status.MISSING]
    return render(
        request,
        "assessment/close_year.html",
        {
            "year": year,
            "categories": categories,
            "previous": previous,
            "pending": pending,
            "missing": missing,
            "waiting": waiting,
            "unchanged": previous is not None and freeze(categories) == previous.results,
            "unit_link": IdLink("scores:unit", year),
        },
    )


@require_POST
@manage
def reopen(request, year):
    """Unlock a closed year for a correction (the page asks for the reason; services.reopen_year records it)."""
    try:
        reopen_year(year, request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("scores:close", year=year)
    messages.success(request, f"{year}年度已重新开放，可以更正；更正后请再次进行年终考核。")
    return redirect("scores:close", year=year)
