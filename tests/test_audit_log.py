"""The audit log records each security-relevant event with who, from which address, what and the result."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from assessment import access
from assessment.marks.services import bulk_set_marks, undo_batch
from assessment.models import ImportSession, Mark
from assessment.scoring.services import close_year, reopen_year
from bulletins.models import Issue
from bulletins.services import publish_issue
from core.audit.actions import AuditAction
from core.audit.models import AuditEntry, AuditResult

from .conftest import log_in
from .factories import UserFactory

IP = "10.8.1.23"


def _last(action):
    return AuditEntry.objects.filter(action=action).order_by("-pk").first()


def _pending_cells(count=2):
    return list(
        Mark.objects.filter(
            indicator__scheme__year=2019, indicator__scheme__category__slug="departments", indicator__order=2, state="*"
        )[:count]
    )


# --- logins


def test_login_success_failure_and_logout_are_recorded_with_the_address(client, reporter_user):
    client.post("/accounts/login/", {"username": "t_reporter", "password": "wrong"}, REMOTE_ADDR=IP)
    failed = _last(AuditAction.LOGIN)
    assert (failed.actor_id, failed.actor_name, failed.ip, failed.result) == (
        reporter_user.pk,
        "t_reporter",
        IP,
        AuditResult.FAILED,
    )
    assert failed.detail == "用户名或密码错误"

    client.post("/accounts/login/", {"username": "t_reporter", "password": "pw-secret-123"}, REMOTE_ADDR=IP)
    ok = _last(AuditAction.LOGIN_SUCCESS)  # after 口令通过 (LOGIN_PASSWORD): tests/test_second_factor_session.py
    assert (ok.actor_id, ok.ip, ok.result) == (reporter_user.pk, IP, AuditResult.OK)

    client.post("/accounts/logout/", REMOTE_ADDR=IP)
    out = _last(AuditAction.LOGOUT)
    assert (out.actor_id, out.ip, out.result) == (reporter_user.pk, IP, AuditResult.OK)


def test_a_failed_login_for_an_unknown_name_keeps_the_name_typed(client, db):
    client.post("/accounts/login/", {"username": "nobody", "password": "x"}, REMOTE_ADDR=IP)
    entry = _last(AuditAction.LOGIN)
    assert (entry.actor_id, entry.actor_name, entry.result) == (None, "nobody", AuditResult.FAILED)


def test_behind_the_proxy_the_address_is_the_hop_the_proxy_added(client, settings, reporter_user):
    settings.PROXY_COUNT = 1
    client.post(
        "/accounts/login/",
        {"username": "t_reporter", "password": "pw-secret-123"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 10.8.1.99",  # the first entry is the client's own claim
    )
    assert _last(AuditAction.LOGIN_SUCCESS).ip == "10.8.1.99"
    settings.PROXY_COUNT = 0
    client.logout()
    client.post("/accounts/login/", {"username": "t_reporter", "password": "x"}, HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert _last(AuditAction.LOGIN).ip == "127.0.0.1"


@pytest.mark.skipif(not apps.is_installed("axes"), reason="django-axes is not among INSTALLED_APPS")
def test_a_lockout_is_recorded_as_refused(client, settings, reporter_user):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post("/accounts/login/", {"username": "t_reporter", "password": "wrong"}, REMOTE_ADDR=IP)
    entry = _last(AuditAction.LOCKOUT)
    assert (entry.actor_id, entry.ip, entry.result) == (reporter_user.pk, IP, AuditResult.DENIED)


@pytest.mark.skipif(not apps.is_installed("axes"), reason="django-axes is not among INSTALLED_APPS")
def test_each_attempt_writes_one_entry_and_a_locked_accounts_attempt_is_refused_once(client, settings, reporter_user):
    def attempt(password):
        before = AuditEntry.objects.count()
        client.post("/accounts/login/", {"username": "t_reporter", "password": password}, REMOTE_ADDR=IP)
        return [(e.action, e.result, e.detail) for e in AuditEntry.objects.order_by("pk")[before:]]

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt("wrong") == [(AuditAction.LOGIN, AuditResult.FAILED, "用户名或密码错误")]
    # The failure that reaches the limit: the failure and the lock it causes.
    assert sorted(attempt("wrong")) == [
        (AuditAction.LOCKOUT, AuditResult.DENIED, "登录失败次数过多，账号被锁定"),
        (AuditAction.LOGIN, AuditResult.FAILED, "用户名或密码错误"),
    ]
    # While locked, an attempt (even with the right password) is one refusal: not a wrong password, not a new lock.
    for password in ("wrong", "pw-secret-123"):
        assert attempt(password) == [(AuditAction.LOGIN, AuditResult.DENIED, "已被锁定，本次登录被拒绝")]


# --- passwords, accounts, roles, second factor


def test_changing_ones_own_password_is_recorded(client, reporter_user):
    log_in(client, reporter_user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "pw-secret-123",
            "new_password1": "Kunshan-credit-2026",
            "new_password2": "Kunshan-credit-2026",
        },
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    entry = _last(AuditAction.PASSWORD_CHANGE)
    assert (entry.actor_id, entry.object_id, entry.ip) == (reporter_user.pk, str(reporter_user.pk), IP)


def test_account_creation_role_and_deactivation_name_the_security_administrator_as_actor(
    client, security_user, reporter_unit
):
    log_in(client, security_user)
    form = {"username": "fgw2", "full_name": "王二", "unit": reporter_unit.pk, "email": "fgw2@ks.gov.cn"}
    assert client.post("/accounts/manage/new/", form, REMOTE_ADDR=IP).status_code == 200
    account = UserFactory._meta.model.objects.get(username="fgw2")
    created = _last(AuditAction.ACCOUNT_CREATE)
    assert (created.actor_id, created.object_text, created.ip) == (security_user.pk, "fgw2", IP)
    roles = AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE, object_id=str(account.pk))
    assert {e.detail for e in roles} == {f"加入角色“{access.REPORTER_GROUP}”", "填报单位设为“发改委”"}
    assert all(e.actor_id == security_user.pk for e in roles)

    client.post(f"/accounts/manage/{account.pk}/deactivate/", REMOTE_ADDR=IP)
    entry = _last(AuditAction.ACCOUNT_DEACTIVATE)
    assert (entry.actor_id, entry.object_id, entry.ip) == (security_user.pk, str(account.pk), IP)


def test_a_group_change_from_either_side_is_a_role_change(leader_user):
    Group.objects.get(name=access.STAFF_GROUP).user_set.add(leader_user)
    leader_user.groups.remove(Group.objects.get(name=access.LEADER_GROUP))
    details = list(
        AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE, object_id=str(leader_user.pk))
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert details[-2:] == ["加入角色“市信用办”", "移出角色“领导”"]


def test_a_password_reset_by_the_security_administrator_is_recorded(client, security_user, reporter_user):
    log_in(client, security_user)
    client.post(f"/accounts/manage/{reporter_user.pk}/reset/", REMOTE_ADDR=IP)
    entry = _last(AuditAction.PASSWORD_RESET)
    assert (entry.actor_id, entry.object_id, entry.ip) == (security_user.pk, str(reporter_user.pk), IP)


@pytest.mark.skipif(not apps.is_installed("django_otp"), reason="django-otp is not among INSTALLED_APPS")
def test_second_factor_enrolment_and_removal(reporter_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=reporter_user, name="手机", confirmed=False)
    assert _last(AuditAction.OTP_ADD) is None
    device.confirmed = True
    device.save()
    assert _last(AuditAction.OTP_ADD).object_id == str(reporter_user.pk)
    device.delete()
    assert _last(AuditAction.OTP_REMOVE).object_id == str(reporter_user.pk)


# --- API tokens


def test_token_creation_and_revocation(client, staff_user, leader_user):
    log_in(client, staff_user)
    client.post(f"/api/tokens/{leader_user.pk}/create/", REMOTE_ADDR=IP)
    created = _last(AuditAction.TOKEN_CREATE)
    assert (created.actor_id, created.object_id, created.ip) == (staff_user.pk, str(leader_user.pk), IP)
    client.post(f"/api/tokens/{leader_user.pk}/revoke/", REMOTE_ADDR=IP)
    revoked = _last(AuditAction.TOKEN_REVOKE)
    assert (revoked.actor_id, revoked.object_id, revoked.result) == (staff_user.pk, str(leader_user.pk), "ok")


# --- the office's work


def test_bulk_change_through_the_grid_and_undo(client, staff_user):
    from assessment.models import ChangeBatch

    log_in(client, staff_user)
    cells = _pending_cells()
    response = client.post(
        "/assessment/2019/departments/bulk/",
        {"indicator": cells[0].indicator_id, "value": "√", "cell": [f"{c.pk}:{c.version}" for c in cells]},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    batch = ChangeBatch.objects.latest("pk")
    entry = _last(AuditAction.BULK_CHANGE)
    assert (entry.actor_id, entry.ip, entry.result, entry.object_id) == (staff_user.pk, IP, "ok", str(batch.pk))
    assert entry.detail.startswith("批量设置，2 处")
    undo_batch(batch, staff_user)
    undo = _last(AuditAction.UNDO)
    assert (undo.actor_id, undo.object_id, undo.result) == (staff_user.pk, str(batch.pk), "ok")


def test_a_refused_bulk_change_is_recorded_as_failed(staff_user):
    cell = _pending_cells(1)[0]
    with pytest.raises(Exception, match="单元格已被"):
        bulk_set_marks([(cell, "√", cell.version - 1)], staff_user)
    entry = _last(AuditAction.BULK_CHANGE)
    assert (entry.actor_id, entry.result) == (staff_user.pk, AuditResult.FAILED)
    assert "您的修改未保存" in entry.detail


def test_import_confirmation(client, staff_user):
    log_in(client, staff_user)
    content = b"".join(client.get("/assessment/2019/progress.xlsx").streaming_content)
    wb = load_workbook(io.BytesIO(content))
    ws = wb[wb.sheetnames[-1]]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "发改委")
    ws.cell(row, 2).value = "*" if ws.cell(row, 2).value == "√" else "√"
    out = io.BytesIO()
    wb.save(out)
    response = client.post("/assessment/2019/import/", {"file": SimpleUploadedFile("进展.xlsx", out.getvalue())})
    session = ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])
    client.post(f"/assessment/import/{session.token}/confirm/", REMOTE_ADDR=IP)
    entry = _last(AuditAction.IMPORT_CONFIRM)
    assert (entry.actor_id, entry.ip, entry.result, entry.object_id) == (staff_user.pk, IP, "ok", str(session.pk))
    assert "进展.xlsx" in entry.detail
    # the import's batch is recorded as the import, not a second time as a bulk change
    assert not AuditEntry.objects.filter(action=AuditAction.BULK_CHANGE).exists()


def test_publication_and_correction(staff_user):
    from .factories import IssueFactory

    issue = IssueFactory(is_published=False)
    from bulletins.services import add_news

    add_news(issue, text="10月23日，召开会议。")
    publish_issue(issue, staff_user)
    first = _last(AuditAction.PUBLISH)
    assert (first.actor_id, first.object_id, first.result) == (staff_user.pk, str(issue.pk), "ok")
    add_news(issue, text="10月24日，再次召开会议。")
    publish_issue(Issue.objects.get(pk=issue.pk), staff_user, reason="补充简讯")
    correction = _last(AuditAction.CORRECT)
    assert correction.object_id == str(issue.pk) and "补充简讯" in correction.detail
    with pytest.raises(Exception, match="无需更正"):
        publish_issue(Issue.objects.get(pk=issue.pk), staff_user, reason="再来一次")
    assert _last(AuditAction.CORRECT).result == AuditResult.FAILED


def test_year_close_and_reopen(staff_user):
    close_year(2019, staff_user)
    closed = _last(AuditAction.YEAR_CLOSE)
    assert (closed.actor_id, closed.object_id, closed.object_text) == (staff_user.pk, "2019", "2019年")
    reopen_year(2019, staff_user, reason="更正发改委")
    reopened = _last(AuditAction.YEAR_REOPEN)
    assert (reopened.detail, reopened.result) == ("更正发改委", "ok")


# --- downloads of non-public data; public ones are not recorded; refusals are


@pytest.mark.parametrize(
    "url",
    ["/assessment/2019/progress.xlsx", "/assessment/2019/scores/ranking.xlsx", "/cases/2019/quarterly.xlsx"],
)
def test_non_public_downloads_are_recorded(client, staff_user, url):
    log_in(client, staff_user)
    assert client.get(url, REMOTE_ADDR=IP).status_code == 200
    entry = _last(AuditAction.DOWNLOAD)
    assert (entry.actor_id, entry.ip, entry.result) == (staff_user.pk, IP, "ok")
    assert entry.detail.endswith(".xlsx")


def test_an_attachment_download_is_recorded(client, reporter_user, case_attachment):
    log_in(client, reporter_user)
    assert client.get(f"/cases/attachment/{case_attachment.pk}/", REMOTE_ADDR=IP).status_code == 200
    entry = _last(AuditAction.DOWNLOAD)
    assert (entry.actor_id, entry.object_id) == (reporter_user.pk, str(case_attachment.case_id))


def test_a_draft_issue_file_is_recorded_a_published_one_is_not(client, staff_user):
    from .factories import IssueFactory

    draft = IssueFactory(is_published=False)
    log_in(client, staff_user)
    client.get("/bulletins/2019/11/progress.xlsx")
    assert _last(AuditAction.DOWNLOAD) is None
    assert client.get(f"/bulletins/{draft.year}/{draft.number}/progress.xlsx").status_code == 200
    assert _last(AuditAction.DOWNLOAD).object_id == str(draft.pk)


def test_a_refused_action_is_recorded_as_denied(client, leader_user):
    log_in(client, leader_user)
    assert client.post("/assessment/2019/departments/bulk/", REMOTE_ADDR=IP).status_code == 403
    entry = _last(AuditAction.ACCESS_DENIED)
    assert (entry.actor_id, entry.ip, entry.result) == (leader_user.pk, IP, AuditResult.DENIED)
    assert entry.object_text == "POST /assessment/2019/departments/bulk/"
    assert entry.detail == access.READ_ONLY


def test_rows_put_back_by_a_loader_are_not_events(db):
    """loaddata and `manage.py restore` write raw rows: the past put back, not new account changes."""
    from django.core import serializers

    user = UserFactory(username="t_restored")
    user.groups.add(Group.objects.get(name=access.LEADER_GROUP))
    data = serializers.serialize("json", [user])
    user.delete()
    assert _last(AuditAction.ACCOUNT_DELETE).object_text == "t_restored"
    before = AuditEntry.objects.count()
    for item in serializers.deserialize("json", data):
        item.save()
    assert UserFactory._meta.model.objects.get(username="t_restored").groups.get().name == access.LEADER_GROUP
    assert AuditEntry.objects.count() == before


def test_an_api_action_refused_to_a_token_is_recorded_as_denied(api_client, leader_user):
    """DRF answers its refusals itself; they are entries like the pages' (the token's account acting)."""
    response = api_client("leader").post("/api/v1/marks/batch/", {}, format="json", REMOTE_ADDR=IP)
    assert response.status_code == 403
    entry = _last(AuditAction.ACCESS_DENIED)
    assert (entry.actor_id, entry.ip, entry.result) == (leader_user.pk, IP, AuditResult.DENIED)
    assert entry.object_text == "POST /api/v1/marks/batch/"
    assert entry.detail
