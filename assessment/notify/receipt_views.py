"""催办 of one unit, the 签收 link a unit opens, the office's list of reminders with who has acknowledged, and
each office member's choice of how notices reach them."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from assessment import access
from core import paging
from core.errors import DomainError

from . import receipts, urge
from .models import NoticePreference, Reminder

PAGE_SIZE = 50


@require_http_methods(["GET", "HEAD", "POST"])
@access.require(visible=access.can_read_all, allowed=access.can_manage)
def urge_unit(request, pk):
    """催办 of one unit: its open items (all ticked), an optional message, one button."""
    unit = access.get_unit_or_404(request.user, pk)
    items = urge.unit_items(unit)
    chosen = {item.cell for item in items}
    message = ""
    if request.method == "POST":
        chosen, message = set(request.POST.getlist("cell")), request.POST.get("message", "")
        try:
            run = urge.urge_unit(unit, request.user, chosen, message)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已安排向{unit.name}发送催办，几分钟内由后台发出；单位签收后在此可见。")
            return redirect("units:reminder_receipts", pk=run.reminder.pk)
    return render(
        request,
        "notify/urge.html",
        {"unit": unit, "items": items, "chosen": chosen, "message": message},
        status=400 if request.method == "POST" else 200,
    )


@require_safe
@access.require()
def receipt_link(request, token):
    """The personal link in a reminder: opened by the unit's own account, it records the 签收 (once)."""
    receipt = receipts.receipt_for(request.user, token)
    if receipt is None:
        raise Http404("没有找到这份提醒。")
    first = receipt.acknowledged_at is None
    receipts.acknowledge(receipt, request.user)
    return render(request, "notify/receipt.html", {"receipt": receipt, "first": first})


@require_safe
@access.require(visible=access.can_read_all, allowed=access.can_manage)
def sent_reminders(request):
    """Every reminder and 催办 sent, newest first, with how many units have acknowledged it."""
    page = paging.paginate(request, receipts.reminders_with_counts(), PAGE_SIZE)
    return render(request, "notify/sent_reminders.html", {"page": page})


@require_http_methods(["GET", "HEAD", "POST"])
@access.require(visible=access.can_read_all, allowed=access.can_manage)
def reminder_receipts(request, pk):
    """One reminder: each unit, acknowledged (by whom, when) or not; POST sends it again to those who have not."""
    reminder = get_object_or_404(Reminder.objects.select_related("created_by"), pk=pk)
    if request.method == "POST":
        try:
            pressed = receipts.press_again(reminder, request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已安排再次催办 {len(pressed)} 家未签收的单位，几分钟内由后台发出。")
        return redirect("units:reminder_receipts", pk=reminder.pk)
    rows = list(reminder.receipts.select_related("unit", "acknowledged_by"))
    return render(
        request,
        "notify/reminder_receipts.html",
        {
            "reminder": reminder,
            "acknowledged": [r for r in rows if r.acknowledged_at],
            "waiting": [r for r in rows if not r.acknowledged_at],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@access.require(visible=access.can_read_all, allowed=access.can_manage)
def notice_settings(request):
    """How notices of arriving cases and requests reach me: at once, once a day, or not at all."""
    preference = NoticePreference.objects.filter(user=request.user).first()
    mode = preference.mode if preference else NoticePreference.Mode.IMMEDIATE
    if request.method == "POST":
        wanted = request.POST.get("mode", "")
        if wanted not in NoticePreference.Mode.values:
            messages.error(request, "请选择一种通知方式。")
        else:
            NoticePreference.objects.update_or_create(user=request.user, defaults={"mode": wanted})
            messages.success(request, f"已保存：收到报送时{NoticePreference.Mode(wanted).label}。")
            return redirect("units:notice_settings")
    return render(
        request,
        "notify/notice_settings.html",
        {"modes": NoticePreference.Mode.choices, "mode": mode, "email": request.user.email},
    )
