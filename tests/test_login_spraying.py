"""One client address for the lockout, the audit log and the API's throttles; spraying from one address is blocked."""

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache

from core.audit.actions import AuditAction
from core.audit.models import AuditEntry
from core.security.lockout import locked_addresses, unlock_address

from .factories import UserFactory

PASSWORD = "pw-secret-123"


def _try(client, username, password, ip="10.0.0.1", **headers):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **headers)


@pytest.fixture
def ten_accounts(db):
    return [UserFactory(username=f"acct{i}", password=PASSWORD) for i in range(10)]


def test_thirty_tries_over_ten_real_accounts_from_one_address_are_blocked(client, ten_accounts, settings):
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 20
    answers = [_try(client, user.username, f"guess-{n}").status_code for n in range(3) for user in ten_accounts]
    # Every account stays below its limit of 5; the address's 20th failure locks it, as an account's 5th does.
    assert answers[:19] == [200] * 19
    assert set(answers[19:]) == {429}
    # The right password no longer opens any account from that address; from another address it does.
    locked = _try(client, "acct0", PASSWORD)
    assert locked.status_code == 429 and "登录已暂停" in locked.content.decode()
    assert _try(client, "acct0", PASSWORD, ip="10.0.0.2").status_code == 302


def test_forty_unknown_names_from_one_address_are_blocked(client, db):
    answers = [_try(client, f"nobody{n}", "x").status_code for n in range(40)]
    assert answers.count(429) == 21


def test_without_a_proxy_a_forwarded_for_header_does_not_change_the_address(client, ten_accounts, settings):
    settings.PROXY_COUNT = 0
    for n in range(25):
        _try(client, ten_accounts[n % 10].username, "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}
    assert _try(client, "acct1", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_behind_one_proxy_the_lockout_and_the_audit_log_see_the_same_client(client, ten_accounts, settings):
    settings.PROXY_COUNT = 1
    _try(client, "acct0", "x", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.8.1.99")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.8.1.99"]
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN).latest("pk")
    assert entry.ip == "10.8.1.99"


def test_an_attempt_from_a_locked_address_is_recorded_once_as_refused(client, ten_accounts):
    for n in range(20):
        _try(client, ten_accounts[n % 10].username, "x")
    before = AuditEntry.objects.count()
    assert _try(client, "acct0", PASSWORD).status_code == 429
    entries = list(AuditEntry.objects.order_by("pk")[before:])
    assert [(e.action, e.result, e.detail) for e in entries] == [("login", "denied", "已被锁定，本次登录被拒绝")]


def test_the_security_administrator_lifts_an_address_lockout_and_it_is_audited(client, ten_accounts, security_user):
    for n in range(20):
        _try(client, ten_accounts[n % 10].username, "x")
    assert locked_addresses() == [("10.0.0.1", 20)]
    unlock_address("10.0.0.1", actor=security_user)
    assert locked_addresses() == []
    assert _try(client, "acct3", PASSWORD).status_code == 302
    entry = AuditEntry.objects.filter(action=AuditAction.UNLOCK).latest("pk")
    assert (entry.actor_id, entry.object_id) == (security_user.pk, "10.0.0.1")


def test_the_api_throttle_counts_the_client_not_the_forwarded_for_it_writes(api_client, settings):
    from django.test import override_settings
    from rest_framework.settings import api_settings

    cache.clear()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "5/min"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        client = api_client("anonymous")
        answers = [client.get("/api/v1/issues/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(8)]
    cache.clear()
    assert answers.count(429) == 3
