"""The permission matrix: every URL and API route of the portal × every role → the expected status.

The rule is `core.access`'s (with `assessment.access` on top): anonymous → the login page (the API: 401);
outside one's reach → 404 (another unit's things, a page about every unit for a reporter, an unpublished
issue, anything for an account without role, everything but the audit log for the auditor, everything but
the accounts pages for the security administrator, everything but /admin/ and the system page for the IT
administrator: 三员分立); visible but not allowed → 403 (a leader changing something, a reporter doing the
office's work on what it sees). 405 is a wrong method (pages answer it first; the API after checking who may
use the route).

Each row's statuses are one string with a column per role, in the order of `ROLES` (the header): “login” is
the redirect to the login page. A new role is one more name in `ROLES` and one more column in every row;
`test_every_role_is_a_column` fails until it is there, and a row with a column too many or too few fails.
Adding a URL without adding it here fails `test_every_url_is_in_the_matrix`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

#: The columns. `other_reporter` is a reporter of another unit (教育局); `security` the security
#: administrator (安全管理员); `it_admin` an account that opens /admin/ (superuser); `none` a signed-in account
#: in no group. The fixtures behind each name are `role_client`'s and `api_client`'s (tests/conftest.py).
ROLES = ("staff", "reporter", "other_reporter", "leader", "auditor", "security", "it_admin", "none", "anonymous")
LOGIN = "login"


def by_role(statuses):
    """'200 404 … login' → {role: 200, …}: one status per column of ROLES, no column missing or extra."""
    columns = statuses.split()
    if len(columns) != len(ROLES):
        raise ValueError(f"{statuses!r}: {len(columns)} columns, the matrix has {len(ROLES)} ({' '.join(ROLES)})")
    return {role: LOGIN if value == LOGIN else int(value) for role, value in zip(ROLES, columns, strict=True)}


# URLs of the scores area that need an object (see the `# --- scores` rows below).
def _scores_unit_url(request, name="发改委"):
    from assessment.models import Unit

    return f"/assessment/2019/scores/{Unit.objects.get(name=name).pk}/"


def _receipt(request):
    from assessment.models import Unit
    from assessment.notify import receipts

    reminder = receipts.new_reminder(year=2019, single=True, message="请尽快办理。")
    return receipts.new_receipt(reminder, Unit.objects.get(name="发改委"), [])


def _reminder_url(request):
    return f"/units/reminders/sent/{_receipt(request).reminder_id}/"


def _receipt_url(request):
    return f"/units/receipts/{_receipt(request).token}/"


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
        from assessment.scoring.services import close_year

        close_year(2019, request.getfixturevalue("staff_user"))
        return f"/assessment/2019/scores/versions/1/{suffix}"

    return url


def _unfollow_url(request):
    from assessment.models import Unit
    from assessment.notify.follows import unfollow_token
    from assessment.notify.models import Follow

    follow = Follow.objects.create(user=request.getfixturevalue("leader_user"), unit=Unit.objects.get(name="财政局"))
    return f"/units/unfollow/{unfollow_token(follow)}/"


# (name, url, statuses) or (name, url, statuses, "post"); the statuses' columns are ROLES':
#     staff reporter other_reporter leader auditor security it_admin none anonymous
# url: a string, or a callable taking pytest's `request` (use request.getfixturevalue for objects).
# POST rows send an empty form: they check who is let in, not what the form does.
MATRIX = [
    # --- public bulletin
    ("home", "/", "200 200 200 200 200 200 200 200 200"),
    # 待办: every role's own list; the auditor, the security and the IT administrators land on their own pages,
    # an account without role on the home page.
    ("todo", "/todo/", "200 200 200 200 302 302 302 302 login"),
    ("todo_seen", lambda r: f"/todo/seen/{_leader_follow(r).pk}/", "405 405 405 405 405 405 405 405 405"),
    # Only the follower marks its follow read: the office reaches the action, yet not another's follow.
    ("todo_seen", lambda r: f"/todo/seen/{_leader_follow(r).pk}/", "404 404 404 302 404 404 404 404 login", "post"),
    ("bulletins:issue", "/bulletins/2019/11/", "200 200 200 200 200 200 200 200 200"),
    ("bulletins:progress_xlsx", "/bulletins/2019/11/progress.xlsx", "200 200 200 200 200 200 200 200 200"),
    # --- accounts
    ("login", "/accounts/login/", "302 302 302 302 302 302 302 302 200"),
    ("logout", "/accounts/logout/", "405 405 405 405 405 405 405 405 405"),
    ("password_change", "/accounts/password/", "200 200 200 200 200 200 200 200 login"),
    ("password_change_done", "/accounts/password/done/", "200 200 200 200 200 200 200 200 login"),
    ("password_reset", "/accounts/password/reset/", "200 200 200 200 200 200 200 200 200"),
    ("password_reset_done", "/accounts/password/reset/sent/", "200 200 200 200 200 200 200 200 200"),
    ("password_reset_confirm", "/accounts/password/reset/MQ/bad-token/", "200 200 200 200 200 200 200 200 200"),
    ("password_reset_complete", "/accounts/password/reset/complete/", "200 200 200 200 200 200 200 200 200"),
    # --- second factor: staff, the security and IT administrators (verified here) see their pages; no one else has one
    ("security:otp_verify", "/accounts/otp/", "302 302 302 302 302 302 302 302 login"),
    ("security:otp_enrol", "/accounts/otp/enrol/", "200 404 404 404 404 200 200 404 login"),
    ("security:backup_codes", "/accounts/otp/backup-codes/", "200 404 404 404 404 200 200 404 login"),
    ("security:backup_codes", "/accounts/otp/backup-codes/", "200 404 404 404 404 200 200 404 login", "post"),
    # --- entry grid (assessment): staff edit, leaders read (403 on changes), reporters go to their unit page
    ("assessment:index", "/assessment/", "302 302 302 302 404 404 404 404 login"),
    ("assessment:year", "/assessment/2019/", "200 302 302 200 404 404 404 404 login"),
    ("assessment:grid", "/assessment/2019/departments/", "200 302 302 200 404 404 404 404 login"),
    ("assessment:mark", lambda r: f"/assessment/marks/{_grid_mark().pk}/", "405 405 405 405 405 405 405 405 405"),
    (
        "assessment:mark",
        lambda r: f"/assessment/marks/{_grid_mark().pk}/",
        "400 404 404 403 404 404 404 404 login",  # staff: 400, the empty form has no value/version
        "post",
    ),
    (
        "assessment:mark_history",
        lambda r: f"/assessment/marks/{_grid_mark().pk}/history/",
        "200 200 404 200 404 404 404 404 login",  # the reporter's own unit (发改委)
    ),
    (
        "assessment:due_override",
        lambda r: f"/assessment/marks/{_grid_mark().pk}/due/",
        "200 404 404 403 404 404 404 404 login",  # the office's work, even on the reporter's own unit
    ),
    (
        "assessment:due_override",
        lambda r: f"/assessment/marks/{_grid_mark().pk}/due/",
        "400 404 404 403 404 404 404 404 login",  # staff: 400, the empty form has no date/reason
        "post",
    ),
    (
        "assessment:bulk",
        lambda r: f"/assessment/2019/departments/bulk/?indicator={_grid_mark().indicator_id}&value=√",
        "200 404 404 403 404 404 404 404 login",
    ),
    (
        "assessment:bulk",
        "/assessment/2019/departments/bulk/",
        "302 404 404 403 404 404 404 404 login",  # staff: back to the grid, nothing chosen
        "post",
    ),
    (
        "assessment:batch_undo",
        lambda r: f"/assessment/batches/{_batch(r).pk}/undo/",
        "200 404 404 403 404 404 404 404 login",
    ),
    (
        "assessment:batch_undo",
        lambda r: f"/assessment/batches/{_batch(r).pk}/undo/",
        "302 404 404 403 404 404 404 404 login",
        "post",
    ),
    ("assessment:new_year", "/assessment/2019/new-year/", "200 404 404 403 404 404 404 404 login"),
    ("assessment:new_year", "/assessment/2019/new-year/", "302 404 404 403 404 404 404 404 login", "post"),
    # --- api (/api/v1/: anonymous is 401, not a login redirect; rows of another unit are 404)
    ("api:score-list", "/api/v1/scores/", "200 404 404 200 404 404 404 404 401"),
    ("api:score-detail", "/api/v1/scores/2019/", "200 404 404 200 404 404 404 404 401"),
    ("api:score-detail", "/api/v1/scores/2031/", "404 404 404 404 404 404 404 404 401"),
    ("api:category-list", "/api/v1/categories/", "200 200 200 200 404 404 404 404 401"),
    (
        "api:category-detail",
        lambda r: f"/api/v1/categories/{_api_obj(r, 'category')}/",
        "200 200 200 200 404 404 404 404 401",
    ),
    ("api:unit-list", "/api/v1/units/", "200 200 200 200 404 404 404 404 401"),
    ("api:unit-detail", lambda r: f"/api/v1/units/{_api_obj(r, 'unit')}/", "200 200 404 200 404 404 404 404 401"),
    ("api:scheme-list", "/api/v1/schemes/", "200 200 200 200 404 404 404 404 401"),
    (
        "api:scheme-detail",
        lambda r: f"/api/v1/schemes/{_api_obj(r, 'own_scheme')}/",
        "200 200 200 200 404 404 404 404 401",
    ),
    (
        "api:scheme-detail",
        lambda r: f"/api/v1/schemes/{_api_obj(r, 'towns_scheme')}/",
        "200 404 404 200 404 404 404 404 401",
    ),
    ("api:mark-list", "/api/v1/marks/", "200 200 200 200 404 404 404 404 401"),
    ("api:mark-detail", lambda r: f"/api/v1/marks/{_api_obj(r, 'mark')}/", "200 200 404 200 404 404 404 404 401"),
    # An empty PATCH/POST: staff get to the form check (400); others are refused before it.
    (
        "api:mark-detail",
        lambda r: f"/api/v1/marks/{_api_obj(r, 'mark')}/",
        "400 403 404 403 404 404 404 404 401",
        "patch",
    ),
    (
        "api:mark-detail",
        lambda r: f"/api/v1/marks/{_api_obj(r, 'mark')}/",
        "405 405 405 403 404 404 404 404 401",
        "put",
    ),
    (
        "api:mark-detail",
        lambda r: f"/api/v1/marks/{_api_obj(r, 'mark')}/",
        "405 405 405 403 404 404 404 404 401",
        "delete",
    ),
    ("api:mark-batch", "/api/v1/marks/batch/", "400 403 403 403 404 404 404 404 401", "post"),
    ("api:mark-batch", "/api/v1/marks/batch/", "405 405 405 405 404 404 404 404 401"),
    ("api:case-list", "/api/v1/cases/", "200 200 200 200 404 404 404 404 401"),
    # Cases of 发改委 (the reporter's unit) in the status each step starts from; empty bodies.
    ("api:case-list", "/api/v1/cases/", "400 400 400 403 404 404 404 404 401", "post"),  # the fields are missing
    ("api:case-detail", lambda r: f"/api/v1/cases/{_api_obj(r, 'case')}/", "200 200 404 200 404 404 404 404 401"),
    ("api:case-detail", lambda r: _api_case(r, "draft"), "200 200 404 403 404 404 404 404 401", "patch"),
    ("api:case-detail", lambda r: _api_case(r, "draft"), "405 405 405 403 404 404 404 404 401", "put"),
    ("api:case-detail", lambda r: _api_case(r, "draft"), "405 405 405 403 404 404 404 404 401", "delete"),
    ("api:case-submit", lambda r: _api_case(r, "draft", "submit/"), "405 405 405 405 404 404 404 404 401"),
    ("api:case-submit", lambda r: _api_case(r, "draft", "submit/"), "200 200 404 403 404 404 404 404 401", "post"),
    ("api:case-withdraw", lambda r: _api_case(r, "submitted", "withdraw/"), "405 405 405 405 404 404 404 404 401"),
    (
        "api:case-withdraw",
        lambda r: _api_case(r, "submitted", "withdraw/"),
        "200 200 404 403 404 404 404 404 401",
        "post",
    ),
    ("api:case-accept", lambda r: _api_case(r, "submitted", "accept/"), "405 405 405 405 404 404 404 404 401"),
    ("api:case-accept", lambda r: _api_case(r, "submitted", "accept/"), "200 403 404 403 404 404 404 404 401", "post"),
    ("api:case-return", lambda r: _api_case(r, "submitted", "return/"), "405 405 405 405 404 404 404 404 401"),
    (
        "api:case-return",
        lambda r: _api_case(r, "submitted", "return/"),
        "400 403 404 403 404 404 404 404 401",  # staff: 400, no reason given
        "post",
    ),
    ("api:case-bulletin", lambda r: _api_case(r, "accepted", "bulletin/"), "405 405 405 405 404 404 404 404 401"),
    (
        "api:case-bulletin",
        lambda r: _api_case(r, "accepted", "bulletin/"),
        "200 403 404 403 404 404 404 404 401",
        "post",
    ),
    ("api:issue-list", "/api/v1/issues/", "200 200 200 200 200 200 200 200 200"),
    ("api:issue-list", "/api/v1/issues/", "405 403 403 403 404 404 404 404 401", "post"),
    ("api:issue-detail", lambda r: f"/api/v1/issues/{_api_obj(r, 'issue')}/", "200 200 200 200 200 200 200 200 200"),
    ("api:issue-detail", lambda r: f"/api/v1/issues/{_api_obj(r, 'draft')}/", "200 404 404 404 404 404 404 404 404"),
    (
        "api:issue-tables",
        lambda r: f"/api/v1/issues/{_api_obj(r, 'issue')}/tables/",
        "200 200 200 200 200 200 200 200 200",
    ),
    (
        "api:issue-tables",
        lambda r: f"/api/v1/issues/{_api_obj(r, 'draft')}/tables/",
        "200 404 404 404 404 404 404 404 404",
    ),
    # Publishing over the API: an empty draft is the service's refusal (409, as every DomainError); a
    # published issue with no reason nor seen version is a 409 too (已由…发布).
    (
        "api:issue-publish",
        lambda r: f"/api/v1/issues/{_api_obj(r, 'draft')}/publish/",
        "409 404 404 403 404 404 404 404 401",
        "post",
    ),
    (
        "api:issue-publish",
        lambda r: f"/api/v1/issues/{_api_obj(r, 'issue')}/publish/",
        "409 403 403 403 404 404 404 404 401",
        "post",
    ),
    (
        "api:issue-publish",
        lambda r: f"/api/v1/issues/{_api_obj(r, 'issue')}/publish/",
        "405 405 405 405 405 405 405 405 405",
    ),
    ("api:schema", "/api/v1/schema/", "200 200 200 200 404 404 404 404 401"),
    ("api:docs", "/api/v1/docs/", "200 200 200 200 404 404 404 404 login"),
    ("api_tokens:list", "/api/tokens/", "200 404 404 403 404 404 404 404 login"),
    # One's own token: none here, so 404 for every account (tests/test_token_holders.py revokes one).
    ("api_tokens:revoke_own", "/api/tokens/mine/revoke/", "404 404 404 404 404 404 404 404 login"),
    ("api_tokens:revoke_own", "/api/tokens/mine/revoke/", "404 404 404 404 404 404 404 404 login", "post"),
    ("office", "/office/", "200 404 404 403 404 404 404 404 login"),
    ("office", "/office/", "200 404 404 403 404 404 404 404 login", "post"),
    (
        "api_tokens:create",
        lambda r: f"/api/tokens/{_api_obj(r, 'account')}/create/",
        "405 405 405 405 405 405 405 405 405",
    ),
    (
        "api_tokens:create",
        lambda r: f"/api/tokens/{_api_obj(r, 'account')}/create/",
        "302 404 404 403 404 404 404 404 login",
        "post",
    ),
    (
        "api_tokens:revoke",
        lambda r: f"/api/tokens/{_api_obj(r, 'token')}/revoke/",
        "200 404 404 403 404 404 404 404 login",
    ),
    (
        "api_tokens:revoke",
        lambda r: f"/api/tokens/{_api_obj(r, 'token')}/revoke/",
        "302 404 404 403 404 404 404 404 login",
        "post",
    ),
    # --- imports (Excel import and export: 市信用办 only; helpers at the end of the file)
    ("imports:index", "/assessment/import/", "200 404 404 403 404 404 404 404 login"),
    ("imports:progress_xlsx", "/assessment/2019/progress.xlsx", "200 404 404 403 404 404 404 404 login"),
    ("imports:schemes_xlsx", "/assessment/2019/schemes.xlsx", "200 404 404 403 404 404 404 404 login"),
    ("imports:units_xlsx", "/assessment/units.xlsx", "200 404 404 403 404 404 404 404 login"),
    ("imports:marks", "/assessment/2019/import/", "200 404 404 403 404 404 404 404 login"),
    ("imports:marks", "/assessment/2019/import/", "400 404 404 403 404 404 404 404 login", "post"),
    ("imports:schemes", "/assessment/2020/import/schemes/", "200 404 404 403 404 404 404 404 login"),
    ("imports:schemes", "/assessment/2020/import/schemes/", "400 404 404 403 404 404 404 404 login", "post"),
    ("imports:units", "/assessment/import/units/", "200 404 404 403 404 404 404 404 login"),
    ("imports:units", "/assessment/import/units/", "400 404 404 403 404 404 404 404 login", "post"),
    ("imports:preview", lambda r: f"/assessment/import/{_import_token(r)}/", "200 404 404 403 404 404 404 404 login"),
    (
        "imports:confirm",
        lambda r: f"/assessment/import/{_import_token(r)}/confirm/",
        "405 405 405 405 405 405 405 405 405",
    ),
    (
        "imports:confirm",
        lambda r: f"/assessment/import/{_import_token(r)}/confirm/",
        "302 404 404 403 404 404 404 404 login",
        "post",
    ),
    # --- units (a unit's own page, requests about * items, the queue, reminders; helpers at the end)
    ("units:index", "/units/", "200 302 302 200 404 404 404 404 login"),
    (
        "units:detail",
        lambda r: f"/units/{r.getfixturevalue('reporter_unit').pk}/",
        "200 200 404 200 404 404 404 404 login",
    ),
    (
        "units:contacts",
        lambda r: f"/units/{r.getfixturevalue('reporter_unit').pk}/contacts/",
        "200 404 404 403 404 404 404 404 login",
    ),
    (
        "units:contacts",
        lambda r: f"/units/{r.getfixturevalue('reporter_unit').pk}/contacts/",
        "400 404 404 403 404 404 404 404 login",
        "post",
    ),
    ("units:request_new", lambda r: _pending_mark_url(r), "403 200 404 403 404 404 404 404 login"),
    ("units:request_new", lambda r: _pending_mark_url(r), "403 400 404 403 404 404 404 404 login", "post"),
    ("units:requests", "/units/requests/", "200 404 404 200 404 404 404 404 login"),
    (
        "units:request_accept",
        lambda r: f"/units/requests/{_mark_request(r).pk}/accept/",
        "405 405 405 405 405 405 405 405 405",
    ),
    (
        "units:request_accept",
        lambda r: f"/units/requests/{_mark_request(r).pk}/accept/",
        "302 404 404 403 404 404 404 404 login",
        "post",
    ),
    (
        "units:request_return",
        lambda r: f"/units/requests/{_mark_request(r).pk}/return/",
        "302 404 404 403 404 404 404 404 login",
        "post",
    ),
    ("units:request_review", "/units/requests/review/", "405 405 405 405 405 405 405 405 405"),
    ("units:request_review", "/units/requests/review/", "302 404 404 403 404 404 404 404 login", "post"),
    (
        "units:request_attachment",
        lambda r: f"/units/requests/{_mark_request(r, attachment=True).pk}/attachment/",
        "200 200 404 200 404 404 404 404 login",
    ),
    ("units:reminders", "/units/reminders/", "200 404 404 403 404 404 404 404 login"),
    ("units:reminders", "/units/reminders/", "302 404 404 403 404 404 404 404 login", "post"),
    ("units:reminder_log", "/units/reminders/log/", "200 404 404 403 404 404 404 404 login"),
    (
        "units:urge",
        lambda r: f"/units/{r.getfixturevalue('reporter_unit').pk}/remind/",
        "200 404 404 403 404 404 404 404 login",
    ),
    (
        "units:urge",
        lambda r: f"/units/{r.getfixturevalue('reporter_unit').pk}/remind/",
        "400 404 404 403 404 404 404 404 login",
        "post",
    ),
    ("units:reminders_sent", "/units/reminders/sent/", "200 404 404 403 404 404 404 404 login"),
    ("units:reminder_receipts", _reminder_url, "200 404 404 403 404 404 404 404 login"),
    ("units:reminder_receipts", _reminder_url, "302 404 404 403 404 404 404 404 login", "post"),
    # the 签收 link: only the unit's own account (the reporter of 发改委) opens it
    ("units:receipt", _receipt_url, "404 200 404 404 404 404 404 404 login"),
    ("units:notice_settings", "/units/notices/", "200 404 404 403 404 404 404 404 login"),
    ("units:notice_settings", "/units/notices/", "200 404 404 403 404 404 404 404 login", "post"),
    ("units:office_robot", "/units/notices/robot/", "200 404 404 403 404 404 404 404 login"),
    ("units:office_robot", "/units/notices/robot/", "400 404 404 403 404 404 404 404 login", "post"),
    ("units:follow", "/units/follow/", "302 404 404 302 404 404 404 404 login", "post"),
    ("units:follow", "/units/follow/", "405 405 405 405 405 405 405 405 405"),
    # the digest's unfollow link: whoever holds it (no login needed); a forged one is 404 for all
    ("units:unfollow", _unfollow_url, "200 200 200 200 200 200 200 200 200"),
    ("units:unfollow", "/units/unfollow/forged/", "404 404 404 404 404 404 404 404 404", "post"),
    # --- cases (reporter_case: a submitted case of 发改委, the reporter's unit; reporter_draft: a draft of it)
    ("cases:list", "/cases/", "200 200 200 200 404 404 404 404 login"),
    ("cases:new", "/cases/new/", "200 200 200 403 404 404 404 404 login"),
    ("cases:new", "/cases/new/", "200 200 200 403 404 404 404 404 login", "post"),
    ("cases:review", "/cases/review/", "200 404 404 403 404 404 404 404 login"),
    ("cases:review", "/cases/review/", "302 404 404 403 404 404 404 404 login", "post"),
    ("cases:detail", lambda r: _case_url(r), "200 200 404 200 404 404 404 404 login"),
    ("cases:edit", lambda r: _case_url(r, "edit/", "reporter_draft"), "200 200 404 403 404 404 404 404 login"),
    ("cases:edit", lambda r: _case_url(r, "edit/", "reporter_draft"), "200 200 404 403 404 404 404 404 login", "post"),
    ("cases:submit", lambda r: _case_url(r, "submit/"), "405 405 405 405 405 405 405 405 405"),
    (
        "cases:submit",
        lambda r: _case_url(r, "submit/", "reporter_draft"),
        "302 302 404 403 404 404 404 404 login",
        "post",
    ),
    ("cases:withdraw", lambda r: _case_url(r, "withdraw/"), "405 405 405 405 405 405 405 405 405"),
    ("cases:withdraw", lambda r: _case_url(r, "withdraw/"), "302 302 404 403 404 404 404 404 login", "post"),
    ("cases:accept", lambda r: _case_url(r, "accept/"), "405 405 405 405 405 405 405 405 405"),
    ("cases:accept", lambda r: _case_url(r, "accept/"), "302 403 404 403 404 404 404 404 login", "post"),
    ("cases:return", lambda r: _case_url(r, "return/"), "405 405 405 405 405 405 405 405 405"),
    ("cases:return", lambda r: _case_url(r, "return/"), "302 403 404 403 404 404 404 404 login", "post"),
    ("cases:bulletin", lambda r: _case_url(r, "bulletin/"), "405 405 405 405 405 405 405 405 405"),
    ("cases:bulletin", lambda r: _case_url(r, "bulletin/"), "302 403 404 403 404 404 404 404 login", "post"),
    (
        "cases:attachment",
        lambda r: f"/cases/attachment/{r.getfixturevalue('case_attachment').pk}/",
        "200 200 404 200 404 404 404 404 login",
    ),
    ("cases:counts", "/cases/counts/", "200 200 200 200 404 404 404 404 login"),
    ("cases:counts", "/cases/counts/", "200 403 403 403 404 404 404 404 login", "post"),
    (
        "cases:count_delete",
        lambda r: f"/cases/counts/{r.getfixturevalue('count_record').pk}/delete/",
        "200 403 404 403 404 404 404 404 login",  # 发改委's record: its reporter sees it, may not delete
    ),
    (
        "cases:count_delete",
        lambda r: f"/cases/counts/{r.getfixturevalue('count_record').pk}/delete/",
        "302 403 404 403 404 404 404 404 login",
        "post",
    ),
    ("cases:quarterly", "/cases/2019/", "200 404 404 200 404 404 404 404 login"),
    ("cases:quarterly", "/cases/2031/", "404 404 404 404 404 404 404 404 login"),
    ("cases:quarterly_xlsx", "/cases/2019/quarterly.xlsx", "200 404 404 200 404 404 404 404 login"),
    # --- scores (得分): staff and leaders read, staff change; a reporter sees only its own unit's breakdown
    ("scores_latest:latest", "/assessment/scores/", "302 404 404 302 404 404 404 404 login"),
    ("scores:ranking", "/assessment/2019/scores/", "200 404 404 200 404 404 404 404 login"),
    ("scores:ranking_xlsx", "/assessment/2019/scores/ranking.xlsx", "200 404 404 200 404 404 404 404 login"),
    ("scores:unit", _scores_unit_url, "200 200 404 200 404 404 404 404 login"),
    ("scores:deductions", "/assessment/2019/scores/deductions/", "200 404 404 200 404 404 404 404 login"),
    ("scores:deduction_new", "/assessment/2019/scores/deductions/new/", "200 404 404 403 404 404 404 404 login"),
    (
        "scores:deduction_new",
        "/assessment/2019/scores/deductions/new/",
        "200 404 404 403 404 404 404 404 login",
        "post",
    ),
    ("scores:deduction_confirm", _scores_deduction_url("confirm"), "405 405 405 405 405 405 405 405 405"),
    ("scores:deduction_confirm", _scores_deduction_url("confirm"), "302 404 404 403 404 404 404 404 login", "post"),
    ("scores:deduction_delete", _scores_deduction_url("delete"), "200 404 404 403 404 404 404 404 login"),
    ("scores:deduction_delete", _scores_deduction_url("delete"), "302 404 404 403 404 404 404 404 login", "post"),
    ("scores:close", "/assessment/2019/scores/close/", "200 404 404 403 404 404 404 404 login"),
    ("scores:close", "/assessment/2019/scores/close/", "302 404 404 403 404 404 404 404 login", "post"),
    ("scores:reopen", "/assessment/2019/scores/reopen/", "302 404 404 403 404 404 404 404 login", "post"),
    ("scores:versions", "/assessment/2019/scores/versions/", "200 404 404 200 404 404 404 404 login"),
    ("scores:version", _scores_version_url(), "200 404 404 200 404 404 404 404 login"),
    ("scores:version_xlsx", _scores_version_url("ranking.xlsx"), "200 404 404 200 404 404 404 404 login"),
]


def _api_obj(request, what):
    """Ids for the API rows: things of 发改委 (the reporter's unit), a draft issue, an account with a token."""
    from assessment.models import Category, Mark, Scheme
    from bulletins.models import Issue

    from .factories import CaseFactory, IssueFactory, TokenFactory

    unit = request.getfixturevalue("reporter_unit")
    if what == "category":
        return Category.objects.get(slug="departments").pk
    if what == "unit":
        return unit.pk
    if what == "own_scheme":
        return Scheme.objects.get(year=2019, scheme_units__unit=unit).pk
    if what == "towns_scheme":
        return Scheme.objects.get(year=2019, category__slug="towns").pk
    if what == "mark":
        return Mark.objects.filter(unit=unit).first().pk
    if what == "case":
        return CaseFactory(source_unit=unit, source_label=unit.name).pk
    if what == "issue":
        return Issue.objects.get(year=2019, number=11).pk
    if what == "draft":
        return IssueFactory(is_published=False).pk
    if what == "account":
        return request.getfixturevalue("reporter_user").pk
    if what == "token":
        return TokenFactory(user=request.getfixturevalue("leader_user")).user_id
    raise ValueError(what)


def _case_url(request, path="", fixture="reporter_case"):
    return f"/cases/case/{request.getfixturevalue(fixture).pk}/{path}"


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


def _stored(path, kind, version=None):
    """A published PDF or Word file, once render_documents has made it (a download never makes it: 202 before)."""

    def url(request):
        from bulletins import documents
        from bulletins.models import Issue

        issue = Issue.objects.get(year=2019, number=11)
        made = issue.versions.get(number=version) if version else issue.current_version
        documents.store(made, kind)
        return path

    return url


def _draft_section(action=""):
    return lambda request: f"{DRAFT}sections/article/{_draft_article(request).pk}/{action}"


def _demo_article(action=""):
    def url(request):
        from bulletins.models import Article

        article = Article.objects.get(issue__year=2019, issue__number=11)
        return f"/bulletins/2019/11/sections/article/{article.pk}/{action}"

    return url


STAFF_ONLY = "200 403 403 403 404 404 404 404 login"  # a published issue's composer: readers see it, may not edit
DRAFT_ONLY = "200 404 404 404 404 404 404 404 login"  # an unpublished issue: invisible outside the office
MATRIX += [
    ("bulletins:archive", "/bulletins/", "200 200 200 200 200 200 200 200 200"),
    ("bulletins:archive", "/bulletins/?q=信用", "200 200 200 200 200 200 200 200 200"),
    ("bulletins:feed", "/bulletins/feed/", "200 200 200 200 200 200 200 200 200"),
    ("bulletins:issue_version", "/bulletins/2019/11/v1/", "200 200 200 200 200 200 200 200 200"),
    ("bulletins:issue_version", "/bulletins/2019/11/v2/", "404 404 404 404 404 404 404 404 404"),
    ("bulletins:issue_table", "/bulletins/2019/11/v1/tables/towns/1/", "200 200 200 200 200 200 200 200 200"),
    ("bulletins:issue_table", "/bulletins/2019/11/v2/tables/towns/1/", "404 404 404 404 404 404 404 404 404"),
    ("bulletins:issue_pdf", _stored("/bulletins/2019/11/issue.pdf", "pdf"), "200 200 200 200 200 200 200 200 200"),
    ("bulletins:issue_docx", _stored("/bulletins/2019/11/issue.docx", "docx"), "200 200 200 200 200 200 200 200 200"),
    (
        "bulletins:version_pdf",
        _stored("/bulletins/2019/11/v1/issue.pdf", "pdf", 1),
        "200 200 200 200 200 200 200 200 200",
    ),
    ("bulletins:version_pdf", "/bulletins/2019/11/v2/issue.pdf", "404 404 404 404 404 404 404 404 404"),
    (
        "bulletins:version_docx",
        _stored("/bulletins/2019/11/v1/issue.docx", "docx", 1),
        "200 200 200 200 200 200 200 200 200",
    ),
    ("bulletins:version_xlsx", "/bulletins/2019/11/v1/progress.xlsx", "200 200 200 200 200 200 200 200 200"),
    ("bulletins:version_xlsx", _draft("v1/progress.xlsx"), "404 404 404 404 404 404 404 404 404"),
    ("bulletins:issue", _draft(), "200 404 404 404 404 404 404 404 404"),
    ("bulletins:progress_xlsx", _draft("progress.xlsx"), "200 404 404 404 404 404 404 404 404"),
    ("bulletins:issue_pdf", _draft("issue.pdf"), "200 404 404 404 404 404 404 404 404"),
    ("bulletins:issue_docx", _draft("issue.docx"), "200 404 404 404 404 404 404 404 404"),
    ("bulletins:new", "/bulletins/new/", STAFF_ONLY),
    ("bulletins:new", "/bulletins/new/", "200 403 403 403 404 404 404 404 login", "post"),
    ("bulletins:documents", "/bulletins/2019/11/documents/", STAFF_ONLY),  # the progress of its files (JSON)
    ("bulletins:documents", _draft("documents/"), "404 404 404 404 404 404 404 404 login"),  # nothing published
    ("bulletins:edit", "/bulletins/2019/11/edit/", STAFF_ONLY),
    ("bulletins:edit", _draft("edit/"), DRAFT_ONLY),
    ("bulletins:edit", _draft("edit/"), DRAFT_ONLY, "post"),
    ("bulletins:edit", "/bulletins/2019/11/edit/", STAFF_ONLY, "post"),
    ("bulletins:preview", "/bulletins/2019/11/preview/", STAFF_ONLY),
    ("bulletins:preview", _draft("preview/"), DRAFT_ONLY),
    ("bulletins:publish", "/bulletins/2019/11/publish/", STAFF_ONLY),
    ("bulletins:publish", _draft("publish/"), DRAFT_ONLY),
    ("bulletins:publish", _draft("publish/"), DRAFT_ONLY, "post"),
    # A publication that does not say which version it saw, of a published issue: 409 (已由…发布).
    ("bulletins:publish", "/bulletins/2019/11/publish/", "409 403 403 403 404 404 404 404 login", "post"),
    ("bulletins:delete", _draft("delete/"), DRAFT_ONLY),
    ("bulletins:delete", _draft("delete/"), "302 404 404 404 404 404 404 404 login", "post"),
    ("bulletins:delete", "/bulletins/2019/11/delete/", "302 403 403 403 404 404 404 404 login", "post"),
    ("bulletins:section_add", _draft("sections/article/add/"), "405 405 405 405 405 405 405 405 405"),
    ("bulletins:section_add", _draft("sections/article/add/"), DRAFT_ONLY, "post"),
    ("bulletins:section_add", "/bulletins/2019/11/sections/news/add/", STAFF_ONLY, "post"),
    ("bulletins:section_update", _draft_section(), DRAFT_ONLY, "post"),
    ("bulletins:section_update", _demo_article(), STAFF_ONLY, "post"),
    ("bulletins:section_move", _draft_section("move/"), "302 404 404 404 404 404 404 404 login", "post"),
    ("bulletins:section_move", _demo_article("move/"), "302 403 403 403 404 404 404 404 login", "post"),
    ("bulletins:section_remove", _draft_section("remove/"), DRAFT_ONLY),
    ("bulletins:section_remove", _draft_section("remove/"), "302 404 404 404 404 404 404 404 login", "post"),
    ("bulletins:section_remove", _demo_article("remove/"), STAFF_ONLY),
    ("overview:index", "/overview/", "302 404 404 302 404 404 404 404 login"),
    ("overview:year", "/overview/2019/", "200 404 404 200 404 404 404 404 login"),
    ("overview:year", "/overview/1999/", "404 404 404 404 404 404 404 404 login"),
]

# --- audit log (the auditor, 审计员, reads it and nothing else; not even the office reaches it: its actions are
# the ones audited) and the security administrator's account pages (安全管理员; the office's account is not in
# that group here, so 404; an account that opens /admin/ is the IT administrator's: 403)
AUDITOR_ONLY = "404 404 404 404 200 404 404 404 login"


def _account_url(action, fixture="reporter_user"):
    def url(request):
        return f"/accounts/manage/{request.getfixturevalue(fixture).pk}/{action}/"

    return url


def _locked_address_url(request):
    from axes.models import AccessAttempt
    from django.conf import settings

    AccessAttempt.objects.create(
        ip_address="10.9.9.9",
        username="guessed",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
        failures_since_start=settings.AXES_ADDRESS_FAILURE_LIMIT,
    )
    return "/accounts/manage/addresses/10.9.9.9/unlock/"


def _admin_account_url(request):
    from .factories import UserFactory

    return f"/accounts/manage/{UserFactory(username='t_it_admin', is_staff=True).pk}/reset/"


MATRIX += [
    ("audit:list", "/audit/", AUDITOR_ONLY),
    ("audit:export_csv", "/audit/export.csv", AUDITOR_ONLY),
    ("audit:export_xlsx", "/audit/export.xlsx", AUDITOR_ONLY),
    ("accounts:list", "/accounts/manage/", "404 404 404 404 404 200 404 404 login"),
    ("accounts:reporter_new", "/accounts/manage/new/", "404 404 404 404 404 200 404 404 login"),
    ("accounts:reporter_new", "/accounts/manage/new/", "404 404 404 404 404 400 404 404 login", "post"),
    ("accounts:action", _account_url("deactivate"), "404 404 404 404 404 200 404 404 login"),
    ("accounts:action", _account_url("deactivate"), "404 404 404 404 404 302 404 404 login", "post"),
    ("accounts:action", _account_url("reset"), "404 404 404 404 404 200 404 404 login", "post"),
    ("accounts:action", _account_url("forged"), "404 404 404 404 404 404 404 404 login"),
    ("accounts:action", _admin_account_url, "404 404 404 404 404 403 404 404 login"),
    # An address locked out by failures over many names (core.security.lockout): lifted on the accounts page.
    ("accounts:address_unlock", _locked_address_url, "404 404 404 404 404 200 404 404 login"),
    ("accounts:address_unlock", _locked_address_url, "404 404 404 404 404 302 404 404 login", "post"),
    ("accounts:address_unlock", "/accounts/manage/addresses/forged/unlock/", "404 404 404 404 404 404 404 404 login"),
]


# --- the office's units and indicators (/office/units/, /office/schemes/): leaders see 403, others 404
OFFICE_PAGE = "200 404 404 403 404 404 404 404 login"
OFFICE_FORM_POST = "400 404 404 403 404 404 404 404 login"  # staff: the empty form is refused, with its errors
OFFICE_ACTION_POST = "302 404 404 403 404 404 404 404 login"


def _office_unit(suffix):
    return lambda r: f"/office/units/{r.getfixturevalue('reporter_unit').pk}/{suffix}"


def _office_indicator(suffix):
    def url(request):
        from assessment.models import Indicator

        indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="departments", order=2)
        return f"/office/indicators/{indicator.pk}/{suffix}"

    return url


