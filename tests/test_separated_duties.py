"""三员分立 (issue 23, "Duties"): the IT administrator repairs through the admin and sees no business page, the
security administrator (安全管理员) manages accounts and lifts lockouts, the auditor reads the audit log. The
whole matrix, role by role, is tests/test_permissions.py; here each duty as its user meets it."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.test import Client

from core import access
from core.audit.actions import AuditAction
from core.audit.models import AuditEntry
from core.errors import DomainError
from core.security.lockout import NOT_LOCKED, locked_addresses, unlock_address
from core.security.policy import needs_second_factor

from .conftest import log_in
from .factories import UserFactory

PASSWORD = "pw-secret-123"
BUSINESS_PAGES = (
    "/assessment/2019/departments/",
    "/bulletins/new/",
    "/bulletins/2019/11/edit/",
    "/bulletins/2019/11/publish/",
    "/cases/",
    "/cases/review/",
    "/office/",
    "/api/tokens/",
    "/accounts/manage/",
    "/audit/",
)


def _client(user):
    return log_in(Client(), user)


def _spray(client, ip, accounts, tries):
    for n in range(tries):
        client.post(
            "/accounts/login/", {"username": accounts[n % len(accounts)].username, "password": "x"}, REMOTE_ADDR=ip
        )


@pytest.fixture
def accounts(db):
    return [UserFactory(username=f"t_sprayed{i}", password=PASSWORD) for i in range(5)]


@pytest.fixture
def security(security_user):
    return _client(security_user)


def test_a_superuser_repairs_in_the_admin_and_sees_no_business_page(it_admin_user):
    it_admin_user.groups.add(Group.objects.get(name=access.STAFF_GROUP))  # even when put in the office's group
    client = _client(it_admin_user)
    assert client.get("/admin/").status_code == 200
    assert client.get("/system/jobs/").status_code == 200
    for url in BUSINESS_PAGES:
        assert client.get(url).status_code == 404, url
    grid_post = client.post("/assessment/2019/departments/bulk/")
    assert grid_post.status_code == 404
    assert client.get("/api/v1/units/").status_code == 404  # the API, signed in by session
    menu = client.get("/").content.decode()
    assert "定时任务" in menu and "录入" not in menu and "编辑期刊" not in menu and ">账号<" not in menu


def test_the_security_administrator_manages_accounts_and_nothing_of_the_office(security_user, security):
    assert needs_second_factor(security_user)
    assert security.get("/accounts/manage/").status_code == 200
    for url in BUSINESS_PAGES:
        if url != "/accounts/manage/":
            assert security.get(url).status_code == 404, url
    menu = security.get("/").content.decode()
    assert ">账号<" in menu and "录入" not in menu and "审计日志" not in menu


def test_an_office_account_can_be_given_the_duty_the_auditor_cannot(staff_user, auditor_user):
    office = _client(staff_user)
    assert office.get("/accounts/manage/").status_code == 404  # not the office's by default
    assert ">账号<" not in office.get("/office/units/").content.decode()
    staff_user.groups.add(Group.objects.get(name=access.SECURITY_GROUP))
    office = _client(staff_user)
    assert office.get("/accounts/manage/").status_code == 200
    assert office.get("/assessment/2019/departments/").status_code == 200  # and keeps its own work
    auditor_user.groups.add(Group.objects.get(name=access.SECURITY_GROUP))
    assert not access.can_manage_accounts(auditor_user)
    assert _client(auditor_user).get("/accounts/manage/").status_code == 404


def test_the_locked_addresses_are_listed_and_lifted_on_the_accounts_page(client, accounts, security, security_user):
    _spray(client, "10.7.0.1", accounts, 20)
    assert locked_addresses() == [("10.7.0.1", 20)]
    html = security.get("/accounts/manage/").content.decode()
    assert "被锁定的登录地址" in html and "<td>10.7.0.1</td>" in html
    assert 'href="/accounts/manage/addresses/10.7.0.1/unlock/"' in html
    confirm = security.get("/accounts/manage/addresses/10.7.0.1/unlock/")
    assert confirm.status_code == 200 and "确认解除地址锁定" in confirm.content.decode()
    assert locked_addresses() == [("10.7.0.1", 20)]  # a GET changes nothing
    done = security.post("/accounts/manage/addresses/10.7.0.1/unlock/", follow=True)
    assert "已解除地址“10.7.0.1”的登录锁定。" in done.content.decode()
    assert locked_addresses() == []
    entry = AuditEntry.objects.filter(action=AuditAction.UNLOCK).latest("pk")
    assert (entry.actor_id, entry.object_id) == (security_user.pk, "10.7.0.1")
    login = client.post("/accounts/login/", {"username": "t_sprayed1", "password": PASSWORD}, REMOTE_ADDR="10.7.0.1")
    assert login.status_code == 302


def test_an_address_that_is_not_locked_is_refused_in_chinese(security, security_user):
    page = security.post("/accounts/manage/addresses/10.7.0.2/unlock/", follow=True)
    assert NOT_LOCKED in page.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.UNLOCK).exists()
    assert security.get("/accounts/manage/addresses/not-an-address/unlock/").status_code == 404


def test_only_the_security_administrator_lifts_an_address(client, accounts, staff_user, it_admin_user):
    _spray(client, "10.7.0.3", accounts, 20)
    for actor in (staff_user, it_admin_user):
        with pytest.raises(DomainError, match="只有安全管理员"):
            unlock_address("10.7.0.3", actor=actor)
    assert AccessAttempt.objects.filter(ip_address="10.7.0.3").exists()
