"""Tokens only for accounts that may hold one: a reporter, a leader, the office's system account; never an
account with a second factor, an admin or the auditor; revoked by the account itself or by the office for
those it may give one to; creation and refusals recorded (issue 23, "Acting as someone else")."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from assessment import access
from core.audit.actions import AuditAction
from core.audit.models import AuditEntry, AuditResult

from .conftest import log_in
from .factories import UserFactory


def _in(group, username, **fields):
    user = UserFactory(username=username, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def others(db):
    """Accounts the office must not give a token to."""
    return {
        "it_admin": _in(None, "t_it_admin", is_staff=True, is_superuser=True),
        "colleague": _in(access.STAFF_GROUP, "t_colleague"),
        "auditor": _in(access.AUDITOR_GROUP, "t_auditor"),
        "auditor_leader": _in(access.AUDITOR_GROUP, "t_auditor_leader"),
        "security": _in(access.SECURITY_GROUP, "t_security_admin"),
        "security_leader": _in(access.SECURITY_GROUP, "t_security_leader"),
    }


@pytest.fixture
def office(client, staff_user):
    return log_in(client, staff_user)


def test_the_office_cannot_make_a_token_for_an_admin_another_office_member_or_the_auditor(office, others):
    others["auditor_leader"].groups.add(Group.objects.get(name=access.LEADER_GROUP))
    others["security_leader"].groups.add(Group.objects.get(name=access.LEADER_GROUP))
    page = office.get("/api/tokens/").content.decode()
    for account in others.values():
        assert account.username not in page
        assert office.post(f"/api/tokens/{account.pk}/create/").status_code == 404
    assert office.post(f"/api/tokens/{office.session['_auth_user_id']}/create/").status_code == 404  # nor itself
    assert not Token.objects.exists()


def test_it_makes_one_for_a_reporter_a_leader_and_its_system_account_and_it_is_recorded(
    office, staff_user, reporter_user, leader_user, office_system_user
):
    for account in (reporter_user, leader_user, office_system_user):
        assert office.post(f"/api/tokens/{account.pk}/create/").status_code == 302
        entry = AuditEntry.objects.filter(action=AuditAction.TOKEN_CREATE).latest("pk")
        assert (entry.actor_id, entry.object_id) == (staff_user.pk, str(account.pk))
    assert Token.objects.count() == 3


def test_a_token_of_an_account_that_may_not_hold_one_is_refused_at_every_use(others, staff_user):
    for account in (staff_user, others["it_admin"], others["colleague"], others["security"]):
        key = Token.objects.create(user=account).key  # made by hand, or before the rule
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        refused = client.get("/api/v1/units/")
        assert refused.status_code == 401
        assert "市信用办成员、安全管理员和管理员账号须在门户以双因素验证登录" in refused.json()["detail"]
        entry = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).latest("pk")
        assert (entry.actor_id, entry.result) == (account.pk, AuditResult.DENIED)
        assert key[:4] in entry.detail


def test_the_office_cannot_revoke_an_admins_token_but_the_account_itself_can(client, office, others):
    admin = others["it_admin"]
    Token.objects.create(user=admin)
    assert office.get(f"/api/tokens/{admin.pk}/revoke/").status_code == 404
    assert office.post(f"/api/tokens/{admin.pk}/revoke/").status_code == 404
    assert Token.objects.filter(user=admin).exists()
    own = log_in(client.__class__(), admin)
    assert "确认撤销" in own.get("/api/tokens/mine/revoke/").content.decode()
    assert own.post("/api/tokens/mine/revoke/").status_code == 302
    assert not Token.objects.filter(user=admin).exists()
    entry = AuditEntry.objects.filter(action=AuditAction.TOKEN_REVOKE).latest("pk")
    assert (entry.actor_id, entry.object_id) == (admin.pk, str(admin.pk))


def test_a_reporter_revokes_its_own_token_and_nobody_elses(client, reporter_user, other_reporter_user):
    Token.objects.create(user=reporter_user)
    Token.objects.create(user=other_reporter_user)
    log_in(client, reporter_user)
    assert client.post(f"/api/tokens/{other_reporter_user.pk}/revoke/").status_code == 404
    assert client.post("/api/tokens/mine/revoke/").status_code == 302
    assert list(Token.objects.values_list("user__username", flat=True)) == ["t_other_reporter"]
