"""Shared fixtures: the demo issue loaded once, and the standard users of the portal."""

import io
import os

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from assessment import access, stored_tallies
from assessment.models import Reporter, Scheme, Unit
from bulletins import pages
from core.office import models as office

from .factories import UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# live_server-backed tests from that thread are safe here (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# The menu's 待办 count (assessment.todo, templates/base.html) on every page: its sources' queries, asked
# once per request. Bounds on a page's queries add it for the role that reads the page.
MENU_TODO_QUERIES = {"staff": 2, "reporter": 7, "leader": 1}


def load_demo():
    """The demo as `make run` loads it, every unit with its demo reporter (unit01…); a test that needs a unit
    nobody can be reached at makes one (factories.unit_without_contact)."""
    call_command("load_demo", stdout=io.StringIO())
    # Its stored tallies counted, as the first page read does (a query-count test measures the reads after).
    stored_tallies.ensure_current(Scheme.objects.values_list("pk", flat=True))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the demo: the 2019 第11期 with its 70 units."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture(autouse=True)
def _fresh_office(request):
    """The office row is cached per process: read afresh before each test that uses the database (so a
    rolled-back edit does not leak and query counts do not depend on which test read it first)."""
    office.clear_cache()
    if "django_db_setup" in request.fixturenames:
        with request.getfixturevalue("django_db_blocker").unblock():
            office.get_office()
    # A process's memory of readers' pages and of current versions outlives each test's rollback.
    pages.local_pages.clear()
    pages.forget_all()
    yield
    office.clear_cache()


@pytest.fixture
def on_day(monkeypatch):
    """A function setting the portal's today (assessment.due.today): statuses, pages and reminders as of that day."""

    def set_day(day):
        monkeypatch.setattr("assessment.due.today", lambda: day)
        return day

    return set_day


@pytest.fixture
def demo_db(transactional_db):
    """The demo for tests that need real transactions (browser tests): they start empty. Loaded once per run,
    its rows copied back for the next (tests/demo_copy.py)."""
    from . import demo_copy

    demo_copy.load(load_demo)


# A token request's throttle record in the shared database cache (settings.CACHES): read it, count the
# table for culling, then write it inside a savepoint.
THROTTLE_CACHE_QUERIES = 6

# A request with a token someone other than its holder made (every token of the api_client fixture): its one
# audit entry (core/api/token_use.py) in its transaction — the chain's head read and moved on, the entry
# inserted, and on PostgreSQL the chain's advisory lock.
TOKEN_USE_AUDIT_QUERIES = 2 + (4 if connection.vendor == "postgresql" else 3)


def verify_second_factor(client, user):
    """Mark `client`'s session as past the second factor for `user`, exactly as django_otp.login does
    (the device's id in the session), with a confirmed authenticator made for the test."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="测试", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def log_in(client, user):
    """force_login, plus the second factor for the users who need one (staff, admin accounts)."""
    from core.security.policy import needs_second_factor

    client.force_login(user)
    if needs_second_factor(user):
        verify_second_factor(client, user)
    return client


def backup_code(user):
    """A fresh one-time backup code for `user` (browser tests type it on the second-factor page)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _ = StaticDevice.objects.get_or_create(user=user, name="测试备用码", defaults={"confirmed": True})
    return StaticToken.objects.create(device=device, token=StaticToken.random_token()).token


