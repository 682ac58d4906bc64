"""A unit's requests about its * items (report done, explain) and the office's queue that decides them."""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment import access
from assessment.mark_requests.forms import MarkRequestForm, RequestReviewForm
from assessment.mark_requests.services import (
    REVIEW_ACTIONS,
    accept_request,
    check_can_request,
    explained_state,
    return_request,
    review_requests,
    submit_request,
)
from assessment.models import Mark, MarkRequest, MarkState
from core.errors import DomainError
from core.uploads import protected_file_response

decide = access.require(visible=access.can_read_all, allowed=access.can_decide_requests)


@require_http_methods(["GET", "HEAD", "POST"])
@access.require()
def request_new(request, pk, mark_id):
    """A reporter reports a * item done, or explains it."""
    unit = access.get_unit_or_404(request.user, pk)
    mark = get_object_or_404(Mark.objects.select_related("indicator__scheme", "unit"), pk=mark_id, unit=unit)
    access.deny_unless(
        access.can_request(request.user, mark),
        request.user,
        "只有本单位的填报账号可以提交申请；市信用办可直接修改完成情况。",
    )
    kind = request.POST.get("kind") or request.GET.get("kind") or MarkRequest.Kind.DONE
    can_explain = explained_state(mark.indicator) is not None
    if request.method == "POST":
        form = MarkRequestForm(request.POST, request.FILES, can_explain=can_explain)
    else:
        form = MarkRequestForm(initial={"kind": kind}, can_explain=can_explain)
    if request.method == "GET":
        try:
            check_can_request(mark, request.user, kind if kind in MarkRequest.Kind.values else MarkRequest.Kind.DONE)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("units:detail", pk=unit.pk)
    elif form.is_valid():
        try:
            submit_request(
                mark,
                request.user,
                form.cleaned_data["kind"],
                form.cleaned_data["text"],
                form.cleaned_data["attachment"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已提交“{mark.indicator.title}”的申请，请等待市信用办审核。")
            return redirect("units:detail", pk=unit.pk)
    return render(
        request,
        "units/request_form.html",
        {"unit": unit, "mark": mark, "form": form, "can_explain": can_explain},
        status=400 if form.errors else 200,
    )


STATUS_FILTERS = {
    "open": MarkRequest.Status.SUBMITTED,
    "accepted": MarkRequest.Status.ACCEPTED,
    "returned": MarkRequest.Status.RETURNED,
}


@require_safe
@access.read_all_required
def queue(request):
    """The office's queue of requests (leaders read it too)."""
    shown = request.GET.get("status", "open")
    requests = MarkRequest.objects.select_related(
        "mark__unit__category", "mark__indicator__scheme", "submitted_by", "decided_by"
    ).order_by("submitted_at", "pk")
    if shown in STATUS_FILTERS:
        requests = requests.filter(status=STATUS_FILTERS[shown])
    else:
        shown = "all"
        requests = requests.order_by("-submitted_at", "-pk")
    requests = list(requests)
    for r in requests:
        r.target = MarkState.DONE if r.kind == MarkRequest.Kind.DONE else explained_state(r.mark.indicator)
    counts = dict(MarkRequest.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return render(
        request,
        "units/queue.html",
        {
            "requests": requests,
            "shown": shown,
            "counts": counts,
            "can_decide": access.can_decide_requests(request.user),
        },
    )


def _back_to_queue(request):
    status = request.POST.get("next_status", "open")
    return redirect(f"{reverse('units:requests')}?status={status if status in STATUS_FILTERS else 'all'}")


@require_POST
@decide
def request_accept(request, pk):
    mark_request = get_object_or_404(MarkRequest.objects.select_related("mark__unit", "mark__indicator"), pk=pk)
    version = request.POST.get("version", "").strip()
    if version and not version.isdigit():
        messages.error(request, "表单数据不正确，未做任何修改。请刷新页面后重试。")
        return _back_to_queue(request)
    try:
        accept_request(mark_request, request.user, expected_version=int(version) if version else None)
    except DomainError as exc:
        messages.error(request, f"{mark_request.mark.unit} · {mark_request.mark.indicator.title}：{exc}")
    else:
        messages.success(request, f"已通过：{mark_request.mark.unit} · {mark_request.mark.indicator.title}。")
    return _back_to_queue(request)


@require_POST
@decide
def request_return(request, pk):
    mark_request = get_object_or_404(MarkRequest.objects.select_related("mark__unit", "mark__indicator"), pk=pk)
    try:
        return_request(mark_request, request.user, request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, f"{mark_request.mark.unit} · {mark_request.mark.indicator.title}：{exc}")
    else:
        messages.success(request, f"已退回：{mark_request.mark.unit} · {mark_request.mark.indicator.title}。")
    return _back_to_queue(request)


@require_POST
@decide
def request_review(request):
    """Accept or return the requests ticked in the queue, with one reason: all of them or none."""
    form = RequestReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_queue(request)
    action = form.cleaned_data["action"]
    try:
        done = review_requests(form.cleaned_data["requests"], request.user, action, form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, f"未做任何修改。{exc}")
    else:
        messages.success(request, f"已{REVIEW_ACTIONS[action]} {len(done)} 项申请。")
    return _back_to_queue(request)


@require_safe
@access.require()
def request_attachment(request, pk):
    """Evidence is served to the office, leaders and the unit's own reporters only."""
    mark_request = access.get_visible_or_404(
        request.user,
        MarkRequest.objects.select_related("mark"),
        lambda user, r: access.can_view_unit(user, r.mark.unit_id),
        pk=pk,
    )
    if not mark_request.attachment:
        raise Http404("该申请没有附件。")
    return protected_file_response(
        mark_request.attachment, mark_request.attachment_name or None, audit=request, obj=mark_request
    )
