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
    # --- cases (reporter_case: a submitted case of 发改委, the reporter's unit; reporter_draft: a draft of it)
    ("cases:list", "/cases/", expect(200, 200, 200, 200, LOGIN)),
    ("cases:new", "/cases/new/", expect(200, 200, 200, 403, LOGIN)),
    ("cases:new", "/cases/new/", expect(200, 200, 200, 403, LOGIN), "post"),
    ("cases:review", "/cases/review/", expect(200, 403, 403, 403, LOGIN)),
    ("cases:review", "/cases/review/", expect(302, 403, 403, 403, LOGIN), "post"),
    ("cases:detail", lambda r: _case_url(r), expect(200, 200, 404, 200, LOGIN)),
    ("cases:edit", lambda r: _case_url(r, "edit/", "reporter_draft"), expect(200, 200, 404, 403, LOGIN)),
    ("cases:edit", lambda r: _case_url(r, "edit/", "reporter_draft"), expect(200, 200, 404, 403, LOGIN), "post"),
    ("cases:submit", lambda r: _case_url(r, "submit/"), expect(405, 405, 405, 405, LOGIN)),
    ("cases:submit", lambda r: _case_url(r, "submit/", "reporter_draft"), expect(302, 302, 404, 403, LOGIN), "post"),
    ("cases:withdraw", lambda r: _case_url(r, "withdraw/"), expect(405, 405, 405, 405, LOGIN)),
    ("cases:withdraw", lambda r: _case_url(r, "withdraw/"), expect(302, 302, 404, 403, LOGIN), "post"),
    ("cases:accept", lambda r: _case_url(r, "accept/"), expect(405, 405, 405, 405, LOGIN)),
    ("cases:accept", lambda r: _case_url(r, "accept/"), expect(302, 403, 404, 403, LOGIN), "post"),
    ("cases:return", lambda r: _case_url(r, "return/"), expect(405, 405, 405, 405, LOGIN)),
    ("cases:return", lambda r: _case_url(r, "return/"), expect(302, 403, 404, 403, LOGIN), "post"),
    ("cases:bulletin", lambda r: _case_url(r, "bulletin/"), expect(405, 405, 405, 405, LOGIN)),
    ("cases:bulletin", lambda r: _case_url(r, "bulletin/"), expect(302, 403, 404, 403, LOGIN), "post"),
    (
        "cases:attachment",
        lambda r: f"/cases/attachment/{r.getfixturevalue('case_attachment').pk}/",
        expect(200, 200, 404, 200, LOGIN),
    ),
    ("cases:counts", "/cases/counts/", expect(200, 200, 200, 200, LOGIN)),
    ("cases:counts", "/cases/counts/", expect(200, 403, 403, 403, LOGIN), "post"),
    (
        "cases:count_delete",
        lambda r: f"/cases/counts/{r.getfixturevalue('count_record').pk}/delete/",
        expect(200, 403, 403, 403, LOGIN),
    ),
    (
        "cases:count_delete",
        lambda r: f"/cases/counts/{r.getfixturevalue('count_record').pk}/delete/",
        expect(302, 403, 403, 403, LOGIN),
        "post",
    ),
    ("cases:quarterly", "/cases/2019/", expect(200, 403, 403, 200, LOGIN)),
    ("cases:quarterly", "/cases/2031/", expect(404, 403, 403, 404, LOGIN)),
    ("cases:quarterly_xlsx", "/cases/2019/quarterly.xlsx", expect(200, 403, 403, 200, LOGIN)),
]


def _case_url(request, path="", fixture="reporter_case"):
    return f"/cases/case/{request.getfixturevalue(fixture).pk}/{path}"


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
