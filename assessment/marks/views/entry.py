"""The entry grid: a year's overview, the grid of a category, cell saves, bulk set, history, undo, new year.

Office staff change marks here; leaders see the same pages read-only; reporters are sent to
their unit's page. Every change goes through `assessment.marks.services`.
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment import access, cells, due
from assessment.grid_rows import grid_selection, page_rows
from assessment.marks import history
from assessment.marks.grid import (
    column_heads_html,
    indicator_options_html,
    notes_html,
    plan_bulk,
    rows_html,
    summary_cells_html,
    year_progress,
)
from assessment.marks.services import HOW, StaleMark, bulk_set_marks, set_mark, start_new_year, undo_batch
from assessment.models import ChangeBatch, Mark, MarkState, Scheme
from assessment.tables import StateCounts, read_notes, schemes_with_parts, year_schemes
from assessment.years import current_year, scheme_years, year_state
from core import paging
from core.errors import DomainError
from core.links import IdLink
from core.people import display_name


def reporter_redirect(view):
    """Reporters have no grid: asking for it sends them to their own unit's page, where they work."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and access.is_reporter(request.user):
            return redirect("units:detail", access.reporter_unit_id(request.user))
        return view(request, *args, **kwargs)

    return wrapped


read_all = access.read_all_required
edit_marks = access.require(visible=access.can_read_all, allowed=access.can_edit_marks)


def _scheme(year, category):
    return get_object_or_404(schemes_with_parts(Scheme.objects.filter(year=year, category__slug=category)))


@require_safe
@reporter_redirect
@read_all
def index(request):
    """The latest year that has schemes."""
    year = current_year()
    if year is None:
        raise Http404("还没有任何年度的考核方案。")
    return redirect("assessment:year", year)


@require_safe
@reporter_redirect
@read_all
def year_overview(request, year):
    progress = year_progress(year)
    if not progress:
        raise Http404(f"{year}年没有考核方案。")
    years = scheme_years()
    state = year_state(year)
    return render(
        request,
        "assessment/year.html",
        {
            "year": year,
            "year_state": state,
            "year_editable": access.can_edit_year(request.user, state),
            "years": years,
            "progress": progress,
            "next_year_exists": year + 1 in years,
            "batches": history.year_batches(year, limit=10),
            "changes": history.year_changes(year, limit=30),
            "history_link": IdLink("assessment:mark_history"),  # a change's cell history: one reversal a page
        },
    )


# ?due=overdue|soon|year_end: the rows with an overdue, a due-soon or a 年终未完成 cell (assessment.due).
GRID_DUE_FILTERS = {
    "overdue": due.DueStatus.OVERDUE,
    "soon": due.DueStatus.DUE_SOON,
    "year_end": due.DueStatus.YEAR_END,
}


def _grid_filters(request, scheme):
    indicator_id = request.GET.get("indicator", "")
    indicator_id = int(indicator_id) if indicator_id.isdigit() else None
    if indicator_id is not None and indicator_id not in {i.id for i in scheme.indicators.all()}:
        indicator_id = None
    return {
        "indicator_id": indicator_id,
        "pending_only": request.GET.get("pending") == "1",
        "query": request.GET.get("q", "").strip()[:50],
        "due": GRID_DUE_FILTERS.get(request.GET.get("due", ""), ""),
    }


def _grid_schemes(year, category):
    """(the scheme of `category` with its indicators and notes, every scheme of `year` with its category: the
    tabs), in three queries compiled once (tables.year_schemes); 404 without that scheme."""
    schemes = year_schemes(year)
    scheme = next((s for s in schemes if s.category.slug == category), None)
    if scheme is None:
        raise Http404(f"{year}年没有这个类别的考核方案。")
    return read_notes(scheme), schemes