MATRIX += [
    ("directory:units", "/office/units/", OFFICE_PAGE),
    ("directory:unit_new", "/office/units/new/", OFFICE_PAGE),
    ("directory:unit_new", "/office/units/new/", OFFICE_FORM_POST, "post"),
    ("directory:unit_edit", _office_unit("edit/"), OFFICE_PAGE),
    ("directory:unit_edit", _office_unit("edit/"), OFFICE_FORM_POST, "post"),
    ("directory:unit_action", _office_unit("deactivate/"), OFFICE_PAGE),
    ("directory:unit_action", _office_unit("deactivate/"), OFFICE_ACTION_POST, "post"),
    ("directory:unit_action", _office_unit("remove/"), OFFICE_PAGE),
    ("directory:unit_action", _office_unit("remove/"), OFFICE_ACTION_POST, "post"),  # refused: it has marks
    ("directory:unit_action", _office_unit("forged/"), "404 404 404 403 404 404 404 404 login"),
    ("directory:schemes", "/office/schemes/", OFFICE_PAGE),
    ("directory:scheme", "/office/schemes/2019/departments/", OFFICE_PAGE),
    ("directory:scheme", "/office/schemes/2031/departments/", "404 404 404 403 404 404 404 404 login"),
    ("directory:indicator_new", "/office/schemes/2019/departments/new/", OFFICE_PAGE),
    ("directory:indicator_new", "/office/schemes/2019/departments/new/", OFFICE_FORM_POST, "post"),
    ("directory:indicator_edit", _office_indicator("edit/"), OFFICE_PAGE),
    ("directory:indicator_edit", _office_indicator("edit/"), OFFICE_FORM_POST, "post"),
    ("directory:indicator_move", _office_indicator("move/"), "405 405 405 405 405 405 405 405 405"),
    ("directory:indicator_move", _office_indicator("move/"), OFFICE_ACTION_POST, "post"),
    ("directory:indicator_remove", _office_indicator("remove/"), OFFICE_PAGE),
    ("directory:indicator_remove", _office_indicator("remove/"), OFFICE_ACTION_POST, "post"),  # refused: marks
]


