"""Notices both ways: the office is told when a case or a unit's request arrives, the submitter when it is
accepted or returned (with the reason).

Higher layers (cases) call `notify_office` and `notify_submitter` from their services, inside the
transaction that changes the data: the notices are Delivery rows written with the change, delivered by
`manage.py send_queued` (never during the request). Each office member chooses, on `/units/notices/`, to be
told at once, in one summary a day (`send_notice_summaries`, run with the daily digests), or not at all; the
office's own group robot, when one is set on that page, hears of each arrival at once.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.access import STAFF_GROUP
from core.office.models import get_office
from core.people import display_name

from .deliveries import office_robot, robots_for
from .links import absolute_url
from .models import Channel, Delivery, NoticePreference


@dataclass(frozen=True)
class Notice:
    """What happened, in one line (`subject`, without the office's tag), the lines of the body, and the
    portal page where it is handled (a path such as /cases/case/4/)."""

    subject: str
    lines: tuple
    path: str


def _title(notice):
    return get_office().mail_subject(notice.subject)[:200]


def _text(greeting, notice):
    link = absolute_url(notice.path)
    text = "\n".join([f"{greeting}：", "", *notice.lines, "", f"办理页面：{link}", "", get_office().signature])
    markdown = "\n".join([f"### {_title(notice)}", "", *notice.lines, "", f"[打开办理页面]({link})"])
    return text, markdown


def office_members():
    """The office's active accounts with an e-mail, each with its notice mode (two queries)."""
    users = list(
        get_user_model()
        .objects.filter(groups__name=STAFF_GROUP, is_active=True)
        .exclude(email="")
        .order_by("username")
        .distinct()
    )
    modes = dict(NoticePreference.objects.filter(user__in=users).values_list("user_id", "mode"))
    return [(user, modes.get(user.pk, NoticePreference.Mode.IMMEDIATE)) for user in users]


def notify_office(notice, *, unit=None, actor=None):
    """A case or request arrived: a notice to each office member by their mode (at once or held for the
    day's summary), except the one who sent it, and to the office's group robot. Returns the deliveries written."""
    written = []
    robot = office_robot()
    if robot is not None:
        text, markdown = _text(get_office().short_name or get_office().name, notice)
        written.append(
            Delivery.objects.create(
                kind=Delivery.Kind.NOTICE,
                channel=robot.kind,
                recipient=robot.url,  # unit left empty: the retry takes the office's robot as it is then
                title=_title(notice),
                text=text,
                markdown=markdown,
                run_date=timezone.localdate(),
                created_by=actor,
            )
        )
    for user, mode in office_members():
        if mode == NoticePreference.Mode.OFF or user == actor:
            continue
        text, markdown = _text(display_name(user), notice)
        status = Delivery.Status.HELD if mode == NoticePreference.Mode.DAILY else Delivery.Status.QUEUED
        written.append(
            Delivery.objects.create(
                kind=Delivery.Kind.NOTICE,
                channel=Channel.EMAIL,
                unit=unit,
                user=user,
                recipient=user.email,
                title=_title(notice),
                text=text,
                markdown=markdown,
                status=status,
                run_date=timezone.localdate(),
            )
        )
    return written


def notify_submitter(user, notice, *, unit=None, actor=None):
    """Tell the one who submitted (by e-mail) and their unit's group robot that it was accepted or returned.
    Nothing when the submitter decided it themselves."""
    if user is None or user == actor:
        return []
    text, markdown = _text(display_name(user), notice)
    common = {
        "kind": Delivery.Kind.NOTICE,
        "unit": unit,
        "user": user,
        "title": _title(notice),
        "text": text,
        "markdown": markdown,
        "run_date": timezone.localdate(),
        "created_by": actor,
    }
    written = []
    if user.email and user.is_active:
        written.append(Delivery.objects.create(channel=Channel.EMAIL, recipient=user.email, **common))
    robot = robots_for([unit.pk]).get(unit.pk) if unit is not None else None
    if robot is not None:
        written.append(Delivery.objects.create(channel=robot.kind, recipient=robot.url, **common))
    return written


def send_notice_summaries(now=None):
    """Each office member who reads notices once a day gets one e-mail of what arrived since the last one;
    the notices it gathers are marked as summarised. Returns the summaries written."""
    now = now or timezone.now()
    written = []
    with transaction.atomic():
        held = list(
            Delivery.objects.select_for_update(of=("self",))  # the user's row is joined, not locked
            .filter(kind=Delivery.Kind.NOTICE, status=Delivery.Status.HELD, created_at__lte=now)
            .select_related("user")
            .order_by("user_id", "created_at", "pk")
        )
        by_user = {}
        for delivery in held:
            by_user.setdefault(delivery.user, []).append(delivery)
        for user, notices in by_user.items():
            if user is None:
                continue
            lines = [f"{n}. {d.title}\n   {_link_of(d)}" for n, d in enumerate(notices, 1)]
            title = get_office().mail_subject(f"今日收到的报送（{len(notices)} 件）")
            text = "\n".join(
                [f"{display_name(user)}：", "", "以下报送等待市信用办办理：", "", *lines, "", get_office().signature]
            )
            written.append(
                Delivery.objects.create(
                    kind=Delivery.Kind.NOTICE,
                    channel=Channel.EMAIL,
                    user=user,
                    recipient=user.email,
                    title=title[:200],
                    text=text,
                    markdown=text,
                    run_date=timezone.localdate(now),
                )
            )
        Delivery.objects.filter(pk__in=[d.pk for d in held]).update(status=Delivery.Status.SUMMARISED)
    return written


def _link_of(delivery):
    """The handling page's address in a notice's text (its last line but the signature's)."""
    for line in delivery.text.splitlines():
        if line.startswith("办理页面："):
            return line.removeprefix("办理页面：")
    return ""
