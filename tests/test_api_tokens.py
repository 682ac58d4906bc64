"""API tokens: staff create and revoke them per account; a token acts with its account's role."""

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from assessment import access
from assessment.models import Mark

from .conftest import log_in


def _token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_staff_create_a_token_and_it_acts_with_the_accounts_role(client, staff_user, reporter_user, reporter_unit):
    log_in(client, staff_user)
    page = client.get("/api/tokens/").content.decode()
    assert "t_reporter" in page and "发改委" in page and "生成令牌" in page
    response = client.post(f"/api/tokens/{reporter_user.pk}/create/", follow=True)
    key = Token.objects.get(user=reporter_user).key
    assert key in response.content.decode()  # shown once, to hand over to the other system
    reporter = _token_client(key)
    units = reporter.get("/api/v1/units/").json()["results"]
    assert [u["name"] for u in units] == ["发改委"]
    mark = Mark.objects.filter(unit=reporter_unit).first()
    assert reporter.patch(f"/api/v1/marks/{mark.pk}/", {"value": "√", "version": 1}, format="json").status_code == 403


def test_second_token_for_an_account_is_refused_until_revoked(client, staff_user, leader_user):
    log_in(client, staff_user)
    client.post(f"/api/tokens/{leader_user.pk}/create/")
    key = Token.objects.get(user=leader_user).key
    response = client.post(f"/api/tokens/{leader_user.pk}/create/", follow=True)
    assert "已有令牌" in response.content.decode()
    assert Token.objects.get(user=leader_user).key == key


def test_revoke_asks_first_then_refuses_the_token(client, staff_user, leader_user):
    log_in(client, staff_user)
    client.post(f"/api/tokens/{leader_user.pk}/create/")
    key = Token.objects.get(user=leader_user).key
    assert _token_client(key).get("/api/v1/marks/").status_code == 200
    confirm = client.get(f"/api/tokens/{leader_user.pk}/revoke/").content.decode()
    assert "确认撤销" in confirm and "t_leader" in confirm
    assert Token.objects.filter(user=leader_user).exists()  # asking changes nothing
    response = client.post(f"/api/tokens/{leader_user.pk}/revoke/", follow=True)
    assert "已撤销" in response.content.decode()
    assert not Token.objects.filter(user=leader_user).exists()
    refused = _token_client(key).get("/api/v1/marks/")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"
    assert client.get(f"/api/tokens/{leader_user.pk}/revoke/").status_code == 404


def test_token_follows_the_accounts_role_and_state(leader_user):
    key = Token.objects.create(user=leader_user).key
    assert _token_client(key).get("/api/v1/units/").status_code == 200
    leader_user.groups.remove(Group.objects.get(name=access.LEADER_GROUP))
    assert _token_client(key).get("/api/v1/units/").status_code == 404  # no role any more: nothing within reach
    leader_user.is_active = False
    leader_user.save()
    assert _token_client(key).get("/api/v1/units/").status_code == 401


def test_tokens_only_for_accounts_with_a_role(client, staff_user):
    from .factories import UserFactory

    nobody = UserFactory(username="t_nobody")
    log_in(client, staff_user)
    assert "t_nobody" not in client.get("/api/tokens/").content.decode()
    assert client.post(f"/api/tokens/{nobody.pk}/create/").status_code == 404
    assert not Token.objects.filter(user=nobody).exists()


def test_the_nav_links_the_token_page_for_staff_only(role_client):
    assert "/api/tokens/" in role_client("staff").get("/").content.decode()
    assert "/api/tokens/" not in role_client("leader").get("/").content.decode()


def test_management_command_prints_the_token(staff_user, leader_user):
    out = io.StringIO()
    call_command("api_token", "t_leader", stdout=out)
    key = out.getvalue().strip()
    assert re.fullmatch(r"[0-9a-f]{40}", key) and Token.objects.get(user=leader_user).key == key
    again = io.StringIO()
    call_command("api_token", "t_leader", stdout=again)
    assert again.getvalue().strip() == key
    with pytest.raises(CommandError, match="没有启用的账号"):
        call_command("api_token", "no-such-user")
    # An office member's own account never: the office's system account instead (made by --system).
    with pytest.raises(CommandError, match="不能持有令牌"):
        call_command("api_token", "t_staff")
    system = io.StringIO()
    call_command("api_token", "--system", "t_platform", stdout=system)
    account = Token.objects.get(key=system.getvalue().strip()).user
    assert account.username == "t_platform" and not account.has_usable_password()
    assert access.role_of(account) == access.STAFF