def _office_note(suffix):
    def url(request):
        from assessment.models import Note

        note = Note.objects.get(scheme__year=2019, scheme__category__slug="departments", number=1)
        return f"/office/notes/{note.pk}/{suffix}"

    return url


def _office_scheme_unit(suffix):
    def url(request):
        from assessment.models import SchemeUnit

        row = SchemeUnit.objects.get(scheme__year=2019, unit=request.getfixturevalue("reporter_unit"))
        return f"/office/scheme-units/{row.pk}/{suffix}"

    return url


# The scheme page's notes and units (assessment.directory.note_views, enrolment_views).
MATRIX += [
    ("directory:note_new", "/office/schemes/2019/departments/notes/new/", OFFICE_PAGE),
    ("directory:note_new", "/office/schemes/2019/departments/notes/new/", OFFICE_FORM_POST, "post"),
    ("directory:note_new", "/office/schemes/2031/departments/notes/new/", "404 404 404 403 404 404 404 404 login"),
    ("directory:note_edit", _office_note("edit/"), OFFICE_PAGE),
    ("directory:note_edit", _office_note("edit/"), OFFICE_FORM_POST, "post"),
    ("directory:note_move", _office_note("move/"), "405 405 405 405 405 405 405 405 405"),
    ("directory:note_move", _office_note("move/"), OFFICE_ACTION_POST, "post"),
    ("directory:note_remove", _office_note("remove/"), OFFICE_PAGE),
    ("directory:note_remove", _office_note("remove/"), OFFICE_ACTION_POST, "post"),  # refused: a rule scores under it
    ("directory:scheme_unit_join", "/office/schemes/2019/departments/join/", "405 405 405 405 405 405 405 405 405"),
    ("directory:scheme_unit_join", "/office/schemes/2019/departments/join/", OFFICE_ACTION_POST, "post"),
    ("directory:scheme_unit_move", _office_scheme_unit("move/"), "405 405 405 405 405 405 405 405 405"),
    ("directory:scheme_unit_move", _office_scheme_unit("move/"), OFFICE_ACTION_POST, "post"),
    ("directory:scheme_unit_remove", _office_scheme_unit("remove/"), OFFICE_PAGE),
    ("directory:scheme_unit_remove", _office_scheme_unit("remove/"), OFFICE_ACTION_POST, "post"),  # refused: marks
]

