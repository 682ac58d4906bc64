"""/office/units/: the list of units by category, a unit's form, and deactivate, activate or remove after
confirming (each through `assessment.directory.units`)."""

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from assessment import access
from assessment.models import Category, Unit
from core.errors import DomainError

from .. import units as unit_services
from ..forms import UnitForm
from . import office_only, row_link


def _unit_or_404(pk):
    unit = Unit.objects.select_related("category").filter(pk=pk).first()
    if unit is None:
        raise Http404(access.NOT_FOUND)
    return unit


@require_safe
@office_only
def unit_list(request):
    units = (
        Unit.objects.select_related("category")
        .annotate(enrolled=Count("scheme_units"))
        .order_by("category__order", "order", "pk")
    )
    categories = Category.objects.prefetch_related(Prefetch("units", queryset=units)).order_by("order", "pk")
    edit, contacts = row_link("directory:unit_edit"), row_link("units:contacts")
    action = reverse("directory:unit_action", args=[0, "x"]).replace("/0/x/", "/{}/{action}/")
    groups = [
        (
            category,
            [
                {
                    "unit": u,
                    "edit": edit.format(u.pk),
                    "contacts": contacts.format(u.pk),
                    "toggle": action.format(u.pk, action="deactivate" if u.is_active else "activate"),
                    "remove": action.format(u.pk, action="remove"),
                }
                for u in category.units.all()
            ],
        )
        for category in categories
    ]
    return render(request, "directory/units.html", {"groups": groups})


def _unit_form_page(request, unit, title):
    form = UnitForm(request.POST if request.method == "POST" else None, instance=unit)
    if request.method == "POST" and form.is_valid():
        service = unit_services.update_unit if unit.pk else unit_services.create_unit
        try:
            saved = service(form.instance, request.user, enrol_year=form.cleaned_data["enrol"])
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存“{saved.name}”。")
            return redirect("directory:units")
    context = {"form": form, "title": title, "back": reverse("directory:units"), "unit": unit}
    return render(request, "directory/form.html", context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def unit_new(request):
    category = Category.objects.filter(slug=request.GET.get("category", "")).first() or Category.objects.first()
    unit = Unit(category=category, order=unit_services.next_order(category) if category else 1)
    return _unit_form_page(request, unit, "新建责任单位")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def unit_edit(request, pk):
    unit = _unit_or_404(pk)
    return _unit_form_page(request, unit, f"修改责任单位：{unit.name}")


UNIT_ACTIONS = {
    "deactivate": ("停用单位", "停用后该单位仍保留在已有年度的表格中，各项记录不变；开始新的年度时不再包括它。"),
    "activate": ("启用单位", "启用后开始新的年度时重新包括该单位。"),
    "remove": ("删除单位", "删除只用于误建的单位：单位一旦有完成情况、案例、填报账号等记录就不能删除，请改为停用。"),
}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def unit_action(request, pk, action):
    if action not in UNIT_ACTIONS:
        raise Http404(access.NOT_FOUND)
    unit = _unit_or_404(pk)
    title, explanation = UNIT_ACTIONS[action]
    refusal = unit.deletion_refusal() if action == "remove" else None
    if request.method == "POST":
        try:
            if action == "remove":
                unit_services.remove_unit(unit, request.user)
            else:
                unit_services.set_unit_active(unit, action == "activate", request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已{title[:2]}“{unit.name}”。")
        return redirect("directory:units")
    context = {
        "title": title,
        "subject": f"责任单位“{unit.name}”（{unit.category}）",
        "explanation": explanation,
        "refusal": refusal,
        "danger": action != "activate",
        "back": reverse("directory:units"),
    }
    return render(request, "directory/confirm.html", context)
