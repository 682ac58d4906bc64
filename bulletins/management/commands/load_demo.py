"""Load the 2019 第11期 demo: units, schemes, marks, the issue and one account per role.

The data lives in bulletins/demo/*.json, written once from the printed issue. The demo goes
into an empty database only (`database_is_empty`): once there is any data, the office's or the
demo's, the command changes nothing and says so, so `make run` run again keeps every edit.
The schemes go in through the production loader, `assessment.imports.schemes.load_schemes`.
"""

import json
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessment import access
from assessment.imports.schemes import load_schemes
from assessment.marks.services import HOW
from assessment.models import Reporter, Scheme, Unit
from bulletins.models import Article, Issue, IssueCase, IssueTable, NewsItem
from bulletins.services import publish_issue
from cases import stored_counts
from cases.models import Case, CaseCountRecord, CaseDuty, CaseStatus, CaseTransition, quarters_label
from core.office.models import MASTHEAD_FIELDS, Office

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_PASSWORD = "kunshan-demo-2019"
DEMO_ACCOUNTS = [
    # username, display name, group, unit name (reporters only)
    ("office", "市信用办（演示）", access.STAFF_GROUP, None),
    ("fagaiwei", "发改委填报员（演示）", access.REPORTER_GROUP, "发改委"),
    ("leader", "市领导（演示）", access.LEADER_GROUP, None),
    ("auditor", "审计员（演示）", access.AUDITOR_GROUP, None),
    ("security", "安全管理员（演示）", access.SECURITY_GROUP, None),
]
# Every demo account gets <username>@ this domain, so a reminder reaches it on the console backend.
# example.gov.cn is reserved-looking and never a real office's mailbox.
DEMO_EMAIL_DOMAIN = "example.gov.cn"
NOT_EMPTY = "数据库中已有数据，演示数据未载入。"
# The other units' demo reporters: unit01, unit02… in the order of the tables (load_unit_reporters).
UNIT_REPORTER_PREFIX = "unit"


def database_is_empty():
    """No schemes, units, issues or cases: nothing the office (or an earlier demo load) has entered.

    Accounts and the role groups that migrate creates do not count: a superuser made before
    `make run` must not keep the demo out.
    """
    return not any(m.objects.exists() for m in (Scheme, Unit, Issue, Case))


def load_issue(data):
    issue, _ = Issue.objects.update_or_create(
        year=data["year"],
        number=data["number"],
        defaults={
            "date": date.fromisoformat(data["date"]),
            **{key: data[key] for key in (*MASTHEAD_FIELDS, "is_published")},
        },
    )
    if issue.is_published and issue.published_at is None:
        issue.published_at = datetime.combine(issue.date, time(9), tzinfo=ZoneInfo("Asia/Shanghai"))
        issue.save(update_fields=["published_at"])
    for order, art in enumerate(data["articles"], start=1):
        Article.objects.update_or_create(
            issue=issue, order=order, defaults={"title": art["title"], "body": art["body"]}
        )
    for order, spec in enumerate(data["cases"], start=1):
        unit = Unit.objects.get(name=spec["source_unit"]) if spec["source_unit"] else None
        # A printed case was accepted by the office; it counts for its unit (if it is one).
        case, _ = Case.objects.update_or_create(
            title=spec["title"],
            year=spec["year"],
            defaults={
                "kind": spec["kind"],
                "subtitle": spec["subtitle"],
                "body": spec["body"],
                "source_unit": unit,
                "source_label": spec["source_label"],
                "quarter": spec["quarter"],
                "status": CaseStatus.ACCEPTED,
                "for_bulletin": True,
                "channel": spec.get("channel", "email"),
            },
        )
        CaseTransition.objects.get_or_create(
            case=case,
            to_status=CaseStatus.ACCEPTED,
            by=None,
            defaults={
                "from_status": "",
                "reason": f"{HOW.DEMO}：印发于{issue}",
                "at": issue.published_at or timezone.now(),
            },
        )
        IssueCase.objects.update_or_create(issue=issue, case=case, defaults={"order": order})
    for order, item in enumerate(data["news"], start=1):
        NewsItem.objects.update_or_create(
            issue=issue,
            order=order,
            defaults={
                "date": date.fromisoformat(item["date"]) if item["date"] else None,
                "text": item["text"],
                "source": item["source"],
            },
        )
    for order, slug in enumerate(data["tables"], start=1):
        scheme = Scheme.objects.get(year=issue.year, category__slug=slug)
        IssueTable.objects.update_or_create(issue=issue, scheme=scheme, defaults={"order": order})
    return issue


def publish_once(issue):
    """Published issues are read from their frozen version; the demo's is taken once, on first load,
    after everything its tables show (marks, case counts) is in place."""
    if issue.is_published and issue.current_version_id is None:
        publish_issue(issue, None, published_at=issue.published_at)
        issue.refresh_from_db()


