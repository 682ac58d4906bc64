"""Reminding every unit that still has *: the list to check, then one POST that sends the e-mails."""

import secrets

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from assessment import access
from assessment.mark_requests.services import current_year
from assessment.notify.reminder_kinds import open_items
from assessment.notify.reminders import plan, send_unit_reminders
from core.errors import DomainError

REMINDER_NONCE = "kc_reminder_nonce"


@require_http_methods(["GET", "HEAD", "POST"])
@access.manage_required
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
