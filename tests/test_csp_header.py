"""Content-Security-Policy on every response, nothing inline allowed for scripts or styles."""

import pytest

from .conftest import log_in


def _directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/bulletins/2019/11/",
        "/accounts/login/",
        "/assessment/2019/departments/",
        "/cases/new/",
        "/admin/",
        "/api/v1/units/",
        "/api/v1/units/?format=json",
        "/no-such-page/",
        "/bulletins/2019/11/progress.xlsx",
    ],
)
def test_every_response_carries_the_strict_policy(client, staff_user, path):
    staff_user.is_staff = staff_user.is_superuser = True
    staff_user.save()
    log_in(client, staff_user)
    policy = _directives(client.get(path))
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_the_browsable_api_allows_only_its_own_inline_styles_by_hash(role_client):
    policy = _directives(role_client("staff").get("/api/v1/units/", HTTP_ACCEPT="text/html"))
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert all(source.startswith(("'self'", "'unsafe-hashes'", "'sha256-")) for source in policy["style-src"])


def test_a_400_carries_it_too(client, db):
    assert "script-src 'self'" in client.get("/", HTTP_HOST="evil.example.com")["Content-Security-Policy"]