def load_case_counts(year, printed_counts, printed_cases, offline):
    """Offline records that make every printed 奖惩案例 number come out, one per unit.

    The printed number = the unit's printed cases, accepted in the portal (those of 行政审批局
    and 住建局), + what it reported before the portal, recorded here with its source and the quarters
    it covers (`offline`: the demo data's "offline_counts", the date and quarters of the count kept
    then: 前三季度, so the fourth quarter is owed a case of its own). Only the demo's own cases are
    subtracted, so cases accepted later add to the printed numbers.
    """
    first, last = offline["quarters"]
    covers = quarters_label(first, last)
    accepted = Counter(spec["source_unit"] for spec in printed_cases if spec["source_unit"] and spec["year"] == year)
    for (unit_name, indicator), printed in printed_counts.items():
        unit = Unit.objects.get(name=unit_name)
        CaseDuty.objects.get_or_create(indicator=indicator)
        count = printed - accepted[unit_name]
        if count <= 0:
            continue
        CaseCountRecord.objects.update_or_create(
            unit=unit,
            year=year,
            date=date.fromisoformat(offline["date"]),
            created_by=None,
            defaults={
                "first_quarter": first,
                "last_quarter": last,
                "count": count,
                "note": f"{year}年{covers}报送 {count} 例",
            },
        )


def load_office():
    """The office's identity (Kunshan's), unless the office has already set its own."""
    office = Office.objects.filter(pk=1).first()
    untouched = Office(pk=1)
    fields = [f.name for f in Office._meta.concrete_fields if f.name != "id"]
    if office is None or all(getattr(office, f) == getattr(untouched, f) for f in fields):
        values = json.loads((DEMO_DIR / "office.json").read_text(encoding="utf-8"))
        Office.objects.update_or_create(pk=1, defaults=values)


def load_accounts():
    User = get_user_model()
    accounts = []
    for username, display, group_name, unit_name in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": display, "email": f"{username}@{DEMO_EMAIL_DOMAIN}"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get_or_create(name=group_name)[0])
        if unit_name:
            Reporter.objects.update_or_create(user=user, defaults={"unit": Unit.objects.get(name=unit_name)})
        accounts.append((username, display))
    return accounts


def load_unit_reporters():
    """A reporter with a demo address for every unit that has none, so that the first reminder, notice or
    催办 reaches every unit (on the console backend) instead of “无法送达”. They share the demo password."""
    User = get_user_model()
    group = Group.objects.get_or_create(name=access.REPORTER_GROUP)[0]
    password = make_password(DEMO_PASSWORD)  # hashed once: 70 accounts, one slow hash
    reached = set(Reporter.objects.values_list("unit_id", flat=True))
    made = 0
    for number, unit in enumerate(Unit.objects.order_by("category__order", "order", "pk"), start=1):
        if unit.pk in reached:
            continue
        username = f"{UNIT_REPORTER_PREFIX}{number:02d}"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": f"{unit.name}填报员（演示）",
                "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
                "password": password,
            },
        )
        if created:
            user.groups.add(group)
            Reporter.objects.create(user=user, unit=unit)
            made += 1
    return made


class Command(BaseCommand):
    help = "向空数据库载入演示数据：2019年第11期《工作信息》及演示账号；数据库中已有数据时不做任何修改。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-unit-reporters",
            action="store_true",
            help="只建立四个演示账号，不为其他单位建立填报员",
        )

    def handle(self, *args, no_unit_reporters=False, **options):
        with transaction.atomic():
            if not database_is_empty():
                self.stdout.write(self.style.WARNING(NOT_EMPTY))
                # Nothing is changed; the demo accounts that are still there are named again for the newcomer.
                existing = set(get_user_model().objects.filter(is_active=True).values_list("username", flat=True))
                self._print_accounts([(u, d) for u, d, *_ in DEMO_ACCOUNTS if u in existing])
                return
            schemes = json.loads((DEMO_DIR / "schemes-2019.json").read_text(encoding="utf-8"))
            load_office()
            printed_counts = load_schemes(schemes, how=HOW.DEMO)
            issue_data = json.loads((DEMO_DIR / "issue-2019-11.json").read_text(encoding="utf-8"))
            issue = load_issue(issue_data)
            load_case_counts(schemes["year"], printed_counts, issue_data["cases"], issue_data["offline_counts"])
            stored_counts.rebuild_all()  # the demo's cases counted once, not on the first page read
            publish_once(issue)
            accounts = load_accounts()
            unit_reporters = 0 if no_unit_reporters else load_unit_reporters()
        self.stdout.write(self.style.SUCCESS(f"已载入演示数据：{issue}，{Unit.objects.count()} 家责任单位。"))
        self._print_accounts(accounts)
        if unit_reporters:
            self.stdout.write(
                f"  另有 {unit_reporters} 个单位填报员账号（{UNIT_REPORTER_PREFIX}01…，按通报表格顺序），"
                f"邮箱为 账号@{DEMO_EMAIL_DOMAIN}，提醒和通知在控制台输出。"
            )

    def _print_accounts(self, accounts):
        if not accounts:
            return
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，除非已经修改）：")
        for username, display in accounts:
            self.stdout.write(f"  {username:10s} {display}")
