"""待办: what waits for each role appears on /todo/ and in the menu's count, and leaves once it is done.

Each source is driven as its users would: a reporter files, the office decides, and the page is read after
every step, by the role it concerns (a reporter sees its own unit's work only).
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import access
from assessment.mark_requests.services import accept_request, return_request, submit_request
from assessment.marks.services import set_mark
from assessment.models import Mark, MarkRequest, MarkState
from assessment.notify.follows import follow
from assessment.todo import registry
from assessment.todo.registry import TodoRun, TodoSource, count_for, todo_for
from bulletins import documents
from bulletins.models import Issue
from cases.services import accept_case, return_case, submit_case

from .conftest import log_in
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def main_text(response):
    assert response.status_code == 200
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1]))


def section_count(text, title):
    """The number in a section's heading “title（n）”, 0 when the section is not shown."""
    found = re.search(re.escape(title) + r" ?（(\d+)）", text)
    return int(found.group(1)) if found else 0


def todo(client):
    return main_text(client.get("/todo/"))


@pytest.fixture
def open_mark(reporter_unit, staff_user):
    """A cell of 发改委 (the reporter's unit) set back to *: in the ended 2019 it is 年终未完成, so it is due."""
    mark = (
        Mark.objects.filter(unit=reporter_unit, indicator__scheme__year=2019, state=MarkState.DONE)
        .select_related("indicator__scheme", "unit")
        .order_by("indicator__order")
        .first()
    )
    return set_mark(mark, "*", staff_user)


# --- landing


def test_signing_in_lands_on_the_todo_list_and_anonymous_readers_keep_the_bulletin(client, reporter_user):
    response = client.post("/accounts/login/", {"username": reporter_user.username, "password": "pw-secret-123"})
    assert response.status_code == 302 and response["Location"] == "/todo/"
    client.logout()
    assert "工作信息" in main_text(client.get("/"))
    assert client.get("/todo/")["Location"].startswith("/accounts/login/")


def test_an_account_without_a_to_do_list_lands_elsewhere(role_client):
    assert role_client("auditor").get("/todo/")["Location"] == "/audit/"
    assert role_client("none").get("/todo/")["Location"] == "/"


def test_nothing_waiting_says_so(role_client):
    assert "目前没有待办事项。" in todo(role_client("leader"))


# --- the office


def test_a_request_waits_for_the_office_until_it_is_decided(role_client, reporter_user, staff_user, open_mark):
    staff = role_client("staff")
    before = section_count(todo(staff), "待审核的单位申请")
    request = submit_request(open_mark, reporter_user, MarkRequest.Kind.DONE, "已完成。")
    text = todo(staff)
    assert section_count(text, "待审核的单位申请") == before + 1
    assert f"发改委 · {open_mark.indicator.title}：报告已完成" in text
    assert f'href="/units/requests/#request-{request.pk}"' in staff.get("/todo/").content.decode()
    accept_request(request, staff_user)
    assert section_count(todo(staff), "待审核的单位申请") == before


def test_a_case_waits_for_the_office_until_it_is_reviewed(role_client, reporter_case, staff_user):
    staff = role_client("staff")
    text = todo(staff)
    assert section_count(text, "待审核的奖惩案例") >= 1 and reporter_case.title in text
    accept_case(reporter_case, staff_user)
    assert reporter_case.title not in todo(staff)


