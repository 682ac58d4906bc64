"""The permission matrix: every URL of the portal × every role → the expected status.

Adding a URL without adding it here fails `test_every_url_is_in_the_matrix`.
Statuses: 200 ok, 302 to the login page (anonymous), 403 read-only or not one's role,
404 outside one's reach (another unit's things, unpublished issues), 405 wrong method.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ["staff", "reporter", "other_reporter", "leader", "anonymous"]
LOGIN = 302


def expect(staff, reporter, other_reporter, leader, anonymous):
    """Expected statuses in the order of ROLES."""
    return dict(zip(ROLES, (staff, reporter, other_reporter, leader, anonymous), strict=True))


# URLs of the scores area that need an object (see the `# --- scores` rows below).
def _scores_unit_url(request, name="发改委"):
    from assessment.models import Unit

    return f"/assessment/2019/scores/{Unit.objects.get(name=name).pk}/"


def _scores_deduction_url(action):
    def url(request):
        from assessment.models import Indicator, Unit

        from .factories import DeductionFactory

        record = DeductionFactory(
            unit=Unit.objects.get(name="发改委"),
            indicator=Indicator.objects.get(scheme__year=2019, scheme__category__slug="departments", order=9),
            confirmed_at=None,
            confirmed_by=None,
        )
        return f"/assessment/2019/scores/deductions/{record.pk}/{action}/"

    return url


def _scores_version_url(suffix=""):
    def url(request):
        from assessment.services import close_year

        close_year(2019, request.getfixturevalue("staff_user"))
        return f"/assessment/2019/scores/versions/1/{suffix}"

    return url


# (name, url, {role: status}) or (name, url, {role: status}, "post").
# url: a string, or a callable taking pytest's `request` (use request.getfixturevalue for objects).
# POST rows send an empty form: they check who is let in, not what the form does.
MATRIX = [
    # --- public bulletin
    ("home", "/", expect(200, 200, 200, 200, 200)),
    (
        "bulletins:issue",
        "/bulletins/2019/11/",
        expect(200, 200, 200, 200, 200),
    ),
    (
        "bulletins:progress_xlsx",
        "/bulletins/2019/11/progress.xlsx",
        expect(200, 200, 200, 200, 200),
    ),
    # --- accounts
    ("login", "/accounts/login/", expect(302, 302, 302, 302, 200)),
    ("logout", "/accounts/logout/", expect(405, 405, 405, 405, 405)),
    (
        "password_change",
        "/accounts/password/",
        expect(200, 200, 200, 200, LOGIN),
    ),
    (
        "password_change_done",
        "/accounts/password/done/",
        expect(200, 200, 200, 200, LOGIN),
    ),
    # --- scores (得分): staff and leaders read, staff change; a reporter sees only its own unit's breakdown
    ("scores_latest:latest", "/assessment/scores/", expect(302, 404, 404, 302, LOGIN)),
    ("scores:ranking", "/assessment/2019/scores/", expect(200, 404, 404, 200, LOGIN)),
    ("scores:ranking_xlsx", "/assessment/2019/scores/ranking.xlsx", expect(200, 404, 404, 200, LOGIN)),
    ("scores:unit", _scores_unit_url, expect(200, 200, 404, 200, LOGIN)),
    ("scores:deductions", "/assessment/2019/scores/deductions/", expect(200, 404, 404, 200, LOGIN)),
    ("scores:deduction_new", "/assessment/2019/scores/deductions/new/", expect(200, 404, 404, 403, LOGIN)),
    ("scores:deduction_new", "/assessment/2019/scores/deductions/new/", expect(200, 404, 404, 403, LOGIN), "post"),
    ("scores:deduction_confirm", _scores_deduction_url("confirm"), expect(405, 405, 405, 405, 405)),
    ("scores:deduction_confirm", _scores_deduction_url("confirm"), expect(302, 404, 404, 403, LOGIN), "post"),
    ("scores:deduction_delete", _scores_deduction_url("delete"), expect(200, 404, 404, 403, LOGIN)),
    ("scores:deduction_delete", _scores_deduction_url("delete"), expect(302, 404, 404, 403, LOGIN), "post"),
    ("scores:close", "/assessment/2019/scores/close/", expect(200, 404, 404, 403, LOGIN)),
    ("scores:close", "/assessment/2019/scores/close/", expect(302, 404, 404, 403, LOGIN), "post"),
    ("scores:versions", "/assessment/2019/scores/versions/", expect(200, 404, 404, 200, LOGIN)),
    ("scores:version", _scores_version_url(), expect(200, 404, 404, 200, LOGIN)),
    ("scores:version_xlsx", _scores_version_url("ranking.xlsx"), expect(200, 404, 404, 200, LOGIN)),
]

# URL namespaces not part of the portal's own pages (Django admin has its own staff check).
EXCLUDED_PREFIXES = ("admin:",)


def _names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


def _rows():
    for name, url, expected, *method in MATRIX:
        method = method[0] if method else "get"
        for role in ROLES:
            yield pytest.param(name, url, method, role, expected[role], id=f"{name}-{method}-{role}")


def test_every_url_is_in_the_matrix():
    covered = {row[0] for row in MATRIX}
    missing = sorted(n for n in set(_names()) if not n.startswith(EXCLUDED_PREFIXES) and n not in covered)
    assert not missing, f"URLs missing from the permission matrix: {missing}"
    for name, _, expected, *_ in MATRIX:
        assert list(expected) == ROLES, name


@pytest.mark.parametrize(("name", "url", "method", "role", "expected"), list(_rows()))
def test_permission_matrix(role_client, name, url, method, role, expected, request):
    url = url(request) if callable(url) else url
    response = getattr(role_client(role), method)(url)
    assert response.status_code == expected, f"{name} as {role}: {response.status_code}"
    if expected == LOGIN and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
