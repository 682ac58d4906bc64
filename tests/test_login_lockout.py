"""Failed logins: an account is locked after N failures (per account, whatever the address), in Chinese."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import override_settings

from .conftest import log_in
from .factories import UserFactory

PASSWORD = "pw-secret-123"


def _try(client, username, password, ip="10.0.0.1", url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _no_english(html):
    body = html.split("<main>", 1)[1]
    assert not any(word in body for word in ("Account", "locked", "attempts", "Forbidden", "Too Many")), body


def test_five_failures_lock_the_account_for_thirty_minutes(client, staff_user):
    for _ in range(4):
        assert _try(client, "t_staff", "wrong").status_code == 200
    locked = _try(client, "t_staff", "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "账号已锁定" in html and "连续 5 次登录失败" in html and "30 分钟" in html
    _no_english(html)
    # The right password no longer opens it, from this address or any other.
    assert _try(client, "t_staff", PASSWORD).status_code == 429
    assert _try(client, "t_staff", PASSWORD, ip="10.9.9.9").status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_locked_account_does_not_lock_its_colleagues(client, staff_user, reporter_user):
    for _ in range(5):
        _try(client, "t_staff", "wrong")
    response = _try(client, "t_reporter", PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(reporter_user.pk)


def test_failures_below_the_limit_are_forgotten_after_a_good_login(client, reporter_user):
    for _ in range(4):
        _try(client, "t_reporter", "wrong")
    assert _try(client, "t_reporter", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _try(client, "t_reporter", "wrong").status_code == 200
    assert _try(client, "t_reporter", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, reporter_user):
    for _ in range(5):
        _try(client, "t_reporter", "wrong")
    assert _try(client, "t_reporter", PASSWORD).status_code == 429
    # Thirty-one minutes later (the attempt's clock moved back instead of waiting).
    AccessAttempt.objects.filter(username="t_reporter").update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=31)
    )
    assert _try(client, "t_reporter", PASSWORD).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_limit_is_a_setting(client, reporter_user):
    for _ in range(2):
        assert _try(client, "t_reporter", "wrong").status_code == 200
    response = _try(client, "t_reporter", "wrong")
    assert response.status_code == 429 and "连续 3 次登录失败" in response.content.decode()


def test_staff_unlock_an_account_in_the_admin(client, reporter_user, db):
    for _ in range(5):
        _try(client, "t_reporter", "wrong")
    attempt = AccessAttempt.objects.get(username="t_reporter")
    admin = UserFactory(username="t_admin", is_staff=True, is_superuser=True)
    office = client.__class__()
    log_in(office, admin)
    listing = office.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "t_reporter" in listing.content.decode()
    assert office.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302
    assert _try(client, "t_reporter", PASSWORD).status_code == 302


def test_the_admin_login_is_the_portals_login(client, reporter_user):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"
    # Posting passwords to the admin's address tries nothing: the failures are counted on the one login.
    for _ in range(5):
        _try(client, "t_reporter", "wrong", url="/admin/login/")
    assert not AccessAttempt.objects.filter(username="t_reporter").exists()
    for _ in range(5):
        _try(client, "t_reporter", "wrong")
    assert _try(client, "t_reporter", PASSWORD).status_code == 429


@pytest.mark.parametrize("ip", ["10.0.0.1", "10.0.0.2"])
def test_guessing_across_addresses_still_meets_the_accounts_count(client, reporter_user, ip):
    for n in range(5):
        _try(client, "t_reporter", "wrong", ip=f"10.1.{n}.1")
    assert _try(client, "t_reporter", PASSWORD, ip=ip).status_code == 429
