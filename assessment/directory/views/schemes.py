"""/office/schemes/: each year's tables, a table's page (its indicators, notes and units) and the changes to
its indicators (each through `assessment.directory.indicators`)."""

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment import access
from assessment.models import Indicator, Note, Scheme, year_lock
from core.errors import DomainError

from .. import indicators as indicator_services
from ..forms import IndicatorForm, JoinForm
from . import office_only, row_link


@require_safe
@office_only
def scheme_list(request):
    schemes = Scheme.objects.select_related("category").annotate(
        columns=Count("indicators", distinct=True), rows=Count("units", distinct=True)
    )
    by_year = {}
    for scheme in schemes.order_by("-year", "category__order"):
        by_year.setdefault(scheme.year, []).append(scheme)
    link = reverse("directory:scheme", args=[0, "slug"]).replace("/0/slug/", "/{}/{}/")
    locked = {year for year in by_year if year_lock(year) is not None}
    rows = [
        (year, year in locked, [(s, link.format(year, s.category.slug)) for s in schemes_of_year])
        for year, schemes_of_year in by_year.items()
    ]
    return render(request, "directory/schemes.html", {"rows": rows})


def scheme_or_404(year, category):
    scheme = Scheme.objects.select_related("category").filter(year=year, category__slug=category).first()
    if scheme is None:
        raise Http404(access.NOT_FOUND)
    return scheme


def _indicator_or_404(pk):
    indicator = Indicator.objects.select_related("scheme__category").filter(pk=pk).first()
    if indicator is None:
        raise Http404(access.NOT_FOUND)
    return indicator


def scheme_url(scheme):
    return reverse("directory:scheme", args=[scheme.year, scheme.category.slug])


@require_safe
@office_only
def scheme_detail(request, year, category):
    scheme = scheme_or_404(year, category)
    columns = list(scheme.indicators.select_related("rule_group__note").order_by("order"))
    names = ("directory:indicator_edit", "directory:indicator_move", "directory:indicator_remove")
    edit, move, remove = (row_link(name) for name in names)
    rows = [
        {"indicator": i, "edit": edit.format(i.pk), "move": move.format(i.pk), "remove": remove.format(i.pk)}
        for i in columns
    ]
    # The notes with the columns they speak of (the page's columns, already fetched: no query per note).
    by_pk = {i.pk: i for i in columns}
    names = ("directory:note_edit", "directory:note_move", "directory:note_remove")
    edit, move, remove = (row_link(name) for name in names)
    spoken_of = Prefetch("indicators", queryset=Indicator.objects.only("pk"))
    notes = Note.objects.filter(scheme=scheme).prefetch_related(spoken_of).order_by("number")
    note_rows = [
        {
            "note": n,
            "indicators": sorted((by_pk[i.pk] for i in n.indicators.all() if i.pk in by_pk), key=lambda i: i.order),
            "edit": edit.format(n.pk),
            "move": move.format(n.pk),
            "remove": remove.format(n.pk),
        }
        for n in notes
    ]
    move, remove = row_link("directory:scheme_unit_move"), row_link("directory:scheme_unit_remove")
    enrolled = scheme.scheme_units.select_related("unit").order_by("order", "pk")
    unit_rows = [{"row": r, "move": move.format(r.pk), "remove": remove.format(r.pk)} for r in enrolled]
    join_form = JoinForm(scheme)
    context = {
        "scheme": scheme,
        "rows": rows,
        "notes": note_rows,
        "units": unit_rows,
        "join_form": join_form,
        "can_join": join_form.fields["unit"].queryset.exists(),
        "join": reverse("directory:scheme_unit_join", args=[year, scheme.category.slug]),
        "note_new": reverse("directory:note_new", args=[year, scheme.category.slug]),
        "lock": year_lock(year),
        "schemes": Scheme.objects.filter(year=year).select_related("category").order_by("category__order"),
        "grid": reverse("assessment:grid", args=[year, scheme.category.slug]),
    }
    return render(request, "directory/scheme.html", context)


def _indicator_form_page(request, indicator, title):
    form = IndicatorForm(request.POST if request.method == "POST" else None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        service = indicator_services.update_indicator if indicator.pk else indicator_services.create_indicator
        try:
            saved = service(form.instance, request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存第{saved.order}项“{saved.title}”。")
            return redirect(scheme_url(saved.scheme))
    back, lock = scheme_url(indicator.scheme), year_lock(indicator.scheme.year)
    context = {"form": form, "title": title, "back": back, "lock": lock}
    return render(request, "directory/form.html", context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def indicator_new(request, year, category):
    scheme = scheme_or_404(year, category)
    return _indicator_form_page(request, Indicator(scheme=scheme), f"{scheme} · 新增考核指标")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def indicator_edit(request, pk):
    indicator = _indicator_or_404(pk)
    return _indicator_form_page(request, indicator, f"{indicator.scheme} · 修改第{indicator.order}项")


@require_POST
@office_only
def indicator_move(request, pk):
    indicator = _indicator_or_404(pk)
    try:
        step = -1 if request.POST.get("step") == "up" else 1
        moved = indicator_services.move_indicator(indicator, step, request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{moved.title}”现在是第{moved.order}项。")
    return redirect(scheme_url(indicator.scheme))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def indicator_remove(request, pk):
    indicator = _indicator_or_404(pk)
    back = scheme_url(indicator.scheme)
    if request.method == "POST":
        try:
            indicator_services.remove_indicator(indicator, request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已删除“{indicator.title}”。")
        return redirect(back)
    context = {
        "title": "删除考核指标",
        "subject": f"{indicator.scheme}第{indicator.order}项“{indicator.title}”",
        "explanation": "删除只用于误建的指标：它的各项完成情况（尚未填写）随之删除，其后各项前移一位。",
        "refusal": indicator.deletion_refusal(),
        "danger": True,
        "back": back,
    }
    return render(request, "directory/confirm.html", context)
