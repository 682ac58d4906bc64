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
    # --- imports (Excel import and export: 市信用办 only; helpers at the end of the file)
    ("imports:index", "/assessment/import/", expect(200, 403, 403, 403, LOGIN)),
    ("imports:progress_xlsx", "/assessment/2019/progress.xlsx", expect(200, 403, 403, 403, LOGIN)),
    ("imports:schemes_xlsx", "/assessment/2019/schemes.xlsx", expect(200, 403, 403, 403, LOGIN)),
    ("imports:units_xlsx", "/assessment/units.xlsx", expect(200, 403, 403, 403, LOGIN)),
    ("imports:marks", "/assessment/2019/import/", expect(200, 403, 403, 403, LOGIN)),
    ("imports:marks", "/assessment/2019/import/", expect(400, 403, 403, 403, LOGIN), "post"),
    ("imports:schemes", "/assessment/2020/import/schemes/", expect(200, 403, 403, 403, LOGIN)),
    ("imports:schemes", "/assessment/2020/import/schemes/", expect(400, 403, 403, 403, LOGIN), "post"),
    ("imports:units", "/assessment/import/units/", expect(200, 403, 403, 403, LOGIN)),
    ("imports:units", "/assessment/import/units/", expect(400, 403, 403, 403, LOGIN), "post"),
    ("imports:preview", lambda r: f"/assessment/import/{_import_token(r)}/", expect(200, 403, 403, 403, LOGIN)),
    ("imports:confirm", lambda r: f"/assessment/import/{_import_token(r)}/confirm/", expect(405, 405, 405, 405, 405)),
    (
        "imports:confirm",
        lambda r: f"/assessment/import/{_import_token(r)}/confirm/",
        expect(302, 403, 403, 403, LOGIN),
        "post",
    ),
    # --- units (a unit's own page, requests about * items, the queue, reminders; helpers at the end)
    ("units:index", "/units/", expect(200, 302, 302, 200, LOGIN)),
    ("units:detail", lambda r: f"/units/{r.getfixturevalue('reporter_unit').pk}/", expect(200, 200, 404, 200, LOGIN)),
    ("units:request_new", lambda r: _pending_mark_url(r), expect(403, 200, 404, 403, LOGIN)),
    ("units:request_new", lambda r: _pending_mark_url(r), expect(403, 400, 404, 403, LOGIN), "post"),
    ("units:requests", "/units/requests/", expect(200, 403, 403, 200, LOGIN)),
    (
        "units:request_accept",
        lambda r: f"/units/requests/{_mark_request(r).pk}/accept/",
        expect(405, 405, 405, 405, 405),
    ),
    (
        "units:request_accept",
        lambda r: f"/units/requests/{_mark_request(r).pk}/accept/",
        expect(302, 403, 403, 403, LOGIN),
        "post",
    ),
    (
        "units:request_return",
        lambda r: f"/units/requests/{_mark_request(r).pk}/return/",
        expect(302, 403, 403, 403, LOGIN),
        "post",
    ),
    (
        "units:request_attachment",
        lambda r: f"/units/requests/{_mark_request(r, attachment=True).pk}/attachment/",
        expect(200, 200, 404, 200, LOGIN),
    ),
    ("units:reminders", "/units/reminders/", expect(200, 403, 403, 403, LOGIN)),
    ("units:reminders", "/units/reminders/", expect(302, 403, 403, 403, LOGIN), "post"),
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


# --- imports: helpers for the rows above
def _import_token(request):
    """A previewed import owned by the staff user (others get 404/403 for it)."""
    import uuid

    from assessment.models import ImportSession

    session = ImportSession.objects.create(
        token=uuid.uuid4(),
        kind="marks",
        year=2019,
        file_name="工作进展通报.xlsx",
        created_by=request.getfixturevalue("staff_user"),
    )
    return session.token


# --- units: helpers for the rows above
def _pending_mark(request):
    """A mark of the reporter's unit (发改委) set back to *: something a reporter can ask about."""
    from assessment.models import Mark
    from assessment.services import set_mark

    mark = Mark.objects.get(unit=request.getfixturevalue("reporter_unit"), indicator__order=5)
    return set_mark(mark, "*", request.getfixturevalue("staff_user"))


def _pending_mark_url(request):
    mark = _pending_mark(request)
    return f"/units/{mark.unit_id}/marks/{mark.pk}/request/"


def _mark_request(request, attachment=False):
    from django.core.files.base import ContentFile

    from assessment.models import MarkRequest

    request.getfixturevalue("settings").MEDIA_ROOT = request.getfixturevalue("tmp_path")
    mark_request = MarkRequest(
        mark=_pending_mark(request), kind="done", text="已完成。", submitted_by=request.getfixturevalue("reporter_user")
    )
    if attachment:
        mark_request.attachment.save("evidence.pdf", ContentFile(b"%PDF-1.7 evidence"), save=False)
        mark_request.attachment_name = "证明.pdf"
    mark_request.save()
    return mark_request
