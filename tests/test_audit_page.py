"""/audit/: the auditor (审计员) reads, filters and exports the log; nobody changes or deletes an entry."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection, transaction
from django.utils import timezone
from openpyxl import load_workbook

from assessment import access
from core.audit import record
from core.audit.actions import AuditAction
from core.audit.models import AppendOnly, AuditEntry, AuditResult

from .conftest import log_in
from .factories import UserFactory


@pytest.fixture
def auditor_client(client, auditor_user):
    log_in(client, auditor_user)
    return client


def _entry(action=AuditAction.LOGIN, *, name="someone", days_ago=0, result=AuditResult.OK, ip="10.0.0.1", text=""):
    # Placed in the past (the model stamps the current time unless told), chained like every entry.
    AuditEntry.objects.create(
        at=timezone.now() - datetime.timedelta(days=days_ago),
        actor_name=name,
        ip=ip,
        action=action,
        object_type="账号",
        object_text=text or name,
        result=result,
    )


def _rows(response):
    return response.content.decode().count('<td class="result-')


def test_the_auditor_role_reads_only_the_log(auditor_user):
    assert access.role_of(auditor_user) == access.AUDITOR
    assert access.can_audit(auditor_user)
    assert not access.can_read_all(auditor_user) and not access.has_role(auditor_user)


def test_the_auditor_sees_entries_newest_first_and_the_nav_link(auditor_client):
    record(AuditAction.LOGIN, actor="first")
    record(AuditAction.LOGOUT, actor="second")
    response = auditor_client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="/audit/">审计日志</a>' in html
    assert html.index("second") < html.index("first")
    # the auditor's own login is visible too; the nav holds nothing of the office's
    assert "录入" not in html and "账号管理" not in html


def test_every_link_of_the_auditors_menu_opens(auditor_client):
    """No 接口文档 (the API is the portal's data, outside the auditor's duty): every menu link answers."""
    html = auditor_client.get("/audit/").content.decode()
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    assert "接口文档" not in nav
    links = re.findall(r'<a href="(/[^"]*)"', nav)
    assert "/audit/" in links
    for link in links:
        assert auditor_client.get(link).status_code in (200, 302), link


def test_other_roles_have_no_audit_link(role_client):
    for role in ("staff", "leader", "reporter"):
        assert "审计日志" not in role_client(role).get("/").content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor=alice", 2),
        ("action=lockout", 1),
        ("result=failed", 1),
        ("ip=192.168.", 1),
        ("q=某某局", 1),
        ("date_from={old}&date_to={old}", 1),
        ("actor=alice&result=failed", 1),
    ],
)
def test_filters(auditor_client, query, expected):
    _entry(name="alice", days_ago=40, text="账号alice")
    _entry(AuditAction.LOCKOUT, name="alice", result=AuditResult.FAILED, ip="192.168.1.5", text="某某局填报员")
    _entry(name="bob", ip="10.1.1.1")
    old = timezone.localdate() - datetime.timedelta(days=40)
    response = auditor_client.get("/audit/?" + query.format(old=old.isoformat()))
    assert response.status_code == 200
    assert _rows(response) == expected


def test_a_reversed_date_range_is_refused_in_chinese(auditor_client):
    response = auditor_client.get("/audit/?date_from=2026-02-01&date_to=2026-01-01")
    assert "开始日期不能晚于结束日期。" in response.content.decode()
    response = auditor_client.get("/audit/?date_from=nonsense")
    assert "筛选条件有误" in response.content.decode()


def test_pages_of_fifty(auditor_client):
    AuditEntry.objects.bulk_create(AuditEntry(action=AuditAction.LOGIN, actor_name=f"u{i}") for i in range(120))
    total = AuditEntry.objects.count()
    response = auditor_client.get("/audit/")
    assert _rows(response) == 50
    assert f"共 {total} 条" in response.content.decode()
    last = auditor_client.get(f"/audit/?page={(total + 49) // 50}")
    assert _rows(last) == total - 50 * ((total - 1) // 50)


def test_the_list_page_has_a_fixed_number_of_queries(auditor_client, django_assert_max_num_queries):
    AuditEntry.objects.bulk_create(AuditEntry(action=AuditAction.LOGIN, actor_name=f"u{i}") for i in range(80))
    with django_assert_max_num_queries(8):
        assert auditor_client.get("/audit/").status_code == 200


def test_csv_export_with_the_filter_is_itself_recorded(auditor_client, auditor_user):
    _entry(name="alice", text="某某局填报员")
    _entry(name="bob")
    response = auditor_client.get("/audit/export.csv?actor=alice", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["时间", "账号", "IP 地址", "操作", "对象类型", "对象编号", "对象", "结果", "详情"]
    assert [r[1] for r in rows[1:]] == ["alice"]
    assert rows[1][3] == "登录" and rows[1][7] == "成功" and rows[1][6] == "某某局填报员"
    export = AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).latest("pk")
    assert (export.actor_id, export.ip, export.object_type) == (auditor_user.pk, "10.9.9.9", "审计日志")
    assert "actor=alice" in export.object_text


def test_xlsx_export(auditor_client):
    _entry(AuditAction.LOCKOUT, name="carol", result=AuditResult.DENIED)
    response = auditor_client.get("/audit/export.xlsx?actor=carol")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "安全审计日志"
    assert values[1][:4] == ["时间", "账号", "IP 地址", "操作"]
    assert values[2][1:4] == ["carol", "10.0.0.1", "账号锁定"] and values[2][7] == "拒绝"


# --- append-only


def test_the_model_refuses_changes_and_deletions(db):
    entry = record(AuditAction.LOGIN, actor="alice")
    entry.detail = "改过"
    with pytest.raises(AppendOnly, match="只能追加"):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="改过")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_the_admin_is_read_only_even_for_a_superuser(client, db):
    admin = UserFactory(username="t_it", is_staff=True, is_superuser=True)
    entry = record(AuditAction.LOGIN, actor="alice")
    log_in(client, admin)
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"detail": "改过"})
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's (CI runs both)")
def test_postgresql_refuses_update_and_delete_in_sql(db):
    from django.db.utils import DatabaseError

    entry = record(AuditAction.LOGIN, actor="alice")
    for sql in ("UPDATE audit_auditentry SET detail = 'x' WHERE id = %s", "DELETE FROM audit_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, detail="").exists()
