"""The archive of published issues (by year, newest first, searchable) and its Atom feed."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bulletins import services
from bulletins.models import Issue

from .factories import CaseFactory, IssueFactory

ATOM = "{http://www.w3.org/2005/Atom}"


def _published(year, number, *, title=None, news=None, case=None):
    issue = IssueFactory(year=year, number=number, date=datetime.date(year, min(number, 12), 20), is_published=False)
    if title:
        services.add_article(issue, title=title, body=f"{title}的正文。")
    if news:
        services.add_news(issue, text=news)
    if case:
        services.add_case(issue, case)
    services.publish_issue(issue, None)
    return issue


@pytest.fixture
def issues(db):
    return [
        _published(2018, 12, title="二〇一八年终总结", news="12月20日，召开年终会议。"),
        _published(2020, 1, title="新年度工作部署"),
        _published(2020, 2, news="2月3日，市信用办赴张浦镇调研诚信街区建设。"),
        _published(
            2020,
            3,
            case=CaseFactory(
                title="危化品运输联合惩戒", kind="penalty", year=2020, status="accepted", for_bulletin=True
            ),
        ),
    ]


def _entries(html):
    return [line.split('href="')[1].split('"')[0] for line in html.split('class="issue-link"')[1:]]


def test_published_issues_by_year_newest_first(client, issues):
    response = client.get("/bulletins/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _entries(html) == [
        "/bulletins/2020/3/",
        "/bulletins/2020/2/",
        "/bulletins/2020/1/",
        "/bulletins/2019/11/",
        "/bulletins/2018/12/",
    ]
    assert html.index("2020年</h2>") < html.index("2019年</h2>") < html.index("2018年</h2>")
    assert "完善信用体系 优化营商环境" in html  # the demo's article title as summary
    assert 'type="application/atom+xml"' in html


def test_drafts_are_listed_for_staff_only(role_client, issues):
    services.create_issue(year=2020, number=4, date=datetime.date(2020, 4, 20))
    for role in ("anonymous", "reporter", "leader"):
        html = role_client(role).get("/bulletins/").content.decode()
        assert "/bulletins/2020/4/" not in html and "未发布" not in html
    html = role_client("staff").get("/bulletins/").content.decode()
    assert "/bulletins/2020/4/edit/" in html and "新建一期" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("年终总结", ["/bulletins/2018/12/"]),  # an article title
        ("新年度工作部署的正文", ["/bulletins/2020/1/"]),  # an article body
        ("诚信街区", ["/bulletins/2020/2/"]),  # a news item
        ("危化品运输", ["/bulletins/2020/3/"]),  # a case title
        ("失信惩戒·危化品", ["/bulletins/2020/3/"]),  # a case as printed
        ("容缺审批", ["/bulletins/2019/11/"]),  # the demo's case subtitle
        ("嘉昆太", ["/bulletins/2019/11/"]),  # the demo's article body and news
        ("召开", ["/bulletins/2019/11/", "/bulletins/2018/12/"]),
    ],
)
def test_search_over_titles_articles_cases_and_news(client, issues, query, expected):
    html = client.get("/bulletins/", {"q": query}).content.decode()
    assert _entries(html) == expected
    assert f"<mark>{query}</mark>" in html


def test_search_reads_what_was_published_not_later_edits(client, issues):
    issue = Issue.objects.get(year=2020, number=1)
    issue.articles.update(title="尚未更正发布的新标题")
    assert _entries(client.get("/bulletins/", {"q": "尚未更正发布"}).content.decode()) == []


def test_search_without_results(client, issues):
    html = client.get("/bulletins/", {"q": "不存在的词"}).content.decode()
    assert _entries(html) == [] and "没有找到包含“不存在的词”的期刊" in html


def test_feed_is_valid_atom(client, issues):
    response = client.get("/bulletins/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}").text, name
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "昆山市社会信用体系建设领导小组办公室"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/bulletins/feed/")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{name}").text, name
        datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/bulletins/")
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0] == "昆山信用体系建设 工作信息 2020年第3期"
    assert "昆山信用体系建设 工作信息 2019年第11期" in titles
    demo = next(e for e in entries if e.find(f"{ATOM}link").get("href").endswith("/bulletins/2019/11/"))
    assert "完善信用体系" in demo.find(f"{ATOM}summary").text


def test_a_correction_updates_its_feed_entry(client, issues):
    before = ET.fromstring(client.get("/bulletins/feed/").content)
    issue = Issue.objects.get(year=2020, number=2)
    services.add_news(issue, text="2月5日，补充一条简讯。")
    services.publish_issue(issue, None, reason="补充简讯")
    after = ET.fromstring(client.get("/bulletins/feed/").content)
    old = {e.find(f"{ATOM}id").text: e for e in before.findall(f"{ATOM}entry")}
    new = {e.find(f"{ATOM}id").text: e for e in after.findall(f"{ATOM}entry")}
    assert old.keys() == new.keys()
    entry_id = next(k for k, e in new.items() if "2020年第2期" in e.find(f"{ATOM}title").text)
    assert "已更正" in new[entry_id].find(f"{ATOM}title").text
    assert new[entry_id].find(f"{ATOM}updated").text > old[entry_id].find(f"{ATOM}updated").text
    assert "更正原因：补充简讯" in new[entry_id].find(f"{ATOM}summary").text


def test_archive_and_feed_queries_are_flat_in_the_number_of_issues(client, issues):
    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = [count("/bulletins/"), count("/bulletins/feed/"), count("/bulletins/?q=简讯")]
    for number in range(1, 25):
        _published(2017, number, title=f"第{number}期文章", news=f"{number}月，简讯。")
    many = [count("/bulletins/"), count("/bulletins/feed/"), count("/bulletins/?q=简讯")]
    assert many == few
    assert client.get("/bulletins/").content.decode().count('class="issue-link"') == 5 + 24
