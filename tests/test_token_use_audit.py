"""Every use of another's token is audited (issue 23): a request made with a token someone other than its
holder made is one audit entry (who made it, whose it is, method, path, status); a token its holder made
itself is not logged per request (core/api/token_use.py)."""

import importlib
import io

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from assessment.models import Mark
from core.api.models import TokenGrant
from core.api.token_use import issue_token
from core.audit.actions import AuditAction
from core.audit.chain import verify
from core.audit.models import AuditEntry, AuditResult

from .conftest import TOKEN_USE_AUDIT_QUERIES, log_in
from .factories import UserFactory


def _token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _uses():
    return list(AuditEntry.objects.filter(action=AuditAction.TOKEN_USE).order_by("seq"))


def test_a_token_the_office_made_is_audited_at_every_request(client, staff_user, reporter_user, reporter_unit):
    log_in(client, staff_user)
    client.post(f"/api/tokens/{reporter_user.pk}/create/")
    system = _token_client(Token.objects.get(user=reporter_user).key)

    assert system.get("/api/v1/units/").status_code == 200
    mark = Mark.objects.filter(unit=reporter_unit).first()
    assert system.patch(f"/api/v1/marks/{mark.pk}/", {"value": "√", "version": 1}, format="json").status_code == 403

    read, write = _uses()[-2:]
    assert (read.actor, read.result, read.object_text) == (reporter_user, AuditResult.OK, "GET /api/v1/units/")
    assert read.detail == "令牌属于“t_reporter”，由“t_staff”生成；GET /api/v1/units/ → 200"
    assert (write.actor, write.result) == (reporter_user, AuditResult.DENIED)
    assert write.detail.endswith(f"PATCH /api/v1/marks/{mark.pk}/ → 403")
    assert write.action_label == "使用他人生成的接口令牌"  # the registry's label, as the audit page shows it
    assert verify().broken is None  # written through the chain


def test_a_token_made_on_the_server_is_audited_too(leader_user):
    out = io.StringIO()
    call_command("api_token", "t_leader", stdout=out)
    response = _token_client(out.getvalue().strip()).get("/api/v1/nowhere/")
    assert response.status_code == 404
    assert _uses() == []  # no route, no token check: nothing acted as the leader
    assert _token_client(out.getvalue().strip()).get("/api/v1/categories/").status_code == 200
    (use,) = _uses()
    assert use.detail == "令牌属于“t_leader”，由“服务器命令 manage.py api_token”生成；GET /api/v1/categories/ → 200"


def test_a_token_from_before_the_record_counts_as_anothers(leader_user):
    key = Token.objects.create(user=leader_user).key
    assert _token_client(key).get("/api/v1/categories/").status_code == 200
    (use,) = _uses()
    assert "生成人不明" in use.detail and use.actor == leader_user


def test_a_token_its_holder_made_is_not_logged_per_request(leader_user):
    key = issue_token(leader_user, by=leader_user).key
    assert _token_client(key).get("/api/v1/categories/").status_code == 200
    assert _uses() == []


def test_the_audit_costs_one_insert(leader_user, django_assert_max_num_queries):
    own = _token_client(issue_token(leader_user, by=leader_user).key)
    own.get("/api/v1/categories/")  # warm the caches both requests share
    with CaptureQueriesContext(connection) as unaudited:
        assert own.get("/api/v1/categories/").status_code == 200
    unaudited = len(unaudited.captured_queries)
    Token.objects.filter(user=leader_user).delete()
    anothers = _token_client(issue_token(leader_user, by=None).key)
    anothers.get("/api/v1/categories/")
    with django_assert_max_num_queries(unaudited + TOKEN_USE_AUDIT_QUERIES) as audited:
        assert anothers.get("/api/v1/categories/").status_code == 200
    inserts = [q["sql"] for q in audited.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and "audit" in inserts[0]


def test_tokens_made_before_the_record_get_their_maker_from_the_audit_log(client, staff_user, reporter_user):
    from django.apps import apps

    backfill = importlib.import_module("core.migrations.0008_token_grant_backfill").backfill
    log_in(client, staff_user)
    client.post(f"/api/tokens/{reporter_user.pk}/create/")
    token = Token.objects.get(user=reporter_user)
    TokenGrant.objects.filter(token=token).delete()  # as a token made before TokenGrant was kept
    server_made = Token.objects.create(user=UserFactory())  # logged by the signal without an actor
    backfill(apps, None)
    grant = TokenGrant.objects.get(token=token)
    assert (grant.created_by, grant.created_by_name) == (staff_user, "t_staff")
    assert TokenGrant.objects.get(token=server_made).creator_label == "服务器命令 manage.py api_token"
    assert _token_client(token.key).get("/api/v1/units/").status_code == 200
    assert _uses()[-1].detail == "令牌属于“t_reporter”，由“t_staff”生成；GET /api/v1/units/ → 200"
