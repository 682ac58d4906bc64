"""Every list reads its page through an index of its ordering (and filter), never a sort of every row.

The plan of the very statement each page runs (captured, then EXPLAINed) on PostgreSQL: with sequential scans
off, the planner's choice is the same on a test database of a few rows as on a province's; a list without an
index for its ORDER BY … LIMIT shows a Sort node. SQLite has no such planner to ask: skipped there.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.notify.models import Channel, Delivery
from core.audit.models import AuditEntry

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL's planner")


def _page_statement(client, url, table):
    """The statement of the page's rows: the one reading `table` ordered, with a LIMIT."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    quoted = connection.ops.quote_name(table)
    found = [q["sql"] for q in ctx.captured_queries if f"FROM {quoted}" in q["sql"] and "ORDER BY" in q["sql"]]
    found = [sql for sql in found if " LIMIT " in sql]
    assert found, f"{url}: no page of {table}"
    return found[-1]


def _plan(sql):
    with connection.cursor() as cursor:
        # With a test's few rows the planner may sort a handful of rows instead of reading an index in order,
        # or read an index of the first key and sort the ties (Incremental Sort, as its statistics of the moment
        # make it cheaper); all off, it reads the list's index if one gives the page's order, and sorts only if
        # none does.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        cursor.execute("SET enable_incremental_sort = off")
        try:
            cursor.execute(f"EXPLAIN {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
            cursor.execute("RESET enable_incremental_sort")


def _assert_index_order(client, url, table, index):
    plan = _plan(_page_statement(client, url, table))
    assert "Sort" not in plan, f"{url} sorts its rows:\n{plan}"
    assert f"using {index} on" in plan.replace("Backward ", ""), f"{url} does not read {index}:\n{plan}"


@pytest.mark.parametrize(
    "role, url, index",
    [
        ("staff", "/cases/", "case_submitted_order"),
        ("staff", "/cases/?status=accepted", "case_status_submitted"),
        ("staff", "/cases/?year=2019", "case_year_submitted"),
        ("reporter", "/cases/", "case_unit_submitted"),
        ("staff", "/cases/review/?status=submitted", "case_status_submitted"),
    ],
)
def test_case_lists(role_client, reporter_case, role, url, index):
    _assert_index_order(role_client(role), url, "cases_case", index)


def test_the_pending_review_queue_is_read_in_order(role_client, reporter_case):
    """Two statuses (submitted, resubmitted): the list's order from an index, the statuses filtered on it."""
    plan = _plan(_page_statement(role_client("staff"), "/cases/review/", "cases_case"))
    assert "Sort" not in plan and "Index Scan" in plan, plan


@pytest.mark.parametrize("query, index", [("", "audit_at_order"), ("?action=login", "audit_action_at")])
def test_audit_log(client, auditor_user, query, index):
    from .conftest import log_in

    log_in(client, auditor_user)
    AuditEntry.objects.create(action="login", actor_name="someone")
    _assert_index_order(client, f"/audit/{query}", AuditEntry._meta.db_table, index)


@pytest.mark.parametrize("query, index", [("", "delivery_log_order"), ("?unit={unit}", "delivery_unit_created")])
def test_delivery_log(role_client, reporter_user, query, index):
    unit = reporter_user.reporter.unit
    Delivery.objects.create(
        kind=Delivery.Kind.REMINDER, channel=Channel.EMAIL, unit=unit, title="提醒", text="…", run_date="2019-11-26"
    )
    url = "/units/reminders/log/" + query.format(unit=unit.pk)
    _assert_index_order(role_client("staff"), url, Delivery._meta.db_table, index)


def test_the_jobs_states(db):
    """Each job's last run and the first run ever (core.jobs.runs.job_states): each read from an index."""
    from core.jobs.models import JobRun
    from core.jobs.runs import job_states

    with CaptureQueriesContext(connection) as ctx:
        job_states()
    statements = [q["sql"] for q in ctx.captured_queries if JobRun._meta.db_table in q["sql"]]
    assert len(statements) >= 2
    for sql in statements:
        plan = _plan(sql)
        assert "Sort" not in plan and ("jobrun_job_last" in plan or "jobrun_started" in plan), plan


def test_the_pending_review_badge_is_an_index_only_count(role_client, reporter_case):
    """Every signed-in page of the office counts the cases waiting for review (the menu's 待审核): read from the
    partial index of the waiting cases alone, not from every case's row."""
    with CaptureQueriesContext(connection) as ctx:
        assert role_client("staff").get("/units/").status_code == 200
    quoted = connection.ops.quote_name("cases_case")
    found = [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"] and f"FROM {quoted}" in q["sql"]]
    found = [sql for sql in found if "'submitted'" in sql and "'resubmitted'" in sql]
    assert found, "no count of the waiting cases"
    with connection.cursor() as cursor:
        # A test's new rows are not yet marked all-visible (no VACUUM inside its transaction), so the planner would
        # take a bitmap scan here; without it, it reads the index alone if one holds what the count needs.
        cursor.execute("SET enable_bitmapscan = off")
        try:
            for sql in found:
                plan = _plan(sql)
                assert "Index Only Scan using case_pending on" in plan, plan
        finally:
            cursor.execute("RESET enable_bitmapscan")


@pytest.mark.parametrize("url", ["/assessment/2019/departments/", "/cases/2019/"])
def test_a_tables_page_of_units_is_read_in_row_order(role_client, url):
    """The grid's and the quarterly table's 100 rows: a table's enrolled units in order (a country's 15,000)."""
    _assert_index_order(role_client("staff"), url, "assessment_schemeunit", "schemeunit_row_order")