MATRIX += [
    # The IT administrator's page (accounts that open /admin/; tests/test_jobs.py): none of the other roles.
    ("system:jobs", "/system/jobs/", "404 404 404 404 404 404 200 404 login"),
    # For monitors: no login, the same answer for everyone (503 here: no scheduled job has run in this database).
    ("healthz", "/healthz", "503 503 503 503 503 503 503 503 503"),
    # The icon every browser asks for: the static file, for everyone.
    ("favicon", "/favicon.ico", "302 302 302 302 302 302 302 302 302"),
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


def rows(matrix=None):
    """(name, url, method, {role: status}) for each row of the matrix (or of a part of it)."""
    for name, url, statuses, *method in MATRIX if matrix is None else matrix:
        yield name, url, method[0] if method else "get", by_role(statuses)


def _params():
    for name, url, method, expected in rows():
        for role in ROLES:
            yield pytest.param(name, url, method, role, expected[role], id=f"{name}-{method}-{role}")


def test_every_row_has_a_status_for_every_role():
    for name, _, statuses, *_ in MATRIX:
        assert set(by_role(statuses)) == set(ROLES), name


def test_every_role_is_a_column(role_client, reporter_unit):
    """Every role `core.access` knows (each group's, the IT administrator's, no group's, anonymous) is a column,
    and each column's client is signed in with that role."""
    from django.contrib.auth.models import Group

    from assessment.models import Reporter
    from core import access

    from .factories import UserFactory

    roles = {access.ANONYMOUS, access.NO_ROLE}
    for number, group in enumerate(access.GROUPS):
        user = UserFactory(username=f"t_column_{number}")
        user.groups.add(Group.objects.get(name=group))
        Reporter.objects.create(user=user, unit=reporter_unit)  # a reporter's account belongs to a unit
        roles.add(access.role_of(user))
    # An account that opens /admin/ is the IT administrator's, whatever its groups (三员分立).
    admin = UserFactory(username="t_column_admin", is_superuser=True, is_staff=True)
    admin.groups.add(Group.objects.get(name=access.STAFF_GROUP))
    roles.add(access.role_of(admin))
    assert roles - set(ROLES) == set(), "roles missing from the permission matrix's columns"
    for column in ROLES:
        user = role_client(column).get("/").wsgi_request.user
        assert access.role_of(user) == ("reporter" if column == "other_reporter" else column), column


def test_every_url_is_in_the_matrix():
    covered = {row[0] for row in MATRIX}
    missing = sorted(n for n in set(_names()) if not n.startswith(EXCLUDED_PREFIXES) and n not in covered)
    assert not missing, f"URLs missing from the permission matrix: {missing}"


def test_every_api_route_and_method_is_in_the_matrix():
    """Each API route with each method its viewset answers (GET, POST, PATCH…) has a row of its own."""
    api = get_resolver().namespace_dict["api"][1]
    covered = {(name, method) for name, _, method, _ in rows()}
    wanted = {
        (f"api:{pattern.name}", method)
        for pattern in api.url_patterns
        if isinstance(pattern, URLPattern) and pattern.name
        for method in getattr(pattern.callback, "actions", {"get": None})
        if method != "head"  # DRF adds HEAD beside GET once a route has been called
    }
    assert len(wanted) >= 25
    assert wanted - covered == set(), "API routes × methods missing from the permission matrix"


@pytest.mark.parametrize(("name", "url", "method", "role", "expected"), list(_params()))
def test_permission_matrix(role_client, name, url, method, role, expected, request):
    url = url(request) if callable(url) else url
    # The API takes JSON only (a form body is a 415 before any permission): an empty JSON object, as a client sends.
    body = {"data": "{}", "content_type": "application/json"} if url.startswith("/api/") and method == "post" else {}
    response = getattr(role_client(role), method)(url, **body)
    if expected == LOGIN:
        assert response.status_code == 302, f"{name} as {role}: {response.status_code}"
        assert response["Location"].startswith("/accounts/login/"), f"{name} as {role}: {response['Location']}"
    else:
        assert response.status_code == expected, f"{name} as {role}: {response.status_code}"


# --- entry grid helpers (called when a row runs, inside the test's database)


def _grid_mark():
    """A cell of the reporter's own unit (发改委, second column: √ in the printed issue)."""
    from assessment.models import Mark

    return Mark.objects.get(unit__name="发改委", indicator__order=2, indicator__scheme__year=2019)


def _batch(request):
    from assessment.marks.services import bulk_set_marks
    from assessment.models import Mark

    staff = request.getfixturevalue("staff_user")
    cells = Mark.objects.filter(indicator__scheme__year=2019, indicator__order=2, state="*")[:2]
    return bulk_set_marks([(m, "√", m.version) for m in cells], staff)


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
    from assessment.marks.services import set_mark
    from assessment.models import Mark

    mark = Mark.objects.get(unit=request.getfixturevalue("reporter_unit"), indicator__order=5)
    return set_mark(mark, "*", request.getfixturevalue("staff_user"))


def _pending_mark_url(request):
    mark = _pending_mark(request)
    return f"/units/{mark.unit_id}/marks/{mark.pk}/request/"


def _leader_follow(request):
    from assessment.models import Unit
    from assessment.notify.follows import follow

    return follow(request.getfixturevalue("leader_user"), unit=Unit.objects.get(name="发改委"))


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


# --- api cases: helpers for the rows above
def _api_case(request, status, action=""):
    """The API URL of a 2019 case of 发改委 (the reporter's unit) in `status`, or of one of its steps."""
    from .factories import CaseFactory

    unit = request.getfixturevalue("reporter_unit")
    case = CaseFactory(
        source_unit=unit,
        source_label="市发改委",
        year=2019,
        quarter=4,
        status=status,
        subject="某企业",
        measure="列入红名单",
    )
    return f"/api/v1/cases/{case.pk}/{action}"


# --- templates ask capability flags (`can.manage`, `case_actions.edit`), never a role's name


def test_no_template_compares_a_role():
    import re
    from pathlib import Path

    from django.conf import settings

    role_test = re.compile(r"\brole\s*(==|!=|\bin\b|\bnot in\b)|\{\{\s*role\b")
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if role_test.search(line)
    ]
    assert not offenders, f"templates comparing role strings: {offenders}"
