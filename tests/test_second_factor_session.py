"""The second factor ends the login: a new session key after it, 口令通过 then 登录成功 in the audit log, every
wrong code recorded, and after OTP_FAILURE_LIMIT wrong codes the account locked (issue 23, "Sessions")."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessment import access
from core.audit.actions import AuditAction
from core.audit.models import AuditEntry, AuditResult

from .conftest import log_in
from .factories import UserFactory

PASSWORD = "pw-secret-123"
GRID = "/assessment/2019/departments/"
VERIFY = f"/accounts/otp/?next={GRID.replace('/', '%2F')}"


@pytest.fixture
def colleague(db):
    """An office colleague who has also been given the security administrator's duty (安全管理员)."""
    user = UserFactory(username="t_colleague")
    user.groups.add(Group.objects.get(name=access.STAFF_GROUP), Group.objects.get(name=access.SECURITY_GROUP))
    return user


def _code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _wrong(device):
    return "123456" if _code(device) != "123456" else "654321"


def _password_step(client, username="t_staff"):
    response = client.post(f"/accounts/login/?next={GRID}", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _actions(user):
    return list(AuditEntry.objects.filter(actor=user).order_by("pk").values_list("action", "result"))


def test_a_cookie_copied_between_the_two_steps_signs_nobody_in(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="手机", confirmed=True)
    _password_step(client)
    between = client.cookies[settings.SESSION_COOKIE_NAME].value
    copy = Client()
    copy.cookies[settings.SESSION_COOKIE_NAME] = between
    assert client.post(VERIFY, {"token": _code(device), "next": GRID})["Location"] == GRID
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != between
    assert client.get(GRID).status_code == 200
    # The copy holds the key from before the code: it no longer names a session.
    response = copy.get(GRID)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_password_step_and_the_login_are_two_entries(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="手机", confirmed=True)
    _password_step(client)
    assert _actions(staff_user) == [(AuditAction.LOGIN_PASSWORD, AuditResult.OK)]
    client.post(VERIFY, {"token": _code(device), "next": GRID})
    assert _actions(staff_user) == [
        (AuditAction.LOGIN_PASSWORD, AuditResult.OK),
        (AuditAction.LOGIN_SUCCESS, AuditResult.OK),
    ]
    assert AuditAction.label(AuditAction.LOGIN_PASSWORD) == "口令通过"
    assert AuditAction.label(AuditAction.LOGIN_SUCCESS) == "登录成功"


def test_without_a_second_factor_the_password_ends_the_login(client, reporter_user):
    _password_step(client, "t_reporter")
    assert _actions(reporter_user) == [
        (AuditAction.LOGIN_PASSWORD, AuditResult.OK),
        (AuditAction.LOGIN_SUCCESS, AuditResult.OK),
    ]


def test_a_wrong_code_is_recorded(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="手机", confirmed=True)
    _password_step(client)
    client.post(VERIFY, {"token": _wrong(device)}, REMOTE_ADDR="10.8.1.23")
    entry = AuditEntry.objects.get(action=AuditAction.OTP_FAILED)
    assert (entry.actor_id, entry.result, entry.ip, entry.detail) == (
        staff_user.pk,
        AuditResult.FAILED,
        "10.8.1.23",
        "验证码不正确",
    )
    assert AuditAction.label(entry.action) == "双因素验证失败"


def test_after_the_limit_of_wrong_codes_the_account_is_locked(client, settings, staff_user, colleague):
    settings.OTP_FAILURE_LIMIT = 3
    device = TOTPDevice.objects.create(user=staff_user, name="手机", confirmed=True)
    _password_step(client)
    for _ in range(2):
        assert client.post(VERIFY, {"token": _wrong(device)}).status_code == 200
    locked = client.post(VERIFY, {"token": _wrong(device)})
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.OTP_FAILED).count() == 3
    lockout = AuditEntry.objects.get(action=AuditAction.LOCKOUT)
    assert (lockout.actor_id, lockout.result) == (staff_user.pk, AuditResult.DENIED)
    # Signed out, and the password alone no longer opens the account (until the office unlocks it).
    assert client.get(GRID)["Location"].startswith("/accounts/login/")
    again = client.post("/accounts/login/", {"username": "t_staff", "password": PASSWORD})
    assert again.status_code == 429
    # A colleague of the office holding the security duty lifts it, as after wrong passwords (账号管理 → 解锁).
    office = log_in(Client(), colleague)
    assert office.post(f"/accounts/manage/{staff_user.pk}/unlock/").status_code == 302
    assert not AccessAttempt.objects.filter(username="t_staff").exists()
    _password_step(client)
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(VERIFY, {"token": _code(device), "next": GRID})["Location"] == GRID
