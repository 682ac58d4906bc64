"""The office sets another due date for one unit × indicator (with a reason), or goes back to the rule.

Reached from a cell's history panel in the grid and from the unit page. The rule is in
`services.set_due_override` / `clear_due_override`; the date a cell is due, in `assessment.due`.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from assessment import access, cells
from assessment.marks.services import clear_due_override, set_due_override
from assessment.models import DueOverride, Mark
from core.errors import DomainError

MAX_REASON = 500


class DueOverrideForm(forms.Form):
    date = forms.DateField(
        label="截止日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写截止日期。", "invalid": "请按 年-月-日 填写截止日期。"},
    )
    reason = forms.CharField(
        label="调整原因",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写调整截止日期的原因。"},
    )


def _back(mark, where):
    scheme = mark.indicator.scheme
    if where == "grid":
        url = reverse("assessment:grid", args=[scheme.year, scheme.category.slug])
        return f"{url}?indicator={mark.indicator_id}"
    return f"{reverse('units:detail', args=[mark.unit_id])}?year={scheme.year}"


@require_http_methods(["GET", "HEAD", "POST"])
@access.require(visible=access.can_read_all, allowed=access.can_manage)
def due_override(request, pk):
    mark = get_object_or_404(Mark.objects.select_related("unit", "indicator__scheme__category"), pk=pk)
    back = request.POST.get("back") or request.GET.get("back") or "unit"
    override = DueOverride.objects.filter(unit=mark.unit, indicator=mark.indicator).select_related("set_by").first()
    form = DueOverrideForm(
        request.POST if request.method == "POST" and "clear" not in request.POST else None,
        initial={"date": override.date if override else None, "reason": override.reason if override else ""},
    )
    if request.method == "POST":
        try:
            if "clear" in request.POST:
                clear_due_override(mark, request.user)
                messages.success(request, f"{mark.unit} · {mark.indicator.title}：已恢复按规则的截止日期。")
                return redirect(_back(mark, back))
            if form.is_valid():
                saved = set_due_override(mark, form.cleaned_data["date"], form.cleaned_data["reason"], request.user)
                messages.success(
                    request, f"{mark.unit} · {mark.indicator.title}：截止日期调整为 {saved.date:%Y-%m-%d}。"
                )
                return redirect(_back(mark, back))
        except DomainError as exc:
            form.add_error(None, str(exc))
    cell = cells.cells_of_marks([mark], {mark.indicator_id: mark.indicator})[mark.pk]
    return render(
        request,
        "assessment/due_override.html",
        {"mark": mark, "cell": cell, "override": override, "form": form, "back": back, "back_url": _back(mark, back)},
        status=400 if form.errors else 200,
    )
