"""Publishing freezes an issue; the page shows what changed since the previous published issue."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessment.marks.services import set_mark
from assessment.models import Mark
from assessment.tables import build_tables, schemes_with_parts
from bulletins import services, snapshot
from bulletins.models import Issue, IssueVersion

from . import reference
from .factories import IssueFactory


def _mark(unit, order, slug):
    return Mark.objects.get(unit__name=unit, indicator__order=order, indicator__scheme__category__slug=slug)


@pytest.fixture
def draft(db):
    issue = services.create_issue(year=2019, number=12, date=datetime.date(2019, 12, 20))
    services.add_article(issue, title="十二月工作推进", body="正文。")
    return issue


def _publish_through_the_form(client, year=2019, number=12, **extra):
    page = client.get(f"/bulletins/{year}/{number}/publish/")
    assert page.status_code == 200
    fingerprint = re.search(r'name="fingerprint" value="(\w+)"', page.content.decode())[1]
    return client.post(f"/bulletins/{year}/{number}/publish/", {"fingerprint": fingerprint, **extra})


def test_the_demo_is_published_with_a_snapshot_matching_the_print(db):
    issue = Issue.objects.select_related("current_version").get(year=2019, number=11)
    version = issue.current_version
    assert version.number == 1 and version.reason == "" and issue.is_published
    assert version.published_at == issue.published_at
    printed = reference.tables()
    for table, category in zip(version.snapshot["tables"], reference.CATEGORIES, strict=True):
        assert table["category"]["name"] == category
        assert [reference.squash(h) for h in table["header"]] == [
            reference.squash(h) for h in printed[category]["header"]
        ]
        rows = [[r["unit"], *r["values"], r["deduction_text"]] for r in table["rows"]]
        assert rows == printed[category]["rows"]
        notes = [(n["number"], reference.squash(n["text"])) for n in table["notes"]]
        assert notes == [(k, reference.squash(t)) for k, t in printed[category]["notes"]]
    assert [c["source_label"] for c in version.snapshot["cases"]] == ["市行政审批局", "市住建局", "市“331”专班"]
    assert len(version.snapshot["news"]) == 11 and version.changes == {}


def test_snapshot_is_build_tables_output_at_that_moment(draft):
    version = services.publish_issue(draft, None)
    schemes = schemes_with_parts().filter(issue_tables__issue=draft).order_by("issue_tables__order")
    for frozen, table in zip(version.snapshot["tables"], build_tables(schemes), strict=True):
        assert frozen["header"] == table.header
        assert [r["values"] for r in frozen["rows"]] == [r.values for r in table.rows]
        assert [r["deduction_text"] for r in frozen["rows"]] == [r.deduction_text for r in table.rows]
        assert [n["text"] for n in frozen["notes"]] == [n.text for n in table.notes]


def test_publishing_through_the_form(role_client, draft):
    staff = role_client("staff")
    response = _publish_through_the_form(staff)
    assert response.status_code == 302 and response["Location"] == "/bulletins/2019/12/"
    draft.refresh_from_db()
    assert draft.is_published and draft.current_version.number == 1
    assert draft.current_version.published_by.username == "t_staff"
    html = role_client("anonymous").get("/bulletins/2019/12/").content.decode()
    assert "十二月工作推进" in html and "未发布" not in html


def test_a_mark_changed_after_publishing_changes_nothing_published(client, draft, staff_user):
    services.publish_issue(draft, staff_user)
    before_page = client.get("/bulletins/2019/12/").content.decode()
    before_xlsx = b"".join(client.get("/bulletins/2019/12/progress.xlsx").streaming_content)
    set_mark(_mark("昆山开发区", 5, "towns"), "√", staff_user)
    assert client.get("/bulletins/2019/12/").content.decode() == before_page
    wb = load_workbook(io.BytesIO(b"".join(client.get("/bulletins/2019/12/progress.xlsx").streaming_content)))
    assert wb["区镇"].cell(row=3, column=6).value == "*"
    assert load_workbook(io.BytesIO(before_xlsx))["区镇"].cell(row=3, column=6).value == "*"


def test_publishing_refuses_content_changed_since_the_preview(role_client, draft, staff_user):
    staff = role_client("staff")
    page = staff.get("/bulletins/2019/12/publish/").content.decode()
    fingerprint = re.search(r'name="fingerprint" value="(\w+)"', page)[1]
    set_mark(_mark("财政局", 2, "departments"), "√", staff_user)
    response = staff.post("/bulletins/2019/12/publish/", {"fingerprint": fingerprint}, follow=True)
    assert "预览之后内容又有变化" in response.content.decode()
    draft.refresh_from_db()
    assert draft.current_version is None and not draft.is_published


def test_an_empty_issue_cannot_be_published(db):
    issue = services.create_issue(year=2019, number=12, date=datetime.date(2019, 12, 20), with_tables=False)
    with pytest.raises(services.DomainError, match="没有任何内容"):
        services.publish_issue(issue, None)


def test_diff_names_each_changed_cell():
    def table(values):
        return {
            "scheme_id": 7,
            "header": ["区镇", "甲 (1分)", "乙 (1分)", "扣分情况"],
            "indicators": [{"id": 1, "title": "甲"}, {"id": 2, "title": "乙"}],
            "rows": [{"unit_id": 5, "unit": "张浦镇", "values": values[:2], "deduction_text": values[2]}],
        }

    before, after = {"tables": [table(["√", "*", ""])]}, {"tables": [table(["√", "√", "扣0.1分"])]}
    result = snapshot.diff(before, after, against={"year": 2019, "number": 10, "version": 1})
    assert result["against"] == {"year": 2019, "number": 10, "version": 1}
    assert result["tables"]["7"] == [
        {"unit_id": 5, "unit": "张浦镇", "column": 1, "indicator": "乙", "before": "*", "after": "√"},
        {"unit_id": 5, "unit": "张浦镇", "column": 2, "indicator": "扣分情况", "before": "", "after": "扣0.1分"},
    ]
    assert snapshot.diff(None, after) == {}


def test_changes_since_the_last_issue_are_highlighted_and_listed(client, draft, staff_user):
    set_mark(_mark("昆山开发区", 5, "towns"), "√", staff_user)
    set_mark(_mark("财政局", 2, "departments"), "√", staff_user)
    version = services.publish_issue(draft, staff_user)
    assert version.changes["against"] == {"year": 2019, "number": 11, "version": 1}
    html = client.get("/bulletins/2019/12/").content.decode()
    assert "与2019年第11期相比：区镇 1 处变化；城市管理办事处没有变化；部门 1 处变化。" in html
    assert re.search(
        r'id="unit-towns-\d+">昆山开发区</th>\s*(<td>√</td>){4}<td class="changed" title="上期：\*">√</td>', html
    )
    assert html.count('class="changed"') == 2
    listed = re.search(r'id="changes-departments">.*?</details>', html, re.S)[0]
    assert "财政局" in listed and "配合推进国家守信激励创新试点项目：* → √" in listed


def test_the_printed_demo_issue_shows_no_changes(client, db):
    html = client.get("/bulletins/2019/11/").content.decode()
    assert "与上期相比" not in html and 'class="changed"' not in html


def _without_cache(context):
    return [q for q in context.captured_queries if '"kc_cache"' not in q["sql"] and "SAVEPOINT" not in q["sql"]]


def test_issue_page_reads_the_snapshot_in_few_queries_whatever_the_number_of_issues(client, db):
    from django.core.cache import cache

    cache.clear()  # every page below is read for the first time: its version's content is loaded once
    with CaptureQueriesContext(connection) as one:
        assert client.get("/bulletins/2019/11/").status_code == 200
    for number in range(1, 21):
        issue = IssueFactory(year=2018, number=number, is_published=False)
        services.add_news(issue, text=f"第{number}期的简讯。")
        services.publish_issue(issue, None)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/bulletins/2019/11/").status_code == 200
        assert client.get("/bulletins/2018/20/").status_code == 200
    # The shared cache is the database's here (core.security): its reads and writes are not the page's.
    one, many = _without_cache(one), _without_cache(many)
    # First read: which version is current, the issue, the version's content (then the page is stored).
    assert len(one) <= 3
    # 2019/11 is now the stored page (one query), 2018/20 a first read like the first one.
    assert len(many) == 1 + len(one)
    assert IssueVersion.objects.count() == 21
    # Read again, a published page is the stored rendering: nothing asked of the database (tests/test_reader_pages.py).
    with CaptureQueriesContext(connection) as again:
        assert client.get("/bulletins/2018/20/").status_code == 200
    assert _without_cache(again) == []


def test_republishing_without_a_reason_is_refused(db):
    with pytest.raises(services.DomainError, match="更正原因"):
        services.publish_issue(Issue.objects.get(year=2019, number=11), None)


def test_home_shows_the_latest_published_issue_to_staff_too(role_client, draft):
    html = role_client("staff").get("/").content.decode()
    assert "第 11 期" in html and "第 12 期" not in html
    services.publish_issue(draft, None)
    assert "第 12 期" in role_client("anonymous").get("/").content.decode()
