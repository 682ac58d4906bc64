"""Load the 2019 第11期 demo: units, schemes, marks, the issue and one account per role.

The data lives in bulletins/demo/*.json, written once from the printed issue.
Running the command again changes nothing and duplicates nothing.
"""

import json
from collections import Counter
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessment import access
from assessment.models import (
    Category,
    Indicator,
    Mark,
    MarkState,
    Note,
    Office,
    Reporter,
    RuleGroup,
    Scheme,
    SchemeUnit,
    Unit,
)
from assessment.services import HOW
from bulletins.models import Article, Issue, IssueCase, IssueTable, NewsItem
from bulletins.services import publish_issue
from cases.models import Case, CaseCountRecord, CaseDuty, CaseStatus, CaseTransition

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
    """Categories, units, schemes and marks. Returns {(unit name, indicator): printed count} of count cells."""
    year = data["year"]
    unit_order = 0
    printed_counts = {}
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
                    "in_full_points": ind.get("in_full_points", True),
                    "deduction_wording": ind.get("deduction_wording", ""),
                },
            )
            indicators.append(obj)
        notes = {}
        for note in spec["notes"]:
            obj, _ = Note.objects.update_or_create(
                scheme=scheme, number=note["number"], defaults={"text": note["text"]}
            )
            obj.indicators.set([indicators[i - 1] for i in note["indicators"]])
            notes[note["number"]] = obj
        load_rule_groups(scheme, spec.get("rule_groups", []), indicators, notes)
        for position, row in enumerate(spec["units"], start=1):
            unit_order += 1
            unit, _ = Unit.objects.update_or_create(
                name=row["name"], defaults={"category": category, "order": unit_order, "is_active": True}
            )
            if not unit.full_name and printed_full_name(cat["slug"], unit.name):
                unit.full_name = printed_full_name(cat["slug"], unit.name)
                unit.save(update_fields=["full_name"])
            SchemeUnit.objects.update_or_create(
                scheme=scheme,
                unit=unit,
                defaults={"order": position, "deduction_text": row["deduction_text"]},
            )
            for indicator, value in zip(indicators, row["marks"], strict=True):
                state, count = value, None
                if isinstance(value, int):
                    # The cell is derived from the case records (see load_case_counts); it stores its word: *.
                    printed_counts[unit.name, indicator] = value
                    state = MarkState.PENDING
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
    return printed_counts


def printed_full_name(category_slug, name):
    """A unit's full name as the bulletin prints it as a source: 市 + name for a department (市统计局,
    市住建局, 市行政审批局); towns and offices keep their names (no full name: the name is printed)."""
    return f"市{name}" if category_slug == "departments" else ""


def load_office():
    """The office's identity (Kunshan's), unless the office has already set its own."""
    office = Office.objects.filter(pk=1).first()
    untouched = Office(pk=1)
    fields = [f.name for f in Office._meta.concrete_fields if f.name != "id"]
    if office is None or all(getattr(office, f) == getattr(untouched, f) for f in fields):
        values = json.loads((DEMO_DIR / "office.json").read_text(encoding="utf-8"))
        Office.objects.update_or_create(pk=1, defaults=values)


def load_rule_groups(scheme, specs, indicators, notes):
    """Columns a note scores together (部门 notes 1 and 3), with the note's points."""
    wanted = {}
    for spec in specs:
        group, _ = RuleGroup.objects.update_or_create(
            scheme=scheme, note=notes[spec["note"]], defaults={"points": Decimal(spec["points"])}
        )
        wanted.update({indicators[i - 1].pk: group.pk for i in spec["indicators"]})
    for indicator in indicators:
        if indicator.rule_group_id != wanted.get(indicator.pk):
            indicator.rule_group_id = wanted.get(indicator.pk)
            indicator.save(update_fields=["rule_group"])


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


def load_case_counts(year, printed_counts, printed_cases, record_date):
    """Offline records that make every printed 奖惩案例 number come out, one per unit.

    The printed number = the unit's printed cases, accepted in the portal (those of 行政审批局
    and 住建局), + what it reported before the portal, recorded here with its source. Only the
    demo's own cases are subtracted, so cases accepted later add to the printed numbers.
    """
    accepted = Counter(spec["source_unit"] for spec in printed_cases if spec["source_unit"] and spec["year"] == year)
    for (unit_name, indicator), printed in printed_counts.items():
        unit = Unit.objects.get(name=unit_name)
        CaseDuty.objects.get_or_create(indicator=indicator)
        offline = printed - accepted[unit_name]
        if offline <= 0:
            continue
        CaseCountRecord.objects.update_or_create(
            unit=unit,
            year=year,
            date=record_date,
            created_by=None,
            defaults={"quarter": None, "count": offline, "note": f"{year}年前三季度报送 {offline} 例"},
        )


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
            load_office()
            schemes = json.loads((DEMO_DIR / "schemes-2019.json").read_text(encoding="utf-8"))
            printed_counts = load_schemes(schemes)
            issue_data = json.loads((DEMO_DIR / "issue-2019-11.json").read_text(encoding="utf-8"))
            issue = load_issue(issue_data)
            load_case_counts(schemes["year"], printed_counts, issue_data["cases"], date(schemes["year"], 9, 30))
            publish_once(issue)
            accounts = load_accounts()
        self.stdout.write(self.style.SUCCESS(f"已载入演示数据：{issue}，{Unit.objects.count()} 家责任单位。"))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, display in accounts:
            self.stdout.write(f"  {username:10s} {display}")
