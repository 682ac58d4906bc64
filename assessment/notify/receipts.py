"""签收: every reminder and 催办 reaches each unit with a personal link; opened by the unit's own account, it
records that the unit received it (once). The office sees per reminder who has acknowledged, and presses
again those who have not (their sendings are queued once more)."""

import secrets

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from assessment import access
from core.errors import DomainError

from .links import absolute_reverse
from .models import Delivery, Receipt, Reminder

AGAIN = "【再次催办】"


def new_reminder(*, year=None, single=False, message="", sent_by=None):
    return Reminder.objects.create(year=year, single=single, message=message, created_by=sent_by)


def new_receipt(reminder, unit, items):
    """The unit's copy of `reminder`, with a link no one can guess."""
    return Receipt.objects.create(reminder=reminder, unit=unit, token=secrets.token_urlsafe(24), items=items)


def link_of(receipt):
    return absolute_reverse("units:receipt", receipt.token)


def receipt_for(user, token):
    """The receipt behind a link, only for an account of its unit; None for anyone else (a 404)."""
    receipt = Receipt.objects.select_related("unit", "reminder", "acknowledged_by").filter(token=token).first()
    if receipt is None or not access.is_reporter(user) or access.reporter_unit_id(user) != receipt.unit_id:
        return None
    return receipt


def acknowledge(receipt, user):
    """Record that the unit received the reminder: the first opening counts, later ones change nothing."""
    if access.reporter_unit_id(user) != receipt.unit_id:
        raise DomainError("只有本单位的填报账号可以签收。")
    Receipt.objects.filter(pk=receipt.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user
    )
    receipt.refresh_from_db(fields=["acknowledged_at", "acknowledged_by"])
    return receipt


def waiting_for(unit):
    """The reminders and 催办 a unit has not acknowledged yet, newest first."""
    return list(
        Receipt.objects.filter(unit=unit, acknowledged_at__isnull=True)
        .select_related("reminder")
        .order_by("-reminder__created_at", "-pk")
    )


def reminders_with_counts():
    """The reminders sent, newest first, each with how many units it reached and how many acknowledged."""
    return (
        Reminder.objects.select_related("created_by")
        .annotate(
            units=Count("receipts"),
            acknowledged=Count("receipts", filter=Q(receipts__acknowledged_at__isnull=False)),
            waiting=Count("receipts", filter=Q(receipts__acknowledged_at__isnull=True)),
        )
        .order_by("-created_at", "-pk")
    )


def _again(title):
    return title if title.startswith(AGAIN) else f"{AGAIN}{title}"[:200]


def press_again(reminder, user):
    """Send the reminder again to every unit that has not acknowledged it: each of its earlier sendings (that
    reached an address) is queued once more, with the same link. Returns the receipts pressed."""
    if not access.can_manage(user):
        raise DomainError("只有市信用办可以再次催办。")
    with transaction.atomic():
        pending = list(reminder.receipts.select_for_update().filter(acknowledged_at__isnull=True))
        if not pending:
            raise DomainError("所有单位都已签收，无需再次催办。")
        sent = Delivery.objects.filter(receipt__in=pending).exclude(status=Delivery.Status.UNREACHABLE)
        copies, seen = [], set()
        for delivery in sent.order_by("-created_at", "-pk"):
            key = (delivery.receipt_id, delivery.channel)
            if key in seen:
                continue
            seen.add(key)
            copies.append(
                Delivery(
                    kind=delivery.kind,
                    channel=delivery.channel,
                    unit_id=delivery.unit_id,
                    recipient=delivery.recipient,
                    title=_again(delivery.title),
                    text=delivery.text,
                    markdown=delivery.markdown,
                    items=delivery.items,
                    run_date=timezone.localdate(),
                    created_by=user,
                    receipt_id=delivery.receipt_id,
                )
            )
        if not copies:
            raise DomainError("未签收的单位没有填报账号邮箱，也没有群机器人，无法再次发送。")
        Delivery.objects.bulk_create(copies)
        pressed = {c.receipt_id for c in copies}
        for receipt in pending:
            if receipt.pk in pressed:
                receipt.pressed += 1
                receipt.save(update_fields=["pressed"])
        return [r for r in pending if r.pk in pressed]
