"""Reminders to units: which items to remind whom of, one message per unit, recorded and then delivered.

The items come from reminder kinds (assessment.notify.reminder_kinds), the words from
assessment.notify.reminder_text. The rule lives here, whatever the kind: each (item, stage) is reminded once,
the overdue stage again every DJANGO_REMINDER_REPEAT_DAYS; a unit without any contact is recorded as
unreachable, not every day.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from assessment import access, due
from assessment.models import Reporter
from core.errors import DomainError

from . import receipts
from .deliveries import deliver_pending, robots_for
from .models import CellReminder, Channel, Delivery, Stage
from .reminder_kinds import ReminderItem
from .reminder_text import compose

EMAIL, ROBOT = "email", "robot"
ALL_CHANNELS = frozenset({EMAIL, ROBOT})
NOT_REACHED = "没有填报账号邮箱，也没有群机器人，无法送达"


@dataclass
class UnitPlan:
    """What one unit is sent: the items due for a reminder now, and where it goes."""

    unit: object
    items: list = field(default_factory=list)
    emails: list = field(default_factory=list)
    robot: object = None

    @property
    def reached(self):
        return bool(self.emails or self.robot)

    @property
    def channels(self):
        return [Channel.EMAIL] * bool(self.emails) + ([self.robot.kind] if self.robot else [])


def repeat_due(reminder, stage, today):
    """Whether a cell reminded before at `stage` is reminded again today."""
    if reminder is None:
        return True
    return stage == Stage.OVERDUE and reminder.last_sent_on + timedelta(days=settings.REMINDER_REPEAT_DAYS) <= today


def plan(items, *, stage=None, today=None, force=False, channel_set=ALL_CHANNELS):
    """Group the items by unit, keep those due for a reminder (all with `force`), add each unit's contacts.

    Three queries whatever the number of units: earlier reminders, reporters' e-mails, robots.
    """
    today = today or due.today()
    items = [
        i if i.stage else ReminderItem(i.unit, i.cell, i.title, i.due, stage or Stage.PENDING, i.note) for i in items
    ]
    earlier = {}
    if not force and items:
        cells = {i.cell for i in items}
        earlier = {(r.cell, r.stage): r for r in CellReminder.objects.filter(cell__in=cells)}
    plans = {}
    for item in items:
        if force or repeat_due(earlier.get((item.cell, item.stage)), item.stage, today):
            plans.setdefault(item.unit.pk, UnitPlan(item.unit)).items.append(item)
    if EMAIL in channel_set and plans:
        reporters = Reporter.objects.filter(unit_id__in=plans, user__is_active=True).exclude(user__email="")
        for unit_id, email in reporters.values_list("unit_id", "user__email").order_by("user__email"):
            if email not in plans[unit_id].emails:
                plans[unit_id].emails.append(email)
    if ROBOT in channel_set and plans:
        for unit_id, robot in robots_for(list(plans)).items():
            plans[unit_id].robot = robot
    return list(plans.values())


@dataclass
class Run:
    """The outcome of one call: each unit's plan, the deliveries written, those delivered now."""

    plans: list
    reminder: object = None
    written: list = field(default_factory=list)
    delivered: list = field(default_factory=list)

    @property
    def reached(self):
        return [p for p in self.plans if p.reached]

    @property
    def missed(self):
        return [p for p in self.plans if not p.reached]


def _record_items(unit_plan):
    return [
        {"cell": i.cell, "stage": i.stage, "title": i.title, "due": i.due.isoformat() if i.due else None}
        for i in unit_plan.items
    ]


def _mark_reminded(plans, today):
    """Record each (cell, stage) as reminded today (two queries and a bulk insert)."""
    items = [(p.unit, i) for p in plans for i in p.items]
    existing = {(r.cell, r.stage): r for r in CellReminder.objects.filter(cell__in={i.cell for _, i in items})}
    new, seen = [], set()
    for unit, item in items:
        key = (item.cell, item.stage)
        if key in existing or key in seen:
            continue
        seen.add(key)
        new.append(CellReminder(cell=item.cell, stage=item.stage, unit=unit, first_sent_on=today, last_sent_on=today))
    CellReminder.objects.bulk_create(new)
    again = [
        r.pk for key, r in existing.items() if r.last_sent_on != today and key in {(i.cell, i.stage) for _, i in items}
    ]
    CellReminder.objects.filter(pk__in=again).update(last_sent_on=today, times=F("times") + 1)


