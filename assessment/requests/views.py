"""A unit's own page, its requests about * items, the office's queue of requests and reminders."""

import secrets

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import access, cells
from assessment.marks.history import marks_changes
from assessment.marks.views.entry import reporter_redirect
from assessment.models import Mark, MarkRequest, MarkState, SchemeUnit, Unit
from assessment.notify.reminders import open_items, plan, send_unit_reminders
from assessment.requests.forms import MarkRequestForm
from assessment.requests.services import (
    accept_request,
    check_can_request,
    current_year,
    explained_state,
    return_request,
    submit_request,
)
from assessment.scoring.live import unit_score
from core.errors import DomainError
from core.uploads import protected_file_response

HISTORY_SHOWN = 50


read_all = access.read_all_required


decide = access.require(visible=access.can_read_all, allowed=access.can_decide_requests)


manage = access.manage_required


@require_GET
@reporter_redirect
@read_all
def index(request):
    """All units with what they still have open (office, leaders); a reporter goes to its own unit."""
    year = current_year()
    units = (
        Unit.objects.filter(scheme_units__scheme__year=year)
        .select_related("category")
        .annotate(
            open_requests=Count(
                "marks__requests",
                distinct=True,
                filter=Q(marks__requests__status=MarkRequest.Status.SUBMITTED, marks__indicator__scheme__year=year),
            ),
        )
        .order_by("category__order", "scheme_units__order")
    )
    pending = cells.pending_by_unit(cells.year_cells(year)[1]) if year else {}
    units = list(units)
    for unit in units:
        unit.pending = pending.get(unit.pk, 0)
    return render(request, "units/index.html", {"units": units, "year": year})


def _due_order(row):
    cell_due = row["cell"].due
    return (cell_due.date is None, cell_due.date, row["indicator"].order)


@require_GET
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
    scheme_unit = next((su for su in scheme_units if str(su.scheme.year) == wanted), None) or (
        scheme_units[0] if scheme_units else None
    )
    context = {"unit": unit, "years": years, "scheme_unit": scheme_unit}
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
                    and mark.pk not in open_by_mark,
                    "can_explain": explained_state(indicator) is not None,
                }
            )
        history, history_total = marks_changes(marks.values(), HISTORY_SHOWN)
        context.update(
            # The same figure as the scores pages and the API (frozen once the year is closed).
            score=unit_score(unit, scheme.year),
            scheme=scheme,
            rows=rows,
            # What is due when: the open (*) items by due date, overdue first (assessment.due).
            pending_rows=sorted((r for r in rows if r["pending"]), key=_due_order),
            requests=requests,
            history=history,
            history_total=history_total,
            history_shown=HISTORY_SHOWN,
        )
    return render(request, "units/detail.html", context)


@require_http_methods(["GET", "POST"])
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


STATUS_FILTERS = {"open": MarkRequest.Status.SUBMITTED, "accepted": MarkRequest.Status.ACCEPTED}


STATUS_FILTERS["returned"] = MarkRequest.Status.RETURNED


@require_GET
@read_all
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


@require_GET
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


REMINDER_NONCE = "kc_reminder_nonce"


@require_http_methods(["GET", "POST"])
@manage
def reminders(request):
    """Remind every unit that still has *: a list to check first, then one POST sends the e-mails."""
    year = current_year()
    if request.method == "POST":
        nonce = request.POST.get("nonce", "")
        if not nonce or not secrets.compare_digest(nonce, request.session.pop(REMINDER_NONCE, "")):
            messages.error(request, "这份提醒已经发送过了，或页面已过期；请在下面确认后再发送。")
            return redirect("units:reminders")
        try:
            run = send_unit_reminders(open_items(year), year=year, sent_by=request.user, force=True, defer=True)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("units:reminders")
        text = f"已安排向 {len(run.reached)} 家单位发送提醒，几分钟内由后台发出，结果见发送记录。"
        if run.missed:
            names = "、".join(p.unit.name for p in run.missed)
            text += f"{len(run.missed)} 家单位没有填报账号邮箱，也没有群机器人，未能送达：{names}。"
        (messages.warning if run.missed else messages.success)(request, text)
        return redirect("units:reminders")
    request.session[REMINDER_NONCE] = nonce = secrets.token_urlsafe(16)
    plans = plan(open_items(year), force=True) if year else []
    return render(
        request,
        "units/reminders.html",
        {"plan": plans, "year": year, "nonce": nonce, "reached": sum(1 for e in plans if e.reached)},
    )
