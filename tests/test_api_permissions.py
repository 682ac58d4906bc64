"""The API rows of the portal's permission matrix again, with tokens instead of a browser session.

A token acts with its account's role, so every API route must give the same status either way; except that
the accounts which sign in with a second factor and have no business role (the security administrator's, the
IT administrator's) may not use a token at all: 401 on every route, public ones included.
(The matrix itself, in tests/test_permissions.py, fails when a route is missing from it.)
"""

import pytest

from core.api.token_rules import REFUSED

from .test_permissions import LOGIN, MATRIX, ROLES, rows

# Accounts a token never acts as (core/api/token_rules.py): their token is refused before any route.
NO_TOKEN = ("security", "it_admin")

# The docs page is a browser page (session); its schema is an API route and stays in.
TOKEN_ROWS = [row for row in MATRIX if row[0].startswith("api:") and row[0] != "api:docs"]


def _rows():
    for name, url, method, expected in rows(TOKEN_ROWS):
        for role in ROLES:
            status = 401 if role in NO_TOKEN else expected[role]
            yield pytest.param(name, url, method, role, status, id=f"{name}-{method}-{role}")


def test_every_api_route_has_rows_in_the_matrix():
    from django.urls import get_resolver

    api = get_resolver().namespace_dict["api"][1]
    routes = {f"api:{p.name}" for p in api.url_patterns if p.name}
    assert routes - {row[0] for row in MATRIX} == set()
    assert len(routes) >= 15


@pytest.mark.parametrize(("name", "url", "method", "role", "expected"), list(_rows()))
def test_token_permission_matrix(api_client, name, url, method, role, expected, request):
    url = url(request) if callable(url) else url
    response = getattr(api_client(role), method)(url)
    assert expected != LOGIN, f"{name}: an API route answers 401, never the login page"
    assert response.status_code == expected, f"{name} as {role} with a token: {response.status_code}"
    if expected >= 400 and response["Content-Type"] == "application/json":  # the schema answers in YAML
        assert response.json()["code"] and response.json()["detail"]
    if role in NO_TOKEN:
        assert REFUSED in response.content.decode()