@require_safe
@reporter_redirect
@read_all
def grid(request, year, category):
    scheme, schemes = _grid_schemes(year, category)
    filters = _grid_filters(request, scheme)
    # A province has thousands of units: a page of rows at a time keeps the page small; filters and the
    # summary row still cover every unit (core.paging), from the words of every cell, while only
    # the page's rows have their cells made (grid_rows.grid_selection, page_rows).
    selection = grid_selection(scheme, **filters)
    page = paging.paginate(request, selection.rows)
    # A closed year's cells do not open: grid.js reads this one flag (data-editable), no rule of its own.
    state = year_state(year)
    editable = access.can_edit_year(request.user, state)
    shown = page_rows(selection, page.object_list, year_state=state)
    # One reversal for the page, not one per cell or row.
    indicators = list(scheme.indicators.all())
    notes = list(scheme.notes.all())
    return render(
        request,
        "assessment/grid.html",
        {
            "year": year,
            "year_state": state,
            "year_editable": editable,
            "scheme": scheme,
            "notes": notes,
            "notes_list": notes_html(notes),
            "filter_options": indicator_options_html(indicators, filters["indicator_id"]),
            "bulk_options": indicator_options_html(indicators, filters["indicator_id"], allowed=True)
            if editable
            else "",
            "unit_count": selection.unit_count,
            "columns": list(zip(selection.indicators, selection.counts, strict=True)),
            "column_heads": column_heads_html(selection.indicators),
            "summary_cells": summary_cells_html(selection.counts),
            "grid_rows": rows_html(
                shown,
                editable=editable,
                manage=access.can_manage(request.user),
                history=IdLink("assessment:mark_history"),
                urge=IdLink("units:urge"),
            ),
            "page": page,
            "states": MarkState.choices,
            "summary_keys": StateCounts.summary_keys(),
            "filters": filters,
            "due_filters": [(key, status, due.DueStatus(status).label) for key, status in GRID_DUE_FILTERS.items()],
            "soon_days": due.soon_days(),
            "is_filtered": any(filters.values()),
            "editable": editable,
            "schemes": schemes,
            "batches": history.scheme_batches(scheme.pk, limit=5) if editable else [],
        },
    )


def _cell(mark):
    """The saved cell as the grid shows it (assessment.cells: a derived number, not the stored word)."""
    cell = cells.cells_of_marks([mark], {mark.indicator_id: mark.indicator})[mark.pk]
    return {"value": cell.value, "version": mark.version, **due_fields(cell.due)}


def due_fields(cell_due):
    """The due mark of a saved cell for grid.js: its status, the hidden text and the title (as grid.html renders it)."""
    if cell_due is None:
        return {}
    return {"status": cell_due.status, "due_text": cell_due.mark_text, "due_title": cell_due.mark_title}


@require_POST
@edit_marks
def mark_save(request, pk):
    """Save one cell from the grid: value + the version the user saw; JSON answer."""
    mark = get_object_or_404(Mark.objects.select_related("indicator__scheme", "unit"), pk=pk)
    value = request.POST.get("value", "").strip()
    version = request.POST.get("version", "")
    if not version.isdigit():
        return JsonResponse({"ok": False, "error": "缺少版本号，请刷新页面后重试。", **_cell(mark)}, status=400)
    try:
        saved = set_mark(mark, value, request.user, expected_version=int(version), how=HOW.GRID)
    except StaleMark as exc:
        if _cell(exc.mark)["value"] == value:
            # Someone (or a second submit) already put the same value there: nothing is lost.
            return JsonResponse({"ok": True, **_cell(exc.mark)})
        return JsonResponse(
            {
                "ok": False,
                "stale": True,
                "error": str(exc),
                "by": display_name(exc.mark.updated_by),
                **_cell(exc.mark),
            },
            status=409,
        )
    except DomainError as exc:
        mark.refresh_from_db()
        return JsonResponse({"ok": False, "error": str(exc), **_cell(mark)}, status=400)
    return JsonResponse({"ok": True, **_cell(saved)})


@require_safe
@access.require()
def mark_history(request, pk):
    """A cell's history: who, when, old → new, how. `?partial=1` gives the fragment the grid shows."""
    mark = access.get_visible_or_404(
        request.user,
        Mark.objects.select_related("unit", "indicator__scheme__category"),
        lambda user, m: access.can_view_unit(user, m.unit_id),
        pk=pk,
    )
    template = "assessment/_mark_history.html" if request.GET.get("partial") else "assessment/mark_history.html"
    cell = cells.cells_of_marks([mark], {mark.indicator_id: mark.indicator})[mark.pk]
    return render(
        request,
        template,
        {
            "mark": mark,
            "shown": cell.value,
            "cell": cell,
            "changes": history.mark_changes(mark, cell),
            "editable": access.can_edit_marks(request.user),
            "year_editable": access.can_edit_year(request.user, year_state(mark.indicator.scheme.year)),
        },
    )


def _bulk_params(data, scheme):
    indicator_id = data.get("indicator", "")
    indicator = next((i for i in scheme.indicators.all() if str(i.id) == indicator_id), None)
    if indicator is None:
        raise DomainError("请选择这张表中要批量设置的指标。")
    unit_ids = None
    if data.get("scope") == "selected":
        unit_ids = {int(u) for u in data.getlist("unit") if u.isdigit()}
    return indicator, data.get("value", "").strip(), unit_ids


