"""load_demo: the whole 2019 第11期, idempotent."""

import io

from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from assessment import access
from assessment.models import Indicator, Mark, RuleGroup, Unit
from bulletins.management.commands.load_demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from bulletins.models import Issue


def _counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_demo_is_complete(db):
    issue = Issue.objects.get(year=2019, number=11)
    assert issue.is_published
    assert issue.articles.count() == 1
    assert issue.issue_cases.count() == 3
    assert issue.news_items.count() == 11
    assert list(issue.issue_tables.values_list("scheme__category__name", flat=True)) == [
        "区镇",
        "城市管理办事处",
        "部门",
    ]
    assert Unit.objects.count() == 70
    assert Mark.objects.count() == 12 * 6 + 4 * 6 + 54 * 10


def test_running_twice_changes_nothing(db):
    before = _counts()
    versions = dict(Mark.objects.values_list("pk", "version"))
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert _counts() == before
    assert dict(Mark.objects.values_list("pk", "version")) == versions
    assert "kunshan-demo-2019" in out.getvalue()


def test_demo_accounts_log_in_with_their_roles(db):
    roles = {}
    for username, _, _, _ in DEMO_ACCOUNTS:
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None
        roles[username] = access.role_of(user)
    assert roles == {"office": "staff", "fagaiwei": "reporter", "leader": "leader", "auditor": "auditor"}


def test_demo_schemes_carry_the_scoring_rules_as_data(db):
    """部门 notes 1 and 3 are rule groups (0.3 and 0.2); only the departments' event column is in the full score."""
    groups = RuleGroup.objects.filter(scheme__year=2019).order_by("note__number")
    assert [(g.scheme.category.slug, g.note.number, str(g.points)) for g in groups] == [
        ("departments", 1, "0.30"),
        ("departments", 3, "0.20"),
    ]
    assert [list(g.indicators.order_by("order").values_list("order", flat=True)) for g in groups] == [[1, 2], [4, 5]]
    events = Indicator.objects.filter(scheme__year=2019, rule_kind="discretionary").order_by("scheme__category__order")
    assert [(i.scheme.category.slug, i.in_full_points) for i in events] == [
        ("towns", False),
        ("offices", False),
        ("departments", True),
    ]


def test_running_twice_keeps_the_rule_groups(db):
    before = list(RuleGroup.objects.values_list("pk", "points"))
    grouped = dict(Indicator.objects.filter(rule_group__isnull=False).values_list("pk", "rule_group_id"))
    call_command("load_demo", stdout=io.StringIO())
    assert list(RuleGroup.objects.values_list("pk", "points")) == before
    assert dict(Indicator.objects.filter(rule_group__isnull=False).values_list("pk", "rule_group_id")) == grouped
