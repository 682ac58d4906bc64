"""The audit log's hash chain (issue 23, "Audit tamper"): what the database user could do around the model's and
the trigger's refusal — change a row, delete one, insert a forged one, truncate the table — each shows in
`manage.py verify_audit` (the job that turns /system/jobs/ and /healthz red), and on PostgreSQL the
application's role is refused TRUNCATE and ALTER TABLE … DISABLE TRIGGER outright."""

import hashlib
import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from core.audit import record
from core.audit.actions import AuditAction
from core.audit.chain import entry_hash
from core.audit.models import AuditChainHead, AuditEntry
from core.jobs.models import JobRun

from .conftest import log_in
from .factories import UserFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger and the roles are PostgreSQL's (CI runs both)"
)
APP_ROLE = "kc_app_auditchain_test"


@pytest.fixture
def three(db):
    """Three entries, as logins and a lockout write them."""
    return [
        record(AuditAction.LOGIN, actor="alice", detail="第一条"),
        record(AuditAction.LOGIN, actor="bob", detail="第二条"),
        record(AuditAction.LOGIN, actor="carol", detail="第三条"),
    ]


def verify():
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def broken(match):
    return pytest.raises(CommandError, match=match)


def owner_sql(sql, params=()):
    """SQL as the tables' owner would send it: on PostgreSQL with the log's and the head's triggers disabled."""
    tables = ("audit_auditentry", "audit_auditchainhead") if connection.vendor == "postgresql" else ()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def test_entries_are_chained_in_order_and_the_intact_chain_verifies(three):
    first, second, third = three
    assert [e.seq for e in three] == [first.seq, first.seq + 1, first.seq + 2]
    assert second.prev_hash == first.hash and third.prev_hash == second.hash and len(third.hash) == 64
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (third.seq, third.hash)
    assert f"审计日志完整：已核对 {third.seq} 条" in verify() and third.hash in verify()


def test_a_changed_row_is_found(three):
    owner_sql("UPDATE audit_auditentry SET actor_name = 'mallory' WHERE id = %s", [three[1].pk])
    with broken(rf"第 {three[1].seq} 条（编号 {three[1].pk}，.*mallory 登录）的内容与校验值不符：被修改"):
        verify()


def test_a_deleted_row_is_found(three):
    owner_sql("DELETE FROM audit_auditentry WHERE id = %s", [three[1].pk])
    with broken(rf"第 {three[0].seq} 条（.*alice 登录）之后的第 {three[1].seq} 条记录缺失：被删除"):
        verify()


def test_deleted_last_rows_are_found_against_the_head(three):
    owner_sql("DELETE FROM audit_auditentry WHERE id = %s", [three[2].pk])
    seq = three[2].seq
    with broken(f"最后的第 {seq} 至 {seq} 条记录缺失（链头记录着 {seq} 条"):
        verify()


def test_a_row_rehashed_without_the_key_is_found_though_the_head_agrees(three, settings):
    # Whoever has only the database rewrites the last entry and the head consistently, but with another key.
    last = three[2]
    last.detail, key = "改过", settings.AUDIT_KEY
    settings.AUDIT_KEY = "a guess at the key"
    forged = entry_hash(last, last.prev_hash)
    settings.AUDIT_KEY = key
    owner_sql("UPDATE audit_auditentry SET detail = '改过', hash = %s WHERE id = %s", [forged, last.pk])
    owner_sql("UPDATE audit_auditchainhead SET hash = %s", [forged])
    assert AuditChainHead.objects.get().hash == forged
    with broken(f"第 {last.seq} 条.*的内容与校验值不符：被修改，或为伪造的记录"):
        verify()


def test_a_break_fails_the_job_and_shows_red_on_the_jobs_page_and_healthz(three, client):
    call_command("run_job", "verify_audit", stdout=io.StringIO())
    assert JobRun.objects.get(job="verify_audit").result == JobRun.Result.OK
    owner_sql("UPDATE audit_auditentry SET detail = '改过' WHERE id = %s", [three[0].pk])
    with broken("运行失败"):
        call_command("run_job", "verify_audit", stdout=io.StringIO())
    run = JobRun.objects.filter(job="verify_audit").first()
    assert run.result == JobRun.Result.FAILED and f"第 {three[0].seq} 条" in run.output and "被修改" in run.output
    health = client.get("/healthz").json()
    assert "jobs" in health["failed"] and "verify_audit" in health["checks"]["jobs"]["message"]
    log_in(client, UserFactory(username="t_it", is_staff=True, is_superuser=True))
    page = client.get("/system/jobs/").content.decode()
    row = page.split("<td><code>verify_audit</code></td>")[0].rsplit("<tr", 1)[1]
    assert "job-bad" in row


