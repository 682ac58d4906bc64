"""Composing an issue in the browser's forms: proposal, sections, sanitizing, order, preview."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Scheme
from bulletins import services
from bulletins.models import Article, Issue, IssueCase, IssueTable, NewsItem

from .factories import ArticleFactory, CaseFactory, NewsItemFactory


@pytest.fixture
def staff(role_client):
    return role_client("staff")


@pytest.fixture
def draft(staff):
    """2019 第12期, created through the form as staff would."""
    response = staff.post("/bulletins/new/", {"year": 2019, "number": 12, "date": "2019-12-20", "with_tables": "on"})
    assert response.status_code == 302 and response["Location"] == "/bulletins/2019/12/edit/"
    return Issue.objects.get(year=2019, number=12)


def test_new_issue_proposes_the_next_number_and_a_date(staff):
    html = staff.get("/bulletins/new/").content.decode()
    assert re.search(r'name="year" value="2019"', html)
    assert re.search(r'name="number" value="12"', html)
    assert 'name="date" value="2019-12-26"' in html  # a month after 2019-11-26, within the year
    assert "2019年第11期" in html


def test_proposal_dates_today_when_in_the_issue_year(db):
    year, number, date = services.propose_next(today=datetime.date(2019, 12, 5))
    assert (year, number, date) == (2019, 12, datetime.date(2019, 12, 5))


def test_new_issue_copies_masthead_and_footer_and_takes_the_year_tables(draft):
    demo = Issue.objects.get(year=2019, number=11)
    for name in services.COPIED_FIELDS:
        assert getattr(draft, name) == getattr(demo, name), name
    assert not draft.is_published and draft.current_version is None
    assert list(draft.issue_tables.values_list("scheme__category__name", flat=True)) == [
        "区镇",
        "城市管理办事处",
        "部门",
    ]


def test_new_issue_refuses_an_existing_number_in_chinese(staff):
    response = staff.post("/bulletins/new/", {"year": 2019, "number": 11, "date": "2019-12-20"})
    assert response.status_code == 200
    assert "2019年第11期已经存在" in response.content.decode()
    assert Issue.objects.filter(year=2019, number=11).count() == 1


def test_new_issue_without_tables(staff):
    staff.post("/bulletins/new/", {"year": 2019, "number": 13, "date": "2019-12-31"})
    assert not IssueTable.objects.filter(issue__number=13).exists()


def test_article_pasted_as_html_is_stored_as_plain_paragraphs(staff, draft):
    body = '<p style="x">第一段<b>加粗</b>。</p><script>alert("x")</script><p>一、工作成效</p>第二段&amp;说明<br>第三段'
    response = staff.post(
        "/bulletins/2019/12/sections/article/add/",
        {"add-article-title": "<h1>新的<i>文章</i></h1>", "add-article-body": body},
    )
    assert response.status_code == 302
    article = draft.articles.get()
    assert article.title == "新的文章"
    assert article.body == "第一段加粗。\n一、工作成效\n第二段&说明\n第三段"
    assert article.blocks() == [
        (False, "第一段加粗。"),
        (True, "一、工作成效"),
        (False, "第二段&说明"),
        (False, "第三段"),
    ]
    html = staff.get("/bulletins/2019/12/preview/").content.decode()
    assert '<h4 class="article-heading">一、工作成效</h4>' in html
    assert "<script>alert" not in html and "第二段&amp;说明" in html


def test_article_needs_title_and_body_and_keeps_what_was_typed(staff, draft):
    response = staff.post(
        "/bulletins/2019/12/sections/article/add/",
        {"add-article-title": "只有标题", "add-article-body": "<script>x</script>"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写文章正文" in html and 'value="只有标题"' in html
    assert not draft.articles.exists()


def test_edit_an_article(staff, draft):
    article = services.add_article(draft, title="旧标题", body="旧正文")
    response = staff.post(
        f"/bulletins/2019/12/sections/article/{article.pk}/",
        {f"article-{article.pk}-title": "新标题", f"article-{article.pk}-body": "新正文\n二、下一部分"},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == ("新标题", "新正文\n二、下一部分")


def test_news_items_add_edit_and_order(staff, draft):
    for day in (3, 1, 2):
        staff.post(
            "/bulletins/2019/12/sections/news/add/",
            {"add-news-date": f"2019-12-0{day}", "add-news-text": f"12月{day}日，简讯。", "add-news-source": ""},
        )
    items = list(draft.news_items.all())
    assert [n.text for n in items] == ["12月3日，简讯。", "12月1日，简讯。", "12月2日，简讯。"]
    first = items[0]
    staff.post(f"/bulletins/2019/12/sections/news/{first.pk}/move/", {"step": "down"})
    staff.post(f"/bulletins/2019/12/sections/news/{first.pk}/move/", {"step": "down"})
    staff.post(f"/bulletins/2019/12/sections/news/{first.pk}/move/", {"step": "down"})  # already last
    assert [n.text for n in draft.news_items.all()] == ["12月1日，简讯。", "12月2日，简讯。", "12月3日，简讯。"]
    assert list(draft.news_items.values_list("order", flat=True)) == [1, 2, 3]
    staff.post(
        f"/bulletins/2019/12/sections/news/{first.pk}/",
        {
            f"news-{first.pk}-date": "",
            f"news-{first.pk}-text": "农业农村局开展信用村创建。",
            f"news-{first.pk}-source": "市农业农村局",
        },
    )
    first.refresh_from_db()
    assert (first.date, first.text, first.source) == (None, "农业农村局开展信用村创建。", "市农业农村局")
    html = staff.get("/bulletins/2019/12/preview/").content.decode()
    assert '农业农村局开展信用村创建。<span class="news-source">（市农业农村局）</span>' in html


def test_remove_asks_first_then_removes(staff, draft):
    item = services.add_news(draft, text="12月1日，要删除的简讯。")
    url = f"/bulletins/2019/12/sections/news/{item.pk}/remove/"
    page = staff.get(url)
    assert page.status_code == 200 and "要删除的简讯" in page.content.decode() and "不能恢复" in page.content.decode()
    assert NewsItem.objects.filter(pk=item.pk).exists()
    assert staff.post(url).status_code == 302
    assert not NewsItem.objects.filter(pk=item.pk).exists()


def test_pick_a_case(staff, draft):
    case = CaseFactory(
        year=2019,
        quarter=4,
        title="诚信企业容缺受理",
        source_label="市市场监管局",
        status="accepted",
        for_bulletin=True,
    )
    # Only accepted cases marked for the bulletin are offered.
    not_marked = CaseFactory(
        year=2019, quarter=4, title="尚未选用的案例", source_label="市市场监管局", status="accepted"
    )
    draft_case = CaseFactory(
        year=2019, quarter=4, title="还在草稿的案例", source_label="市市场监管局", for_bulletin=True
    )
    edit = staff.get("/bulletins/2019/12/edit/").content.decode()
    assert not_marked.title not in edit and draft_case.title not in edit
    assert "守信激励·诚信企业容缺受理" in edit
    # Cases already printed (the demo's three) are not offered again.
    assert "企业燃眉之急" not in edit.split('id="section-case"')[1].split("</section>")[0]
    response = staff.post("/bulletins/2019/12/sections/case/add/", {"add-case-case": case.pk})
    assert response.status_code == 302
    assert list(draft.issue_cases.values_list("case__title", flat=True)) == ["诚信企业容缺受理"]
    html = staff.get("/bulletins/2019/12/preview/").content.decode()
    assert "守信激励·诚信企业容缺受理" in html and "（市市场监管局）" in html


def test_a_case_printed_elsewhere_cannot_be_picked(draft):
    printed = IssueCase.objects.filter(issue__number=11).first().case
    assert not services.pickable_cases(draft).filter(pk=printed.pk).exists()
    with pytest.raises(services.DomainError, match="不能选入本期"):
        services.add_case(draft, printed)


def test_tables_removed_and_added_back_in_order(staff, draft):
    towns = draft.issue_tables.get(scheme__category__slug="towns")
    staff.post(f"/bulletins/2019/12/sections/table/{towns.pk}/remove/")
    assert list(draft.issue_tables.values_list("scheme__category__slug", flat=True)) == ["offices", "departments"]
    scheme = Scheme.objects.get(year=2019, category__slug="towns")
    assert staff.post("/bulletins/2019/12/sections/table/add/", {"add-table-scheme": scheme.pk}).status_code == 302
    assert list(draft.issue_tables.values_list("scheme__category__slug", flat=True)) == [
        "offices",
        "departments",
        "towns",
    ]
    added = draft.issue_tables.get(scheme=scheme)
    staff.post(f"/bulletins/2019/12/sections/table/{added.pk}/move/", {"step": "up"})
    staff.post(f"/bulletins/2019/12/sections/table/{added.pk}/move/", {"step": "up"})
    html = staff.get("/bulletins/2019/12/preview/").content.decode()
    assert html.index('id="table-towns"') < html.index('id="table-offices"') < html.index('id="table-departments"')


def test_only_the_year_tables_can_be_added(draft):
    other = Scheme.objects.create(year=2020, category=Scheme.objects.get(year=2019, category__slug="towns").category)
    with pytest.raises(services.DomainError, match="2019年度"):
        services.add_table(draft, other)


def test_masthead_and_number_of_a_draft_can_change(staff, draft):
    data = {f"masthead-{name}": getattr(draft, name) for name in services.COPIED_FIELDS}
    data.update({"masthead-number": 13, "masthead-date": "2019-12-28", "masthead-editor": "张 三"})
    response = staff.post("/bulletins/2019/12/edit/", data)
    assert response.status_code == 302 and response["Location"] == "/bulletins/2019/13/edit/"
    issue = Issue.objects.get(pk=draft.pk)
    assert (issue.number, issue.date, issue.editor) == (13, datetime.date(2019, 12, 28), "张 三")


def test_number_of_a_published_issue_cannot_change(db):
    demo = Issue.objects.get(year=2019, number=11)
    with pytest.raises(services.DomainError, match="不能修改期号"):
        services.update_issue(demo, number=12)


def test_preview_is_the_public_template_with_current_data(staff, draft):
    services.add_article(draft, title="预览文章", body="预览正文。")
    html = staff.get("/bulletins/2019/12/preview/").content.decode()
    assert '<article class="bulletin">' in html and "【工作推进】" in html and "预览文章" in html
    assert "第 12 期" in html and "【工作进展通报】" in html and "发布后读者看到的就是下面的内容" in html
    assert html.count('class="progress-table"') == 3


def test_delete_a_draft_but_never_a_published_issue(staff, draft):
    assert staff.post("/bulletins/2019/12/delete/").status_code == 302
    assert not Issue.objects.filter(pk=draft.pk).exists()
    staff.post("/bulletins/2019/11/delete/")
    assert Issue.objects.filter(year=2019, number=11).exists()


def test_unpublished_issue_stays_hidden_from_readers(role_client, draft):
    services.add_article(draft, title="草稿中的专题文章", body="正文。")
    for role in ("anonymous", "reporter", "leader"):
        client = role_client(role)
        for url in ("/bulletins/2019/12/", "/bulletins/2019/12/issue.docx", "/bulletins/2019/12/preview/"):
            assert client.get(url).status_code in (302, 403, 404), (role, url)
        assert "草稿中的专题文章" not in client.get("/bulletins/").content.decode()
        assert "第12期" not in client.get("/bulletins/feed/").content.decode()
    assert "草稿中的专题文章" in role_client("staff").get("/bulletins/2019/12/").content.decode()


def _fill(issue, n):
    ArticleFactory.create_batch(n, issue=issue)
    NewsItemFactory.create_batch(n, issue=issue)
    for case in CaseFactory.create_batch(n, year=2019, status="accepted", for_bulletin=True):
        services.add_case(issue, case)
    CaseFactory.create_batch(n, year=2019, status="accepted", for_bulletin=True)  # offered for picking


def test_edit_page_queries_are_flat_in_the_number_of_sections(staff, draft):
    _fill(draft, 1)
    with CaptureQueriesContext(connection) as few:
        assert staff.get("/bulletins/2019/12/edit/").status_code == 200
    _fill(draft, 9)
    with CaptureQueriesContext(connection) as many:
        response = staff.get("/bulletins/2019/12/edit/")
    assert response.content.decode().count('class="section-item"') == 10 * 3 + 3
    assert len(many.captured_queries) == len(few.captured_queries)
    assert Article.objects.filter(issue=draft).count() == 10