@require_http_methods(["GET", "HEAD", "POST"])
@edit_marks
def bulk(request, year, category):
    """Set a column (or its selected rows) to one value: GET shows what changes, POST applies it."""
    scheme = _scheme(year, category)
    grid_url = reverse("assessment:grid", args=[year, category])
    state = year_state(year)
    if state.closed:  # not offered on a closed year's grid; bulk_set_marks refuses it again
        messages.error(request, state.banner)
        return redirect(grid_url)
    try:
        indicator, value, unit_ids = _bulk_params(request.POST if request.method == "POST" else request.GET, scheme)
        if request.method == "POST":
            return _bulk_apply(request, scheme, indicator, value, grid_url)
        plan = plan_bulk(scheme, indicator, value, unit_ids)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(grid_url)
    return render(
        request,
        "assessment/bulk_confirm.html",
        {"year": year, "scheme": scheme, "plan": plan, "grid_url": grid_url, "unit_ids": unit_ids},
    )


def _bulk_apply(request, scheme, indicator, value, grid_url):
    # Exactly the cells the user confirmed, at the versions shown: a cell changed since is refused.
    confirmed = {}
    for item in request.POST.getlist("cell"):
        pk, _, version = item.partition(":")
        if pk.isdigit() and version.isdigit():
            confirmed[int(pk)] = int(version)
    marks = list(
        Mark.objects.filter(indicator=indicator, pk__in=confirmed).select_related("unit", "indicator", "updated_by")
    )
    try:
        if not confirmed or len(marks) != len(confirmed):
            raise DomainError("提交的单元格不在这一栏中，未做任何修改。")
        batch = bulk_set_marks(
            [(m, value, confirmed[m.pk]) for m in marks],
            request.user,
            description=f"{scheme} · {indicator.title} → {value}",
        )
    except DomainError as exc:
        messages.error(request, f"批量设置未完成，没有修改任何单元格：{exc}")
        return redirect(grid_url)
    if batch is None:
        messages.info(request, "没有需要修改的单元格。")
    else:
        messages.success(request, f"已将“{indicator.title}”一栏的 {len(marks)} 个单元格设为“{value}”。")
    return redirect(grid_url)


def _batch_year(changes):
    return changes[0].indicator.scheme.year if changes else None


@require_http_methods(["GET", "HEAD", "POST"])
@edit_marks
def batch_undo(request, pk):
    """Undo a bulk change or an import: GET shows what goes back, POST does it."""
    batch = get_object_or_404(ChangeBatch.objects.select_related("created_by", "undone_by"), pk=pk)
    changes = history.batch_changes(batch)
    year = _batch_year(changes)
    if request.method == "POST":
        try:
            undo_batch(batch, request.user)
        except DomainError as exc:
            messages.error(request, f"未能撤销：{exc}")
            return redirect("assessment:batch_undo", batch.pk)
        messages.success(request, f"已撤销“{batch.how} {batch.description}”，{len(changes)} 个单元格恢复为原值。")
        return redirect("assessment:year", year) if year else redirect("assessment:index")
    state = year_state(year) if year else None
    closed = state is not None and state.closed
    context = {"batch": batch, "changes": changes, "year": year, "year_state": state, "closed": closed}
    return render(request, "assessment/batch_undo.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@edit_marks
def new_year(request, year):
    """Start year+1 from `year` in one step (GET: what will be copied; POST: copy)."""
    schemes = list(schemes_with_parts(Scheme.objects.filter(year=year)))
    if not schemes:
        raise Http404(f"{year}年没有考核方案。")
    if request.method == "POST":
        try:
            start_new_year(year, request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("assessment:year", year)
        messages.success(request, f"已开始{year + 1}年度：考核方案和参评单位已从{year}年复制，各项标记为“*”。")
        return redirect("assessment:year", year + 1)
    return render(
        request,
        "assessment/new_year.html",
        {
            "year": year,
            "next_year": year + 1,
            "schemes": [
                {
                    "scheme": s,
                    "indicators": len(s.indicators.all()),
                    "notes": len(s.notes.all()),
                    "units": sum(su.unit.is_active for su in s.scheme_units.all()),
                    "left_out": [su.unit for su in s.scheme_units.all() if not su.unit.is_active],
                }
                for s in schemes
            ],
            "already": Scheme.objects.filter(year=year + 1).exists(),
        },
    )