@postgresql_only
def test_postgresql_a_forged_insert_is_found(three):
    # Inserted after the last entry, linked to it, with a hash made without the key.
    forged_hash = hashlib.sha256(b"forged").hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (at, actor_name, action, object_type, object_id, object_text, result,"
            " detail, seq, prev_hash, hash) VALUES (now() - interval '30 days', 'office', 'login', '', '', '',"
            " 'ok', '', %s, %s, %s)",
            [three[2].seq + 1, three[2].hash, forged_hash],
        )
        cursor.execute("UPDATE audit_auditchainhead SET seq = seq + 1, hash = %s", [forged_hash])
    with broken(rf"第 {three[2].seq + 1} 条（.*office 登录）的内容与校验值不符：被修改，或为伪造的记录"):
        verify()


@postgresql_only
def test_postgresql_a_deletion_with_the_trigger_disabled_is_found(three):
    owner_sql("DELETE FROM audit_auditentry WHERE seq = 1")
    with broken("链首的第 1 条记录缺失：被删除"):
        verify()


@postgresql_only
def test_postgresql_a_changed_row_with_the_trigger_disabled_is_found(three):
    owner_sql("UPDATE audit_auditentry SET at = at - interval '1 day' WHERE id = %s", [three[2].pk])
    with broken(f"第 {three[2].seq} 条.*的内容与校验值不符"):
        verify()


@postgresql_only
def test_postgresql_a_truncated_log_is_found(three):
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditentry")
    with broken(f"审计日志为空，但链头记录着 {three[2].seq} 条：日志被清空（截断）"):
        verify()


@postgresql_only
def test_postgresql_the_head_only_moves_forward(three):
    for sql in ("UPDATE audit_auditchainhead SET seq = 0", "DELETE FROM audit_auditchainhead"):
        refused = pytest.raises(DatabaseError, match="审计链头只能前进")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


@postgresql_only
def test_postgresql_two_writers_at_the_same_moment_never_chain_to_one_parent(transactional_db):
    """The first writer's transaction holds the chain until it commits; the second waits, then chains to the
    first's entry (without the lock it would read the same head and write the same place)."""
    first_wrote, second_is_waiting = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                record(AuditAction.LOGIN, actor="first")
                first_wrote.set()
                second_is_waiting.wait(timeout=30)
        finally:
            connections.close_all()

    def second():
        first_wrote.wait(timeout=30)
        try:
            outcome["second"] = record(AuditAction.LOGIN, actor="second")
        except Exception as exc:  # noqa: BLE001 - the outcome is asserted below
            outcome["error"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_wrote.wait(timeout=30)
    with connection.cursor() as cursor:  # the second writer is blocked on the chain's lock
        for _ in range(3000):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                break
    second_is_waiting.set()
    for thread in threads:
        thread.join(timeout=60)
    assert "error" not in outcome, outcome
    first_entry = AuditEntry.objects.get(actor_name="first")
    assert outcome["second"].seq == first_entry.seq + 1 and outcome["second"].prev_hash == first_entry.hash
    assert "审计日志完整" in verify()


@pytest.fixture
def app_role(three):
    """The application's login role, granted by `grant_app_role` (CREATE ROLE is undone with the test)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
    call_command("grant_app_role", APP_ROLE, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {APP_ROLE}")
    yield APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


@postgresql_only
def test_postgresql_the_app_role_writes_entries_but_cannot_truncate_disable_or_delete(app_role):
    entry = record(AuditAction.LOGIN, actor="dave")  # the application's own writes go on
    last = AuditEntry.objects.count()
    assert entry.seq == last and AuditChainHead.objects.get().seq == last
    refused = {
        "TRUNCATE audit_auditentry": "permission denied",
        "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only": "must be owner",
        "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL": "must be owner",
        "DROP TRIGGER audit_entry_append_only ON audit_auditentry": "must be owner",
        "TRUNCATE audit_auditchainhead": "permission denied",
        "DELETE FROM audit_auditentry": "permission denied",
        "UPDATE audit_auditentry SET detail = 'x'": "permission denied",
        "DELETE FROM audit_auditchainhead": "permission denied",
    }
    for sql, message in refused.items():
        with pytest.raises(DatabaseError, match=message), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.count() == last
    assert f"审计日志完整：已核对 {last} 条" in verify()


@postgresql_only
def test_postgresql_grant_app_role_refuses_the_tables_owner(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (me,) = cursor.fetchone()
    with broken("是超级用户或拥有这些表"):
        call_command("grant_app_role", me, stdout=io.StringIO())
    with broken("数据库中没有角色"):
        call_command("grant_app_role", "no_such_role_kc", stdout=io.StringIO())