def _already_unreachable(plans, today):
    """Units already recorded as unreachable for the same items lately: not recorded again every day."""
    since = today - timedelta(days=settings.REMINDER_REPEAT_DAYS)
    rows = Delivery.objects.filter(
        kind=Delivery.Kind.REMINDER,
        status=Delivery.Status.UNREACHABLE,
        unit_id__in=[p.unit.pk for p in plans],
        run_date__gte=since,
    ).values_list("unit_id", "items")
    return {(unit_id, tuple(i["cell"] + i["stage"] for i in items)) for unit_id, items in rows}


def send_unit_reminders(
    items,
    *,
    stage=None,
    channel_set=ALL_CHANNELS,
    dry_run=False,
    today=None,
    year=None,
    sent_by=None,
    force=False,
    defer=False,
    message="",
    single=False,
):
    """Remind each unit of its items: one message per unit and channel, recorded, then delivered.

    `force` (the office's manual reminder) sends every item whatever was reminded before; `defer`
    only records the sendings (a web request), for `manage.py send_queued` to deliver. `dry_run`
    writes and sends nothing and returns the plan. A unit without any contact is recorded as
    unreachable and its items stay unreminded, so they go out once it has an address. Every unit reached
    gets a 签收 link (receipts); `single` marks a 催办 of one unit, `message` the office's words in it.
    """
    if sent_by is not None and not access.can_manage(sent_by):
        raise DomainError("只有市信用办可以发送提醒。")
    today = today or due.today()
    run = Run(plan(items, stage=stage, today=today, force=force, channel_set=channel_set))
    if dry_run or not run.plans:
        return run
    try:
        with transaction.atomic():
            skip = _already_unreachable(run.missed, today) if run.missed else set()
            run.reminder = receipts.new_reminder(year=year, single=single, message=message, sent_by=sent_by)
            for unit_plan in run.plans:
                key = (unit_plan.unit.pk, tuple(i.cell + i.stage for i in unit_plan.items))
                if not unit_plan.reached and key in skip:
                    continue
                receipt = receipts.new_receipt(run.reminder, unit_plan.unit, _record_items(unit_plan))
                title, text, markdown = compose(
                    unit_plan,
                    year=year,
                    today=today,
                    message=message,
                    receipt_link=receipts.link_of(receipt) if unit_plan.reached else "",
                    single=single,
                )
                common = {
                    "kind": Delivery.Kind.REMINDER,
                    "unit": unit_plan.unit,
                    "title": title[:200],
                    "text": text,
                    "markdown": markdown,
                    "items": _record_items(unit_plan),
                    "run_date": today,
                    "created_by": sent_by,
                    "receipt": receipt,
                }
                if not unit_plan.reached:
                    run.written.append(
                        Delivery.objects.create(
                            channel=Channel.EMAIL, status=Delivery.Status.UNREACHABLE, error=NOT_REACHED, **common
                        )
                    )
                    continue
                if unit_plan.emails:
                    run.written.append(
                        Delivery.objects.create(channel=Channel.EMAIL, recipient=",".join(unit_plan.emails), **common)
                    )
                if unit_plan.robot:
                    run.written.append(
                        Delivery.objects.create(channel=unit_plan.robot.kind, recipient=unit_plan.robot.url, **common)
                    )
            _mark_reminded(run.reached, today)
    except IntegrityError as exc:  # another run recorded the same cells in the meantime
        raise DomainError("另一次提醒正在进行，本次没有发送；请稍后再试。") from exc
    if not defer:
        queued = [d.pk for d in run.written if d.status == Delivery.Status.QUEUED]
        run.delivered = deliver_pending(Delivery.objects.filter(pk__in=queued).order_by("pk"))
    return run
