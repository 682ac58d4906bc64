"""Sendings: written as Delivery rows first, then delivered by a management command, never in a request.

`deliver_pending` takes every queued or failed sending (and any left "sending" by a run that died),
claims it with a conditional update so two overlapping runs never send the same row twice, and
records the outcome: ok, or failed with the reason and one more attempt (tried again next run).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .channels import ChannelError, Mailer, Message, Robot, send_robot
from .models import ROBOT_KINDS, Channel, Delivery, OfficeRobot, UnitRobot

logger = logging.getLogger(__name__)
# A row still "sending" after this long belongs to a run that died: it is tried again.
STALE_SENDING = timedelta(minutes=30)


def global_robot():
    if not settings.WEBHOOK_URL:
        return None
    return Robot(settings.WEBHOOK_KIND, settings.WEBHOOK_URL, settings.WEBHOOK_SECRET)


def office_robot():
    """The office's own group robot, when it is set and on (notices of arriving cases and requests)."""
    robot = OfficeRobot.objects.filter(is_active=True).first()
    return Robot(robot.kind, robot.url, robot.secret) if robot else None


def robots_for(unit_ids):
    """{unit id: Robot} — the unit's own active robot, else the one for all units (one query)."""
    own = {
        r.unit_id: Robot(r.kind, r.url, r.secret)
        for r in UnitRobot.objects.filter(unit_id__in=unit_ids, is_active=True)
    }
    fallback = global_robot()
    return {pk: own.get(pk, fallback) for pk in unit_ids if own.get(pk, fallback) is not None}


def message_of(delivery):
    return Message(delivery.title, delivery.text, delivery.markdown or delivery.text)


def pending():
    stale = timezone.now() - STALE_SENDING
    return Delivery.objects.filter(
        Q(status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED])
        | Q(status=Delivery.Status.SENDING, last_attempt_at__lt=stale)
    ).order_by("created_at", "pk")


def _claim(delivery):
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery.pk, status=delivery.status, attempts=delivery.attempts).update(
        status=Delivery.Status.SENDING, last_attempt_at=now, attempts=F("attempts") + 1
    )
    if claimed:
        delivery.status, delivery.last_attempt_at, delivery.attempts = (
            Delivery.Status.SENDING,
            now,
            delivery.attempts + 1,
        )
    return bool(claimed)


def _robot_of(delivery):
    """The robot as it is configured now (a corrected address helps the retry): a unit's, or the office's for a
    sending to no unit; else the recorded one."""
    unit_id = delivery.unit_id
    robot = robots_for([unit_id]).get(unit_id) if unit_id is not None else office_robot()
    if robot is not None:
        return robot
    if not delivery.recipient:
        raise ChannelError("没有群机器人地址")
    return Robot(delivery.channel, delivery.recipient)


def deliver(delivery, mailer):
    """Send one claimed delivery and record the outcome."""
    try:
        if delivery.channel == Channel.EMAIL:
            addresses = [a for a in delivery.recipient.split(",") if a]
            if not addresses:
                raise ChannelError("没有收件邮箱")
            mailer.send(addresses, message_of(delivery))
        elif delivery.channel in ROBOT_KINDS:
            send_robot(_robot_of(delivery), message_of(delivery))
        else:
            raise ChannelError("未知的发送渠道")
    except ChannelError as exc:
        delivery.status, delivery.error = Delivery.Status.FAILED, str(exc)
    except Exception as exc:  # an unforeseen error fails this sending only, on record, not the whole run
        logger.exception("delivery %s failed", delivery.pk)
        delivery.status, delivery.error = Delivery.Status.FAILED, f"发送出错（{type(exc).__name__}）"
    else:
        delivery.status, delivery.error, delivery.sent_at = Delivery.Status.OK, "", timezone.now()
    delivery.save(update_fields=["status", "error", "sent_at"])
    return delivery


def deliver_pending(queryset=None):
    """Deliver every queued or failed sending; returns the deliveries tried, with their outcome."""
    mailer = Mailer()
    done = []
    try:
        for delivery in list(queryset if queryset is not None else pending()):
            if _claim(delivery):
                done.append(deliver(delivery, mailer))
    finally:
        mailer.close()
    return done