def test_an_import_waits_for_its_uploader_only_until_it_is_confirmed(role_client, staff_user, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = role_client("staff")
    content = b"".join(staff.get("/assessment/2019/progress.xlsx").streaming_content)
    response = staff.post("/assessment/2019/import/", {"file": SimpleUploadedFile("十一月进展.xlsx", content)})
    assert response.status_code == 302
    token = response["Location"].rstrip("/").split("/")[-1]
    text = todo(staff)
    assert section_count(text, "待确认的Excel导入") == 1 and "完成情况：十一月进展.xlsx" in text

    colleague = UserFactory(username="t_staff_two")
    colleague.groups.add(Group.objects.get(name=access.STAFF_GROUP))
    assert "十一月进展.xlsx" not in todo(log_in(client, colleague))

    staff = role_client("staff")
    assert staff.post(f"/assessment/import/{token}/confirm/").status_code == 302
    assert "十一月进展.xlsx" not in todo(staff)


def test_a_unit_with_an_overdue_item_waits_until_the_item_is_done(role_client, staff_user, open_mark):
    staff = role_client("staff")
    text = todo(staff)
    with_it = section_count(text, "有逾期事项的单位")
    assert "年终未完成 " in text and " 项" in text  # 2019 has ended: its open items wait for the year end
    set_mark(Mark.objects.get(pk=open_mark.pk), "√", staff_user)
    assert section_count(todo(staff), "有逾期事项的单位") == with_it - 1


def test_a_published_issue_waits_until_its_files_are_made(role_client, media_root):
    staff = role_client("staff")
    text = todo(staff)
    assert section_count(text, "尚未生成的期刊文件") == 1 and "2019年第11期" in text
    issue = Issue.objects.select_related("current_version").get(year=2019, number=11)
    issue.current_version.issue = issue
    documents.store_all(issue.current_version)
    assert "尚未生成的期刊文件" not in todo(staff)


# --- a unit's reporter


def test_a_due_item_waits_for_its_own_unit_only_until_a_request_is_filed(role_client, reporter_user, open_mark):
    title = open_mark.indicator.title
    reporter = role_client("reporter")
    text = todo(reporter)
    assert section_count(text, "即将到期和已逾期的事项") >= 1 and title in text and "年终未完成" in text
    link = f"/units/{open_mark.unit_id}/marks/{open_mark.pk}/request/"
    assert f'href="{link}"' in role_client("reporter").get("/todo/").content.decode()
    assert link not in role_client("other_reporter").get("/todo/").content.decode()
    submit_request(open_mark, reporter_user, MarkRequest.Kind.DONE, "已完成。")
    assert link not in role_client("reporter").get("/todo/").content.decode()


def test_an_item_due_soon_waits_before_its_date(role_client, open_mark, on_day, settings):
    # A * due by the year-end assessment is 即将到期 in the last days of the year, and not yet before them.
    on_day(datetime.date(2019, 12, 31) - datetime.timedelta(days=settings.DUE_SOON_DAYS))
    text = todo(role_client("reporter"))
    assert open_mark.indicator.title in text and "即将到期（2019-12-31）" in text
    on_day(datetime.date(2019, 6, 1))
    assert "即将到期（2019-12-31）" not in todo(role_client("reporter"))


def test_a_returned_request_waits_for_its_unit_until_it_is_filed_again(
    role_client, reporter_user, staff_user, open_mark
):
    request = submit_request(open_mark, reporter_user, MarkRequest.Kind.DONE, "已完成。")
    return_request(request, staff_user, "请补充会议纪要。")
    text = todo(role_client("reporter"))
    assert section_count(text, "被退回的申请") == 1 and "退回理由：请补充会议纪要。" in text
    assert "请补充会议纪要" not in todo(role_client("other_reporter"))
    submit_request(open_mark, reporter_user, MarkRequest.Kind.DONE, "已补充会议纪要。")
    assert "被退回的申请" not in todo(role_client("reporter"))


def test_a_returned_case_waits_for_its_unit_until_it_is_sent_again(
    role_client, reporter_case, reporter_user, staff_user
):
    return_case(reporter_case, staff_user, "请写明处理结果。")
    text = todo(role_client("reporter"))
    assert section_count(text, "被退回的奖惩案例") == 1 and "退回理由：请写明处理结果。" in text
    assert f'href="/cases/case/{reporter_case.pk}/edit/"' in role_client("reporter").get("/todo/").content.decode()
    assert "请写明处理结果" not in todo(role_client("other_reporter"))
    submit_case(reporter_case, reporter_user)
    assert "被退回的奖惩案例" not in todo(role_client("reporter"))


# --- a leader


def test_a_followed_unit_that_changed_waits_until_the_leader_has_read_it(
    role_client, leader_user, staff_user, open_mark
):
    follow(leader_user, unit=open_mark.unit)
    leader = role_client("leader")
    assert "目前没有待办事项。" in todo(leader)
    set_mark(Mark.objects.get(pk=open_mark.pk), "√", staff_user)
    text = todo(leader)
    assert section_count(text, "关注的单位和指标有新变化") == 1 and "发改委" in text and "改为“√”" in text
    follow_row = leader_user.follows.get()
    response = leader.post(f"/todo/seen/{follow_row.pk}/")
    assert response.status_code == 302 and response["Location"] == "/todo/"
    assert "目前没有待办事项。" in todo(leader)
    # Another's follow is not the leader's to mark.
    assert role_client("staff").post(f"/todo/seen/{follow_row.pk}/").status_code == 404


# --- the menu and the cost


def test_the_menu_counts_what_waits(role_client, reporter_user, staff_user, open_mark):
    reporter = role_client("reporter")
    nav = reporter.get("/bulletins/").content.decode().split("主导航", 1)[1]
    assert '<a href="/todo/" class="todo-link">待办<span class="todo-count">（1）</span></a>' in nav
    submit_request(open_mark, reporter_user, MarkRequest.Kind.DONE, "已完成。")
    nav = reporter.get("/bulletins/").content.decode().split("主导航", 1)[1]
    assert '<a href="/todo/" class="todo-link">待办</a>' in nav
    staff_nav = role_client("staff").get("/bulletins/").content.decode().split("主导航", 1)[1]
    sections = todo_for(staff_user)
    # The menu counts what arrived to be done; the overdue units (a walk of every unit's cells) are on the page only.
    assert [s.title for s in sections if not s.in_menu] == ["有逾期事项的单位"]
    total = sum(s.count for s in sections if s.in_menu)
    assert total and f'待办<span class="todo-count">（{total}）</span>' in staff_nav


def test_the_menu_counts_without_reading_the_entries(staff_user, reporter_user, open_mark, reporter_case, media_root):
    """The menu is on every page: its number asks each source how many, never for the entries it does not show,
    and the issues' check reads the names of their stored files, not their frozen tables."""
    submit_request(open_mark, reporter_user, MarkRequest.Kind.DONE, "已完成。")
    user = type(staff_user).objects.get(pk=staff_user.pk)
    access.role_of(user)
    with CaptureQueriesContext(connection) as asked:
        total = count_for(user)
    # a request, a case and the issue's files wait
    assert total == sum(s.count for s in todo_for(staff_user) if s.in_menu) == 3
    # the sources counted in one query, the latest issues' files asked apart (the user's role is read already)
    assert len(asked.captured_queries) == 2
    # asked again, the same two queries as they were compiled the first time (core.prepared), the same number
    with CaptureQueriesContext(connection) as again:
        assert count_for(user) == 3
    assert [q["sql"] for q in again.captured_queries] == [q["sql"] for q in asked.captured_queries]
    reads = [q["sql"] for q in asked.captured_queries if "COUNT(" not in q["sql"]]
    assert not [sql for sql in reads if "cases_case" in sql or "markrequest" in sql or "importsession" in sql]
    assert not [sql for sql in reads if "table_units" in sql or "snapshot" in sql]


def _compiled(source, user):
    return registry.count_sql([source.waiting(TodoRun(user))])


def test_a_counted_sources_query_depends_on_the_facts_it_declares_only(staff_user, reporter_user, reporter_unit):
    """The menu's count query is compiled once per the facts the sources declare (`waiting_on`): two users with the
    same facts must get the same SQL and parameters, or a user would be counted another's work."""
    second_staff = UserFactory(username="t_staff_second")
    second_staff.groups.add(Group.objects.get(name=access.STAFF_GROUP))
    second_reporter = UserFactory(username="t_reporter_second")
    second_reporter.groups.add(Group.objects.get(name=access.REPORTER_GROUP))
    reporter_unit.reporters.create(user=second_reporter)
    pairs = {access.STAFF: (staff_user, second_staff), access.REPORTER: (reporter_user, second_reporter)}
    counted = [s for s in registry.sources() if type(s).waiting is not TodoSource.waiting]
    assert {s.key for s in counted} >= {"assessment.imports_to_confirm", "cases.returned"}
    for source in counted:
        assert source.waiting_on is not None, source.key
        first, second = pairs[source.roles[0]]
        facts = [tuple(getattr(TodoRun(u), fact) for fact in source.waiting_on) for u in (first, second)]
        if facts[0] == facts[1]:
            assert _compiled(source, first) == _compiled(source, second), source.key
        else:
            assert _compiled(source, first) != _compiled(source, second), source.key


def test_an_import_left_unconfirmed_leaves_the_list_when_it_expires(role_client, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessment.imports.sessions import SESSION_MAX_AGE
    from assessment.models import ImportSession

    staff = role_client("staff")
    content = b"".join(staff.get("/assessment/2019/progress.xlsx").streaming_content)
    assert staff.post("/assessment/2019/import/", {"file": SimpleUploadedFile("旧的.xlsx", content)}).status_code == 302
    before = count_for(staff_user)
    assert section_count(todo(staff), "待确认的Excel导入") == 1
    session = ImportSession.objects.get(file_name="旧的.xlsx")
    ImportSession.objects.filter(pk=session.pk).update(
        created_at=session.created_at - SESSION_MAX_AGE - datetime.timedelta(minutes=1)
    )
    assert section_count(todo(staff), "待确认的Excel导入") == 0
    assert count_for(staff_user) == before - 1


@pytest.mark.parametrize("role", ["staff", "reporter", "leader"])
def test_the_todo_page_asks_a_bounded_number_of_queries(
    role, role_client, reporter_user, leader_user, staff_user, open_mark, reporter_case, django_assert_max_num_queries
):
    follow(leader_user, unit=open_mark.unit)
    submit_request(open_mark, reporter_user, MarkRequest.Kind.DONE, "已完成。")
    for mark in Mark.objects.filter(unit=open_mark.unit, state=MarkState.DONE, indicator__scheme__year=2019)[:3]:
        set_mark(mark, "*", staff_user)
    client = role_client(role)
    with django_assert_max_num_queries(QUERIES[role]):
        assert client.get("/todo/").status_code == 200


# The session, the user, its role and the office row, then one or a few queries per source, whatever the entries.
QUERIES = {"staff": 15, "reporter": 13, "leader": 8}
