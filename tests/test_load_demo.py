"""load_demo: the whole 2019 第11期, into an empty database only; a second run keeps every edit."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from assessment import access
from assessment.marks.services import set_mark
from assessment.models import Indicator, Mark, RuleGroup, Unit
from bulletins.management.commands.load_demo import DEMO_ACCOUNTS, DEMO_PASSWORD, NOT_EMPTY
from bulletins.models import Issue
from cases.models import Case
from cases.services import update_case


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
    said = out.getvalue().splitlines()
    assert said[0] == NOT_EMPTY
    # The newcomer is told again how to log in; nothing else is said or done.
    assert [line.split()[0] for line in said[2:]] == [username for username, *_ in DEMO_ACCOUNTS]


def test_demo_accounts_log_in_with_their_roles(db):
    roles = {}
    for username, _, _, _ in DEMO_ACCOUNTS:
        # A request, as on the login page: django-axes counts failures per request.
        user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=DEMO_PASSWORD)
        assert user is not None
        roles[username] = access.role_of(user)
    assert roles == {
        "office": "staff",
        "fagaiwei": "reporter",
        "leader": "leader",
        "auditor": "auditor",
        "security": "security",
    }
    # 三员分立: none of them opens /admin/, the office manages no account, the security administrator does.
    User = get_user_model()
    assert not User.objects.filter(username__in=roles, is_staff=True).exists()
    assert not User.objects.filter(username__in=roles, is_superuser=True).exists()
    managers = [username for username in roles if access.can_manage_accounts(User.objects.get(username=username))]
    assert managers == ["security"]


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


def _history_rows():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.model_name.startswith("historical")}


def test_a_second_run_keeps_the_offices_edits(db, staff_user):
    """The office edits marks, a case, an indicator and a unit; `make run` again changes none of it."""
    done = Mark.objects.get(unit__name="发改委", indicator__scheme__year=2019, indicator__order=1)
    pending = Mark.objects.filter(state="*", indicator__scheme__year=2019).select_related("unit").first()
    assert done.state == "√"
    set_mark(done, "*", staff_user)
    set_mark(pending, "√", staff_user)
    case = Case.objects.get(title__contains="马上办")
    update_case(case, staff_user, {"title": "企业燃眉之急“马上办”（市信用办改）"})
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=1)
    indicator.title, indicator.points = "改过的指标", "0.7"
    indicator.save()
    Unit.objects.filter(name="教育局").update(is_active=False)
    before, history, versions = _counts(), _history_rows(), dict(Mark.objects.values_list("pk", "version"))

    out = io.StringIO()
    call_command("load_demo", stdout=out)

    assert NOT_EMPTY in out.getvalue()
    assert _counts() == before
    assert _history_rows() == history  # no "系统 · 演示数据 √ → *" row
    assert dict(Mark.objects.values_list("pk", "version")) == versions
    assert Mark.objects.get(pk=done.pk).state == "*"
    assert Mark.objects.get(pk=pending.pk).state == "√"
    assert Case.objects.get(pk=case.pk).title == "企业燃眉之急“马上办”（市信用办改）"
    indicator.refresh_from_db()
    assert (indicator.title, str(indicator.points)) == ("改过的指标", "0.70")
    assert Unit.objects.get(name="教育局").is_active is False


def test_the_demo_reporter_has_an_address_a_reminder_reaches(db):
    from django.contrib.auth import get_user_model

    fagaiwei = get_user_model().objects.get(username="fagaiwei")
    assert fagaiwei.email == "fagaiwei@example.gov.cn"
    assert fagaiwei.reporter.unit.name == "发改委"


@pytest.mark.django_db(transaction=True)
def test_an_account_made_before_make_run_does_not_keep_the_demo_out():
    """Empty means no units, schemes, issues or cases: a superuser created first is not data."""
    from django.contrib.auth import get_user_model

    call_command("flush", interactive=False, verbosity=0)
    get_user_model().objects.create_superuser("admin", "admin@example.gov.cn", "a-long-admin-password")
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "已载入演示数据：2019年第11期，70 家责任单位。" in out.getvalue()
    assert Issue.objects.get(year=2019, number=11).is_published


@pytest.mark.django_db(transaction=True)
def test_every_demo_unit_has_a_reporter_a_reminder_reaches():
    """The demo of `make run`: the newcomer's first reminder reaches every unit, none of them “无法送达”."""
    from assessment.notify.contacts import reporters_of

    call_command("flush", interactive=False, verbosity=0)
    loaded = io.StringIO()
    call_command("load_demo", stdout=loaded)
    assert "另有 69 个单位填报员账号（unit01…" in loaded.getvalue()

    for unit in Unit.objects.all():
        emails = [r.user.email for r in reporters_of(unit)]
        assert emails and all(e.endswith("@example.gov.cn") for e in emails), unit.name
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--date", "2019-12-20", stdout=out)
    assert "家单位将收到提醒" in out.getvalue() and "无法送达" not in out.getvalue()
