"""Refusals in one shape, in Chinese; throttles for anonymous visitors and token clients."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.settings import api_settings


def _with_rates(**rates):
    return override_settings(
        REST_FRAMEWORK={
            **_rest_framework(),
            "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, **rates},
        }
    )


def _rest_framework():
    from django.conf import settings

    return settings.REST_FRAMEWORK


@pytest.fixture(autouse=True)
def _fresh_throttle_history(db):
    cache.clear()
    yield
    cache.clear()


def _shape(body):
    assert set(body) >= {"code", "detail", "fields"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body


@pytest.mark.parametrize(
    ("role", "method", "path", "status", "code"),
    [
        ("anonymous", "get", "/api/v1/marks/", 401, "not_authenticated"),
        ("leader", "patch", "/api/v1/marks/1/", 403, "permission_denied"),
        ("staff", "get", "/api/v1/units/999999999/", 404, "not_found"),
        ("staff", "put", "/api/v1/marks/1/", 405, "method_not_allowed"),
        ("staff", "get", "/api/v1/marks/?unit=x", 400, "invalid"),
    ],
)
def test_every_refusal_has_the_same_shape_in_chinese(api_client, role, method, path, status, code):
    response = getattr(api_client(role), method)(path)
    assert response.status_code == status
    body = response.json()
    _shape(body)
    assert body["code"] == code


def test_malformed_json_is_a_chinese_400(api_client):
    response = api_client("staff").post("/api/v1/marks/batch/", "{not json", content_type="application/json")
    assert response.status_code == 400
    _shape(response.json())
    assert response.json()["code"] == "parse_error"


def test_anonymous_visitors_are_throttled(api_client):
    with _with_rates(anon="3/min"):
        client = api_client("anonymous")
        statuses = [client.get("/api/v1/issues/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_throttled_body_is_chinese_with_retry_after(api_client):
    with _with_rates(anon="1/min"):
        client = api_client("anonymous")
        client.get("/api/v1/issues/")
        response = client.get("/api/v1/issues/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    _shape(response.json())
    assert response.json()["code"] == "throttled"


def test_token_clients_are_throttled_per_account_but_browser_sessions_are_not(api_client, role_client):
    with _with_rates(token="2/min"):
        staff = api_client("staff")
        assert [staff.get("/api/v1/categories/").status_code for _ in range(3)] == [200, 200, 429]
        leader = api_client("leader")  # another account has its own allowance
        assert leader.get("/api/v1/categories/").status_code == 200
        browser = role_client("staff")
        assert {browser.get("/api/v1/categories/").status_code for _ in range(4)} == {200}


def test_a_malformed_rate_stops_the_start(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from kunshan_credit.settings import env_rate

    monkeypatch.setenv("DJANGO_API_ANON_RATE", "lots")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_API_ANON_RATE"):
        env_rate("DJANGO_API_ANON_RATE", "60/min")
    monkeypatch.setenv("DJANGO_API_ANON_RATE", "100/hour")
    assert env_rate("DJANGO_API_ANON_RATE", "60/min") == "100/hour"


# Found by schemathesis (.ci/api-fuzz): each was a 500 before.
@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/v1/cases/?source_unit=3.538081175292981e%2B33", 400, "source_unit"),
        ("/api/v1/marks/?unit=99999999999999999999", 400, "unit"),
        ("/api/v1/marks/?indicator=-1", 400, "indicator"),
        ("/api/v1/units/0.5/", 404, None),
        ("/api/v1/issues/0.5/tables/", 404, None),
    ],
)
def test_odd_ids_are_refused_not_crashed(api_client, path, status, field):
    response = api_client("staff").get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    if field:
        assert list(response.json()["fields"]) == [field]
