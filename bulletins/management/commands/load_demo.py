"""Load the 2019 第11期 demo: units, schemes, marks, the issue and one account per role.

The data lives in bulletins/demo/*.json, written once from the printed issue.
Running the command again changes nothing and duplicates nothing.
"""

import json
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from assessment import access
from assessment.models import Category, Indicator, Mark, Note, Reporter, Scheme, SchemeUnit, Unit
from assessment.services import HOW
from bulletins.models import Article, Issue, IssueCase, IssueTable, NewsItem
from bulletins.services import publish_issue
from cases.models import Case

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_PASSWORD = "kunshan-demo-2019"
DEMO_ACCOUNTS = [
    # username, display name, group, unit name (reporters only)
    ("office", "市信用办（演示）", access.STAFF_GROUP, None),
    ("fagaiwei", "发改委填报员（演示）", access.REPORTER_GROUP, "发改委"),
    ("leader", "市领导（演示）", access.LEADER_GROUP, None),
]


def _decimal(value):
    return None if value is None else Decimal(value)


def load_schemes(data):
    year = data["year"]
    unit_order = 0
    for spec in data["schemes"]:
        cat = spec["category"]
        category, _ = Category.objects.update_or_create(
            slug=cat["slug"], defaults={"name": cat["name"], "order": cat["order"]}
        )
        scheme, _ = Scheme.objects.get_or_create(year=year, category=category)
        indicators = []
        for ind in spec["indicators"]:
            obj, _ = Indicator.objects.update_or_create(
                scheme=scheme,
                order=ind["order"],
                defaults={
                    "title": ind["title"],
                    "points": Decimal(ind["points"]),
                    "points_label": ind["points_label"],
                    "rule_kind": ind["rule_kind"],
                    "rate": _decimal(ind["rate"]),
                    "cap": _decimal(ind["cap"]),
                    "allowed_states": ind["allowed_states"],
                    "accepts_count": ind["accepts_count"],
                },
            )
            indicators.append(obj)
        for note in spec["notes"]:
            obj, _ = Note.objects.update_or_create(
                scheme=scheme, number=note["number"], defaults={"text": note["text"]}
            )
            obj.indicators.set([indicators[i - 1] for i in note["indicators"]])
        for position, row in enumerate(spec["units"], start=1):
            unit_order += 1
            unit, _ = Unit.objects.update_or_create(
                name=row["name"], defaults={"category": category, "order": unit_order, "is_active": True}
            )
            SchemeUnit.objects.update_or_create(
                scheme=scheme,
                unit=unit,
                defaults={"order": position, "deduction_text": row["deduction_text"]},
            )
            for indicator, value in zip(indicators, row["marks"], strict=True):
                state, count = ("", value) if isinstance(value, int) else (value, None)
                mark = Mark.objects.filter(unit=unit, indicator=indicator).first()
                if mark is None:
                    mark = Mark(unit=unit, indicator=indicator, state=state, count=count)
                elif (mark.state, mark.count) != (state, count):
                    mark.state, mark.count = state, count
                    mark.version += 1
                else:
                    continue
                mark._change_reason = HOW.DEMO
                mark.save()


def load_issue(data):
    issue, _ = Issue.objects.update_or_create(
        year=data["year"],
        number=data["number"],
        defaults={
            "date": date.fromisoformat(data["date"]),
            **{
                key: data[key]
                for key in (
                    "series_title",
                    "subtitle",
                    "issuer",
                    "report_to",
                    "send_to",
                    "editor",
                    "email",
                    "reviewers",
                    "phone",
                    "is_published",
                )
            },
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
    if issue.is_published and issue.current_version_id is None:
        # Published issues are read from their frozen version; the demo's is taken once, on first load.
        publish_issue(issue, None, published_at=issue.published_at)
        issue.refresh_from_db()
    return issue


def load_accounts():
    User = get_user_model()
    accounts = []
    for username, display, group_name, unit_name in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": display})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get_or_create(name=group_name)[0])
        if unit_name:
            Reporter.objects.update_or_create(user=user, defaults={"unit": Unit.objects.get(name=unit_name)})
        accounts.append((username, display))
    return accounts


class Command(BaseCommand):
    help = "载入演示数据：2019年第11期《工作信息》及演示账号（可重复运行）。"

    def handle(self, *args, **options):
        with transaction.atomic():
            load_schemes(json.loads((DEMO_DIR / "schemes-2019.json").read_text(encoding="utf-8")))
            issue = load_issue(json.loads((DEMO_DIR / "issue-2019-11.json").read_text(encoding="utf-8")))
            accounts = load_accounts()
        self.stdout.write(self.style.SUCCESS(f"已载入演示数据：{issue}，{Unit.objects.count()} 家责任单位。"))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, display in accounts:
            self.stdout.write(f"  {username:10s} {display}")
