"""The daily digest: each follower gets one message of what changed where they follow, since the last one.

What changed comes from digest sources: functions `source(since, until)` returning `DigestEntry`s.
This module registers the marks' history and the units' requests; higher layers register their
own in their AppConfig.ready (cases: the review steps), so this layer never imports them.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessment.marks.history import Change, with_previous
from assessment.models import Mark, MarkRequest
from core.office.models import get_office
from core.people import display_name

from .follows import unfollow_url
from .links import absolute_url
from .models import Channel, Delivery, Follow

SOURCES = []
MAX_ENTRIES = 200  # per digest; more are summed up in one line


@dataclass(frozen=True)
class DigestEntry:
    at: datetime
    unit_id: int | None
    indicator_id: int | None
    text: str
    path: str  # a URL path on the portal


def register_digest_source(source):
    """Add a source of entries; called from an AppConfig.ready. Registering twice keeps one."""
    if source not in SOURCES:
        SOURCES.append(source)
    return source


def mark_changes(since, until):
    """Changed cells (not the cells a new year creates), from the marks' history (one query)."""
    entries = with_previous(
        Mark.history.filter(history_date__gt=since, history_date__lte=until, history_type="~")
        .select_related("history_user", "unit", "indicator__scheme")
        .order_by("history_date", "history_id")
    )
    for e in entries:
        how = f"，{e.history_change_reason}" if e.history_change_reason else ""
        old = Change(e).old or "（空）"
        yield DigestEntry(
            e.history_date,
            e.unit_id,
            e.indicator_id,
            f"{e.unit.name} · {e.indicator.title}：由“{old}”改为“{e.display}”（{display_name(e.history_user)}{how}）",
            reverse("units:detail", args=[e.unit_id]) + f"?year={e.indicator.scheme.year}",
        )


def request_changes(since, until):
    """Requests the units filed and the office decided (two queries)."""
    base = MarkRequest.objects.select_related("mark__unit", "mark__indicator", "submitted_by", "decided_by")
    for r in base.filter(submitted_at__gt=since, submitted_at__lte=until):
        unit, indicator = r.mark.unit, r.mark.indicator
        yield DigestEntry(
            r.submitted_at,
            unit.pk,
            indicator.pk,
            f"{unit.name} · {indicator.title}：提交了{r.get_kind_display()}申请（{display_name(r.submitted_by)}）",
            reverse("units:requests"),
        )
    for r in base.filter(decided_at__gt=since, decided_at__lte=until):
        unit, indicator = r.mark.unit, r.mark.indicator
        yield DigestEntry(
            r.decided_at,
            unit.pk,
            indicator.pk,
            f"{unit.name} · {indicator.title}：{r.get_kind_display()}申请"
            f"{r.get_status_display()}（{display_name(r.decided_by)}）",
            reverse("units:requests") + "?status=all",
        )


register_digest_source(mark_changes)
register_digest_source(request_changes)


def _entries(since, until):
    entries = [e for source in SOURCES for e in source(since, until)]
    entries.sort(key=lambda e: e.at)
    return entries


def followed_changes(follows, since_of, until):
    """[(follow, [entries])] for the follows with a change after `since_of(follow)` and up to `until`, in the
    follows' order: one run of the sources for them all (the digest, the leader's 待办)."""
    if not follows:
        return []
    entries = _entries(min(since_of(f) for f in follows), until)
    by_unit, by_indicator = defaultdict(list), defaultdict(list)
    for entry in entries:
        if entry.unit_id is not None:
            by_unit[entry.unit_id].append(entry)
        if entry.indicator_id is not None:
            by_indicator[entry.indicator_id].append(entry)
    found = []
    for f in follows:
        since = since_of(f)
        new = [e for e in (by_unit[f.unit_id] if f.unit_id else by_indicator[f.indicator_id]) if e.at > since]
        if new:
            found.append((f, new))
    return found


def compose(user, sections, today):
    """sections: [(follow, unfollow link, [entries])]. Plain text for e-mail, markdown for robots."""
    title = get_office().mail_subject(f"关注动态摘要（{today:%Y-%m-%d}）")
    lines = [f"{display_name(user)}：", "", "您关注的单位和指标自上次摘要以来有以下变化。"]
    md = [f"### {title}"]
    shown = 0
    for follow_row, stop_link, entries in sections:
        lines += ["", f"【{follow_row.target_label}】"]
        md += ["", f"**{follow_row.target_label}**"]
        for entry in entries:
            shown += 1
            if shown > MAX_ENTRIES:
                break
            when = timezone.localtime(entry.at).strftime("%m-%d %H:%M")
            lines.append(f"- {when} {entry.text}  {absolute_url(entry.path)}")
            md.append(f"- {when} [{entry.text}]({absolute_url(entry.path)})")
        lines.append(f"不再关注“{follow_row.target_label}”：{stop_link}")
        md.append(f"[不再关注]({stop_link})")
    total = sum(len(e) for _, _, e in sections)
    if total > MAX_ENTRIES:
        lines += ["", f"另有 {total - MAX_ENTRIES} 项变化未列出，请在门户中查看。"]
    lines += ["", get_office().signature]
    return title, "\n".join(lines), "\n".join(md)


def send_digests(*, now=None, dry_run=False):
    """One digest per follower with something new; records each as a Delivery. Returns [(user, sections)]."""
    now = now or timezone.now()
    follows = list(
        Follow.objects.select_related("user", "unit", "indicator__scheme")
        .filter(user__is_active=True, digested_until__lt=now)
        .order_by("user_id", "pk")
    )
    if not follows:
        return []
    per_user, listed = defaultdict(list), defaultdict(set)
    for f, found in followed_changes(follows, lambda f: f.digested_until, now):
        # A change of a followed unit in a followed column is listed once, under the first of the two follows.
        new = [e for e in found if e not in listed[f.user_id]]
        listed[f.user_id].update(new)
        if new:
            per_user[f.user].append((f, unfollow_url(f), new))
    digests = list(per_user.items())
    if dry_run:
        return digests
    today = timezone.localdate(now)
    with transaction.atomic():
        for user, sections in digests:
            title, text, markdown = compose(user, sections, today)
            Delivery.objects.create(
                kind=Delivery.Kind.DIGEST,
                channel=Channel.EMAIL,
                user=user,
                recipient=user.email,
                title=title[:200],
                text=text,
                markdown=markdown,
                items=[{"follow": f.target_label, "changes": len(e)} for f, _, e in sections],
                run_date=today,
                status=Delivery.Status.QUEUED if user.email else Delivery.Status.UNREACHABLE,
                error="" if user.email else "该账号没有邮箱，无法送达",
            )
        Follow.objects.filter(pk__in=[f.pk for f in follows]).update(digested_until=now)
    return digests
