"""The security administrator (安全管理员) manages accounts in the browser: a unit's reporter with e-mail and
phone, deactivate, unlock, reset (the `office` fixture here is that duty's account)."""

import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from assessment import access
from assessment.accounts.models import AccountProfile
from assessment.models import Reporter
from core.audit.actions import AuditAction
from core.audit.models import AuditEntry
from core.security.models import PasswordState

from .conftest import MENU_TODO_QUERIES, log_in
from .factories import UnitFactory, UserFactory

User = get_user_model()
NEW = "/accounts/manage/new/"


@pytest.fixture
def office(client, security_user):
    """The security administrator (安全管理员), whose duty the accounts are."""
    log_in(client, security_user)
    return client


def _form(**changes):
    from assessment.models import Unit

    form = {
        "username": "fgw_li",
        "full_name": "李四",
        "unit": Unit.objects.get(name="发改委").pk,
        "email": "li@ks.gov.cn",
        "phone": "0512-57500000",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def _temporary_password(response):
    return re.search(r'<p class="temporary-password"><code>([^<]+)</code>', response.content.decode()).group(1)


def test_the_list_shows_role_unit_email_and_phone(office, reporter_user, leader_user, django_assert_max_num_queries):
    reporter_user.email = "fgw@ks.gov.cn"
    reporter_user.save()
    AccountProfile.objects.create(user=reporter_user, phone="13800000000")
    leader_user.is_active = False
    leader_user.save()
    with django_assert_max_num_queries(12 + MENU_TODO_QUERIES["staff"]):
        response = office.get("/accounts/manage/")
    html = response.content.decode()
    row = html[html.index("<td>t_reporter</td>") :].split("</tr>")[0]
    assert all(text in row for text in ("责任单位填报员", "发改委", "fgw@ks.gov.cn", "13800000000", "启用"))
    leader_row = html[html.index("<td>t_leader</td>") :].split("</tr>")[0]
    assert "停用" in leader_row and "启用…" in leader_row
    assert '<a href="/accounts/manage/">账号</a>' in html  # the security administrator's nav link


def test_a_new_reporter_gets_a_temporary_password_it_must_change(office, client):
    response = office.post(NEW, _form())
    assert response.status_code == 200
    password = _temporary_password(response)
    assert "只显示这一次" in response.content.decode() and response["Cache-Control"].startswith("max-age=0")
    account = User.objects.get(username="fgw_li")
    assert (account.first_name, account.email) == ("李四", "li@ks.gov.cn")
    assert account.groups.get().name == access.REPORTER_GROUP
    assert Reporter.objects.get(user=account).unit.name == "发改委"
    assert account.profile.phone == "0512-57500000"
    assert PasswordState.objects.get(user=account).must_change
    assert access.is_reporter(account)

    # Its owner logs in with it and sees nothing but the password page until it is changed.
    client.logout()
    assert client.post("/accounts/login/", {"username": "fgw_li", "password": password}).status_code == 302
    blocked = client.get("/cases/")
    assert blocked.status_code == 302 and blocked["Location"] == "/accounts/password/"
    new = "Kunshan-credit-2026"
    done = client.post("/accounts/password/", {"old_password": password, "new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert client.get("/cases/").status_code == 200
    assert PasswordState.objects.get(user=account).must_change is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": ""}, "请填写账号。"),
        ({"username": "李 四!"}, "账号只能包含字母、数字和 @ . + - _ 字符。"),
        ({"username": "t_reporter"}, "账号“t_reporter”已存在"),
        ({"username": "T_REPORTER"}, "账号“T_REPORTER”已存在"),
        ({"full_name": ""}, "请填写姓名。"),
        ({"email": None}, "请填写电子邮箱（催办提醒发送到这里）。"),
        ({"email": "not-an-address"}, "电子邮箱格式不正确。"),
        ({"phone": "call me"}, "电话号码只能包含数字"),
        ({"unit": "999999"}, "请选择列表中的责任单位。"),
        ({"unit": "inactive"}, "请选择列表中的责任单位。"),
    ],
)
def test_bad_input_is_refused_in_chinese_with_nothing_written(office, reporter_user, changes, message):
    if changes.get("unit") == "inactive":
        changes = {"unit": UnitFactory(is_active=False).pk}
    users, entries = User.objects.count(), AuditEntry.objects.count()
    response = office.post(NEW, _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (User.objects.count(), AuditEntry.objects.count()) == (users, entries)


def test_deactivate_asks_first_then_the_account_cannot_log_in(office, client, reporter_user):
    url = f"/accounts/manage/{reporter_user.pk}/deactivate/"
    page = office.get(url)
    assert "停用后该账号不能再登录" in page.content.decode() and "确认停用账号" in page.content.decode()
    reporter_user.refresh_from_db()
    assert reporter_user.is_active
    assert office.post(url).status_code == 302
    reporter_user.refresh_from_db()
    assert not reporter_user.is_active
    assert "已停用账号“t_reporter”" in office.get("/accounts/manage/").content.decode()
    client.logout()
    assert client.post("/accounts/login/", {"username": "t_reporter", "password": "pw-secret-123"}).status_code == 200
    # and back again
    log_in(client, User.objects.get(username="t_security"))
    client.post(f"/accounts/manage/{reporter_user.pk}/activate/")
    reporter_user.refresh_from_db()
    assert reporter_user.is_active


def test_the_security_administrator_cannot_deactivate_itself(office, security_user):
    office.post(f"/accounts/manage/{security_user.pk}/deactivate/")
    security_user.refresh_from_db()
    assert security_user.is_active
    assert "不能停用自己正在使用的账号。" in office.get("/accounts/manage/").content.decode()


def test_reset_shows_a_temporary_password_once_and_the_old_one_stops_working(office, client, reporter_user):
    response = office.post(f"/accounts/manage/{reporter_user.pk}/reset/")
    password = _temporary_password(response)
    reporter_user.refresh_from_db()
    assert reporter_user.check_password(password) and not reporter_user.check_password("pw-secret-123")
    assert PasswordState.objects.get(user=reporter_user).must_change
    assert password not in office.get("/accounts/manage/").content.decode()


def test_accounts_that_open_the_admin_are_not_the_offices(office):
    it_admin = UserFactory(username="t_it", is_staff=True, is_superuser=True)
    html = office.get("/accounts/manage/").content.decode()
    row = html[html.index("<td>t_it</td>") :].split("</tr>")[0]
    assert "系统管理员" in row and "重置密码" not in row and "停用" not in row
    response = office.post(f"/accounts/manage/{it_admin.pk}/reset/")
    assert response.status_code == 403
    assert access.ACCOUNT_NOT_MANAGEABLE in response.content.decode()
    it_admin.refresh_from_db()
    assert it_admin.check_password("pw-secret-123")


@pytest.mark.skipif(not apps.is_installed("axes"), reason="django-axes is not among INSTALLED_APPS")
def test_unlock_after_too_many_failures(office, client, settings, reporter_user):
    from django.test import Client

    other = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        other.post("/accounts/login/", {"username": "t_reporter", "password": "wrong"})
    html = office.get("/accounts/manage/").content.decode()
    assert "已锁定" in html[html.index("<td>t_reporter</td>") :].split("</tr>")[0]
    assert office.post(f"/accounts/manage/{reporter_user.pk}/unlock/").status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.UNLOCK, object_id=str(reporter_user.pk)).exists()
    assert other.post("/accounts/login/", {"username": "t_reporter", "password": "pw-secret-123"}).status_code == 302


def test_unlocking_an_account_that_is_not_locked_is_refused(office, reporter_user):
    office.post(f"/accounts/manage/{reporter_user.pk}/unlock/")
    assert "该账号没有被锁定。" in office.get("/accounts/manage/").content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.UNLOCK).exists()


# --- who uses /admin/: the IT administrator (is_staff), not the office's daily work


def test_the_admin_is_for_the_it_administrator_not_the_office(client, staff_user):
    log_in(client, staff_user)  # 市信用办, like the demo's `office`: its work is in the portal
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    it_admin = UserFactory(username="t_it", is_staff=True, is_superuser=True)
    log_in(client, it_admin)
    assert client.get("/admin/").status_code == 200


def test_the_demo_office_account_does_its_work_in_the_portal(client, db):
    office = User.objects.get(username="office")
    assert not office.is_staff and not office.is_superuser
    log_in(client, office)
    for url in ("/assessment/2019/departments/", "/api/tokens/", "/cases/review/"):
        assert client.get(url).status_code == 200, url
    # Accounts are the security administrator's duty (三员分立): the demo has its own login for them.
    assert client.get("/accounts/manage/").status_code == 404
    log_in(client, User.objects.get(username="security"))
    assert client.get("/accounts/manage/").status_code == 200
    assert client.get("/assessment/2019/departments/").status_code == 404