def browser_log_in(page, base, username, password, next_url=""):
    """The login page in a real browser, then for staff the second-factor page with a fresh backup code."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    from core.security.policy import needs_second_factor

    page.goto(f"{base}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    user = get_user_model().objects.filter(username=username).first()
    code = None
    if user is not None and needs_second_factor(user):
        TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "测试"})
        code = backup_code(user)
    page.get_by_role("button", name="登录").click()
    if code is not None:
        page.wait_for_url("**/accounts/otp/**")
        expect(page.locator("h1")).to_have_text("双因素验证")
        page.fill("input[name=token]", code)
        page.get_by_role("button", name="验证").click()


def _user(username, group, unit=None):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    if unit is not None:
        Reporter.objects.create(user=user, unit=unit)
    return user


@pytest.fixture
def staff_user(db):
    return _user("t_staff", access.STAFF_GROUP)


@pytest.fixture
def reporter_unit(db):
    return Unit.objects.get(name="发改委")


@pytest.fixture
def other_unit(db):
    return Unit.objects.get(name="教育局")


@pytest.fixture
def reporter_user(reporter_unit):
    return _user("t_reporter", access.REPORTER_GROUP, reporter_unit)


@pytest.fixture
def other_reporter_user(other_unit):
    return _user("t_other_reporter", access.REPORTER_GROUP, other_unit)


@pytest.fixture
def leader_user(db):
    return _user("t_leader", access.LEADER_GROUP)


@pytest.fixture
def office_system_user(db):
    """The office's account for another system: the office's role, no password (it holds the office's token)."""
    user = _user("t_office_system", access.STAFF_GROUP)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def norole_user(db):
    """A signed-in account in none of the portal's groups: it reaches only the public pages."""
    return UserFactory(username="t_norole")


@pytest.fixture
def auditor_user(db):
    """The security auditor (审计员): reads the audit log and nothing else."""
    return _user("t_auditor", access.AUDITOR_GROUP)


@pytest.fixture
def security_user(db):
    """The security administrator (安全管理员): accounts and login lockouts, nothing else of the portal."""
    return _user("t_security", access.SECURITY_GROUP)


@pytest.fixture
def it_admin_user(db):
    """The IT administrator: an account that opens /admin/ (superuser), with no business page (三员分立)."""
    return UserFactory(username="t_sysadmin", is_staff=True, is_superuser=True)


def _role_users(request):
    """The user behind each role name of `role_client` and `api_client` (the permission matrix's columns).
    The auditor, the security and IT administrators are made only when asked for, so the other tests'
    databases hold the same accounts as before."""
    users = {
        "staff": request.getfixturevalue("staff_user"),
        "reporter": request.getfixturevalue("reporter_user"),
        "other_reporter": request.getfixturevalue("other_reporter_user"),
        "leader": request.getfixturevalue("leader_user"),
        "none": request.getfixturevalue("norole_user"),
        "anonymous": None,
    }

    # Made only when asked for, like the auditor.
    on_demand = {"auditor": "auditor_user", "security": "security_user", "it_admin": "it_admin_user"}

    def user_for(role):
        if role in on_demand:
            return request.getfixturevalue(on_demand[role])
        return users[role]

    return user_for


@pytest.fixture
def role_client(client, db, request):
    """A function giving a test client logged in as a role ('anonymous' stays logged out)."""
    user_for = _role_users(request)

    def for_role(role):
        client.logout()
        user = user_for(role)
        if user is not None:
            log_in(client, user)
        return client

    return for_role


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium, never a downloaded browser (see shared/recipes.md)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1366, "height": 800},
    }


# --- api


@pytest.fixture
def api_client(db, request):
    """A function giving a DRF client that sends the role's API token ('anonymous' sends none). The office's
    token is its system account's: an office member's own account may not hold one (core/api/token_rules.py)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    role_user = _role_users(request)

    def user_for(role):
        return request.getfixturevalue("office_system_user") if role == "staff" else role_user(role)

    def for_role(role):
        client = APIClient()
        user = user_for(role)
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return for_role


# --- cases


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT, never the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reporter_case(reporter_user):
    """A case of 发改委 (the reporter's unit) submitted in 2019 Q4 and waiting for review."""
    from cases.models import CaseStatus

    from .factories import CaseFactory

    return CaseFactory(
        source_unit=reporter_user.reporter.unit,
        source_label="市发改委",
        year=2019,
        quarter=4,
        status=CaseStatus.SUBMITTED,
        created_by=reporter_user,
        submitted_by=reporter_user,
    )


@pytest.fixture
def case_attachment(reporter_case, media_root):
    from .factories import CaseAttachmentFactory

    return CaseAttachmentFactory(case=reporter_case)


@pytest.fixture
def count_record(reporter_unit):
    from cases.models import CaseCountRecord

    return CaseCountRecord.objects.get(unit=reporter_unit, year=2019)


@pytest.fixture
def reporter_draft(reporter_user):
    """A draft case of 发改委, not yet submitted."""
    from cases.models import CaseStatus

    from .factories import CaseFactory

    return CaseFactory(
        source_unit=reporter_user.reporter.unit,
        source_label="市发改委",
        year=2019,
        quarter=4,
        status=CaseStatus.DRAFT,
        created_by=reporter_user,
        subject="某企业",
        measure="列入红名单",
    )


# --- notifications: a real SMTP server and a group robot on 127.0.0.1


@pytest.fixture
def smtp_server(settings):
    """aiosmtpd on a free port; Django's SMTP backend points at it."""
    from .servers import SMTPServer

    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    yield server
    server.stop()


@pytest.fixture
def robot_server(settings):
    from .servers import RobotServer

    settings.NOTIFY_TIMEOUT = 2
    server = RobotServer()
    # The stand-in listens on 127.0.0.1 over http, which the robot rule refuses (tests/test_robot_urls.py):
    # its one origin is let through for the channel tests.
    settings.ROBOT_STAND_IN_ORIGINS = (f"http://127.0.0.1:{server.port}",)
    server.start()
    yield server
    server.stop()
