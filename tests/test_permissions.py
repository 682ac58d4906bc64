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
]

# --- publish: archive, feed, downloads, composer, overview
# A draft (unpublished) issue with an article, for the composer's URLs: staff only, 404 to everyone else.
DRAFT = "/bulletins/2019/40/"


def _draft_article(request):
    import datetime

    from bulletins.models import Article, Issue

    issue, _ = Issue.objects.get_or_create(
        year=2019, number=40, defaults={"date": datetime.date(2019, 12, 30), "is_published": False}
    )
    return Article.objects.get_or_create(issue=issue, order=1, defaults={"title": "草稿文章", "body": "正文。"})[0]


def _draft(suffix=""):
    def url(request):
        _draft_article(request)
        return DRAFT + suffix

    return url


def _draft_section(action=""):
    return lambda request: f"{DRAFT}sections/article/{_draft_article(request).pk}/{action}"


def _demo_article(action=""):
    def url(request):
        from bulletins.models import Article

        article = Article.objects.get(issue__year=2019, issue__number=11)
        return f"/bulletins/2019/11/sections/article/{article.pk}/{action}"

    return url


STAFF_ONLY = expect(200, 403, 403, 403, LOGIN)  # a published issue's composer: readers see it, may not edit
DRAFT_ONLY = expect(200, 404, 404, 404, LOGIN)  # an unpublished issue: invisible outside the office
MATRIX += [
    ("bulletins:archive", "/bulletins/", expect(200, 200, 200, 200, 200)),
    ("bulletins:archive", "/bulletins/?q=信用", expect(200, 200, 200, 200, 200)),
    ("bulletins:feed", "/bulletins/feed/", expect(200, 200, 200, 200, 200)),
    ("bulletins:issue_version", "/bulletins/2019/11/v1/", expect(200, 200, 200, 200, 200)),
    ("bulletins:issue_version", "/bulletins/2019/11/v2/", expect(404, 404, 404, 404, 404)),
    ("bulletins:issue_pdf", "/bulletins/2019/11/issue.pdf", expect(200, 200, 200, 200, 200)),
    ("bulletins:issue_docx", "/bulletins/2019/11/issue.docx", expect(200, 200, 200, 200, 200)),
    ("bulletins:issue", _draft(), expect(200, 404, 404, 404, 404)),
    ("bulletins:progress_xlsx", _draft("progress.xlsx"), expect(200, 404, 404, 404, 404)),
    ("bulletins:issue_pdf", _draft("issue.pdf"), expect(200, 404, 404, 404, 404)),
    ("bulletins:issue_docx", _draft("issue.docx"), expect(200, 404, 404, 404, 404)),
    ("bulletins:new", "/bulletins/new/", STAFF_ONLY),
    ("bulletins:new", "/bulletins/new/", expect(200, 403, 403, 403, LOGIN), "post"),
    ("bulletins:edit", "/bulletins/2019/11/edit/", STAFF_ONLY),
    ("bulletins:edit", _draft("edit/"), DRAFT_ONLY),
    ("bulletins:edit", _draft("edit/"), DRAFT_ONLY, "post"),
    ("bulletins:edit", "/bulletins/2019/11/edit/", STAFF_ONLY, "post"),
    ("bulletins:preview", "/bulletins/2019/11/preview/", STAFF_ONLY),
    ("bulletins:preview", _draft("preview/"), DRAFT_ONLY),
    ("bulletins:publish", "/bulletins/2019/11/publish/", STAFF_ONLY),
    ("bulletins:publish", _draft("publish/"), DRAFT_ONLY),
    ("bulletins:publish", _draft("publish/"), DRAFT_ONLY, "post"),
    ("bulletins:publish", "/bulletins/2019/11/publish/", STAFF_ONLY, "post"),
    ("bulletins:delete", _draft("delete/"), DRAFT_ONLY),
    ("bulletins:delete", _draft("delete/"), expect(302, 404, 404, 404, LOGIN), "post"),
    ("bulletins:delete", "/bulletins/2019/11/delete/", expect(302, 403, 403, 403, LOGIN), "post"),
    ("bulletins:section_add", _draft("sections/article/add/"), expect(405, 405, 405, 405, 405)),
    ("bulletins:section_add", _draft("sections/article/add/"), DRAFT_ONLY, "post"),
    ("bulletins:section_add", "/bulletins/2019/11/sections/news/add/", STAFF_ONLY, "post"),
    ("bulletins:section_update", _draft_section(), DRAFT_ONLY, "post"),
    ("bulletins:section_update", _demo_article(), STAFF_ONLY, "post"),
    ("bulletins:section_move", _draft_section("move/"), expect(302, 404, 404, 404, LOGIN), "post"),
    ("bulletins:section_move", _demo_article("move/"), expect(302, 403, 403, 403, LOGIN), "post"),
    ("bulletins:section_remove", _draft_section("remove/"), DRAFT_ONLY),
    ("bulletins:section_remove", _draft_section("remove/"), expect(302, 404, 404, 404, LOGIN), "post"),
    ("bulletins:section_remove", _demo_article("remove/"), STAFF_ONLY),
    ("overview:index", "/overview/", expect(302, 403, 403, 302, LOGIN)),
    ("overview:year", "/overview/2019/", expect(200, 403, 403, 200, LOGIN)),
    ("overview:year", "/overview/1999/", expect(404, 403, 403, 404, LOGIN)),
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
