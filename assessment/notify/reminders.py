"""Reminders to units: which items to remind whom of, one message per unit, recorded and then delivered.

What a unit is reminded of comes from reminder kinds: `register_reminder_kind(name, open_items)`, where
`open_items(year, stage, as_of)` returns the year's open `ReminderItem`s (unit, reference, due date, stage).
This module registers the marks' kind: every * cell with its due date and its stage from the cell's due
status (assessment.due: overdue, due soon, else pending). `open_items(year)` is every kind's, what the
office's manual reminder sends; `due_items` keeps the due-soon and overdue ones, what `manage.py
send_reminders` sends every day. The rule lives here, whatever the kind: each (item, stage) is reminded once,
the overdue stage again every DJANGO_REMINDER_REPEAT_DAYS.

Once a year has ended its open cells are 年终未完成: until the year is closed, the unit is asked once for
its year-end explanation (情况说明), with no days counted; a closed year sends none (`open_items`,
`reminder_years`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from assessment import access, cells, due, years
from assessment.due import DueStatus
from assessment.models import Mark, MarkRequest, MarkState, Reporter
from core.errors import DomainError
from core.office.models import get_office

from . import receipts
from .deliveries import deliver_pending, robots_for
from .links import absolute_reverse
from .models import CellReminder, Channel, Delivery, Stage

EMAIL, ROBOT = "email", "robot"
ALL_CHANNELS = frozenset({EMAIL, ROBOT})
# Sections of a message, most pressing first.
STAGE_ORDER = [Stage.YEAR_END, Stage.OVERDUE, Stage.DUE_SOON, Stage.PENDING]
STAGE_HEADINGS = {
    Stage.YEAR_END: "年度已结束，以下事项仍未完成，请提交年终情况说明（因客观原因无法完成的，说明后不作扣分）：",
    Stage.OVERDUE: "已逾期：",
    Stage.DUE_SOON: "即将到期：",
    Stage.PENDING: "以下事项目前仍标记为“*”（未完成）：",
}
NOT_REACHED = "没有填报账号邮箱，也没有群机器人，无法送达"


@dataclass(frozen=True)
class ReminderItem:
    """One item to remind a unit of. `cell` is a stable reference, <kind>:<id> (mark:<id>); `stage` a Stage
    value. Earlier reminders are remembered per (cell, stage) (CellReminder)."""

    unit: object
    cell: str
    title: str
    due: date | None = None
    stage: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ReminderKind:
    """A kind of item units are reminded of: `name` prefixes its items' references, `open_items(year, stage,
    as_of)` gives the year's open items (at `stage` those that are not yet due soon)."""

    name: str
    open_items: Callable


KINDS = {}


def register_reminder_kind(name, open_items):
    """Add a kind of reminder; at import, or from a higher layer's AppConfig.ready (as digest sources are).
    Registering the same twice keeps one; another function under a name already taken is an error."""
    known = KINDS.get(name)
    if known is not None and known.open_items is not open_items:
        raise ValueError(f"reminder kind {name!r} is registered already")
    KINDS[name] = ReminderKind(name, open_items)
    return open_items


def open_items(year, stage=Stage.PENDING, as_of=None):
    """Every open item of `year`, kind by kind in the order they were registered, each in its kind's order.

    A closed year has nothing open to remind of: its result is fixed (assessment.years.year_state).
    """
    if years.year_state(year).closed:
        return []
    return [item for kind in KINDS.values() for item in kind.open_items(year, stage, as_of)]


# The stages the daily run sends (the rest waits for the office's manual reminder).
DUE_STAGES = (Stage.YEAR_END, Stage.DUE_SOON, Stage.OVERDUE)


def due_items(year, as_of=None):
    """The open items the daily run reminds of: due soon (before the date), overdue (pressing after it) and,
    once the year has ended, the year-end explanation (once)."""
    return [i for i in open_items(year, as_of=as_of) if i.stage in DUE_STAGES]


def reminder_years():
    """The years the daily run reminds of: the current year (assessment.years.current_year, the year units
    act on, as their requests), unless it is closed. Once it has ended its open cells ask for the year-end
    explanation; a closed year sends nothing."""
    current = years.current_year()
    return [current] if current is not None and years.year_state(current).is_open else []


# --- the marks' kind: the * cells of a year's tables

MARKS = "mark"


def mark_item(mark, stage=Stage.PENDING, due=None, note=""):
    """The item for a Mark (with its unit and indicator loaded)."""
    title = f"{mark.indicator.title} {mark.indicator.points_label}".strip()
    return ReminderItem(mark.unit, f"{MARKS}:{mark.pk}", title, due, stage, note)


# A cell's due status (assessment.due) → the stage it is reminded at; a * not yet due stays "pending".
STATUS_STAGES = {
    DueStatus.YEAR_END: Stage.YEAR_END,
    DueStatus.OVERDUE: Stage.OVERDUE,
    DueStatus.DUE_SOON: Stage.DUE_SOON,
}


def open_cells(year, stage=Stage.PENDING, as_of=None):
    """Every cell of `year` that shows *, in the printed order of units and columns (4 queries).

    What a cell shows and when it is due are assessment.cells': a derived 奖惩案例 cell with cases counted is
    not open; an overdue cell is at the overdue stage, one due soon at the due-soon stage, one open after the
    year ended at the year-end stage, each with its due date as of `as_of` (default today); the rest at
    `stage`.
    """
    marks = list(
        Mark.objects.filter(indicator__scheme__year=year, state=MarkState.PENDING)
        .select_related("unit__category", "indicator__scheme")
        .order_by("unit__category__order", "unit__order", "unit__pk", "indicator__order")
    )
    shown = cells.cells_of_marks(marks, {m.indicator_id: m.indicator for m in marks}, as_of=as_of)
    marks = [m for m in marks if shown[m.pk].is_pending]
    requested = set(
        MarkRequest.objects.filter(
            status=MarkRequest.Status.SUBMITTED, mark__indicator__scheme__year=year, mark__state=MarkState.PENDING
        ).values_list("mark_id", flat=True)
    )
    return [
        mark_item(
            m,
            STATUS_STAGES.get(shown[m.pk].status, stage),
            shown[m.pk].due_date,
            note="已提交申请，待市信用办审核" if m.pk in requested else "",
        )
        for m in marks
    ]


register_reminder_kind(MARKS, open_cells)


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


def _due_text(item, today):
    if item.due is None or item.stage == Stage.YEAR_END:  # the year is over: no days are counted
        return ""
    days = (item.due - today).days
    if days < 0:
        return f"（截止 {item.due:%Y-%m-%d}，已逾期 {-days} 天）"
    if days == 0:
        return f"（截止 {item.due:%Y-%m-%d}，今天到期）"
    return f"（截止 {item.due:%Y-%m-%d}，还有 {days} 天）"


def _sections(unit_plan):
    for stage in STAGE_ORDER:
        items = [i for i in unit_plan.items if i.stage == stage]
        if items:
            yield stage, items


def compose(unit_plan, *, year=None, today, message="", receipt_link="", single=False):
    """One message for a unit: the office's message if any, its items by stage with their dates, what to do,
    a link to its page and its personal 签收 link."""
    unit, link = unit_plan.unit, absolute_reverse("units:detail", unit_plan.unit.pk)
    year_text = f"{year}年度" if year else ""
    office = get_office()
    what = "催办" if single else "提醒"
    title = office.mail_subject(f"{year_text}信用体系建设考核未完成事项{what}（{unit.name}）")
    lines = [f"{unit.name}：", "", f"贵单位{year_text}信用体系建设考核中有以下事项需要办理。"]
    md = [f"### {office.mail_subject(f'{year_text}考核事项{what}')}", f"**{unit.name}**"]
    if message:
        lines += ["", f"{office.message_label}：{message}"]
        md += ["", f"> {office.message_label}：{message}"]
    number = 0
    for stage, items in _sections(unit_plan):
        lines += ["", STAGE_HEADINGS[stage]]
        md += ["", f"**{STAGE_HEADINGS[stage]}**"]
        for item in items:
            number += 1
            note = f"（{item.note}）" if item.note else ""
            lines.append(f"{number}. {item.title}{_due_text(item, today)}{note}")
            md.append(f"{number}. {item.title}{_due_text(item, today)}{note}")
    lines += [
        "",
        "请抓紧完成“*”对应的考核事项；完成后可在门户“本单位”页面报告已完成并附证明材料。"
        "因规定未明确等客观原因导致工作落实存在困难的，请提交情况说明，不作为扣分项。",
        "",
        f"本单位页面：{link}",
    ]
    if receipt_link:
        lines += ["", f"收到后请打开以下链接签收（需登录本单位填报账号）：{receipt_link}"]
    lines += ["", office.signature]
    md += ["", f"[打开本单位页面]({link})"]
    if receipt_link:
        md += [f"[签收本提醒]({receipt_link})"]
    return title, "\n".join(lines), "\n".join(md)


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
