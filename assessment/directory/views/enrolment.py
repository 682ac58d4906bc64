"""The units of a year's table on the office's scheme page: join, move up or down, leave after confirming.

Each change goes through `assessment.directory.enrolment`; the page lists the rows (see `schemes.scheme_detail`).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from assessment import access
from assessment.models import SchemeUnit
from core.errors import DomainError

from .. import enrolment
from ..forms import JoinForm
from . import office_only
from .schemes import scheme_or_404, scheme_url


def _row_or_404(pk):
    row = SchemeUnit.objects.select_related("unit__category", "scheme__category").filter(pk=pk).first()
    if row is None:
        raise Http404(access.NOT_FOUND)
    return row


@require_POST
@office_only
def scheme_unit_join(request, year, category):
    scheme = scheme_or_404(year, category)
    form = JoinForm(scheme, request.POST)
    if not form.is_valid():
        messages.error(request, "请选择一家本类别、尚未加入本年度的单位。")
        return redirect(scheme_url(scheme))
    try:
        joined = enrolment.join_scheme(scheme, form.cleaned_data["unit"], request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{joined.unit}”已加入{scheme}，排在第{joined.order}位。")
    return redirect(scheme_url(scheme))


@require_POST
@office_only
def scheme_unit_move(request, pk):
    row = _row_or_404(pk)
    try:
        step = -1 if request.POST.get("step") == "up" else 1
        moved = enrolment.move_scheme_unit(row, step, request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{moved.unit}”现在排在第{moved.order}位。")
    return redirect(scheme_url(row.scheme))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def scheme_unit_remove(request, pk):
    row = _row_or_404(pk)
    back = scheme_url(row.scheme)
    if request.method == "POST":
        try:
            enrolment.withdraw_unit(row, request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已将“{row.unit}”移出{row.scheme}。")
        return redirect(back)
    context = {
        "title": "移出本年度",
        "subject": f"{row.scheme}的参评单位“{row.unit}”",
        "explanation": "移出只用于误加入的单位：它在本年度表格中的一行及尚未填写的完成情况随之删除，"
        "其后各单位前移一位；单位本身保留，以后的年度照常参加。",
        "refusal": row.withdrawal_refusal(),
        "danger": True,
        "back": back,
    }
    return render(request, "directory/confirm.html", context)
