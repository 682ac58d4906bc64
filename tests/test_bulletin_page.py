"""The public bulletin page shows the 2019 第11期 exactly as printed."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Indicator, Unit
from bulletins.models import Issue
from bulletins.services import publish_issue

from . import reference
from .factories import IssueFactory, multiply_units

URL = "/bulletins/2019/11/"


class _TableParser(HTMLParser):
    """Collects every <table>: rows of (tag, text) cells; and the page's visible text."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell, self.text = [], None, []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("th", "td"):
            self._cell = [tag, ""]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag in ("th", "td") and self._cell:
            self.tables[-1][-1].append((self._cell[0], " ".join(self._cell[1].split())))
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell[1] += data


def parse(html):
    parser = _TableParser()
    parser.feed(html)
    return parser


@pytest.fixture
def bulletin(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    return parse(response.content.decode())


def test_three_tables_match_the_printed_issue_cell_for_cell(bulletin):
    printed = reference.tables()
    assert len(bulletin.tables) == 3
    for table, category in zip(bulletin.tables, reference.CATEGORIES, strict=True):
        header, *rows = table
        assert all(tag == "th" for tag, _ in header)
        assert [reference.squash(t) for _, t in header] == [reference.squash(c) for c in printed[category]["header"]]
        assert [[text for _, text in row] for row in rows] == printed[category]["rows"]
        assert all(row[0][0] == "th" for row in rows)


def test_every_note_is_printed_under_its_table(client, db):
    html = client.get(URL).content.decode()
    blocks = html.split('class="progress-block"')[1:]
    for block, category in zip(blocks, reference.CATEGORIES, strict=True):
        notes = re.findall(r'<li value="(\d+)"><span class="note-number">\d+\.</span> (.*?)</li>', block)
        printed = reference.tables()[category]["notes"]
        assert [(int(n), reference.squash(t)) for n, t in notes] == [(n, reference.squash(t)) for n, t in printed]


def test_every_printed_line_appears_in_order(bulletin):
    text = reference.squash("".join(bulletin.text)).replace("&quot;", '"')
    position = 0
    for line in reference.text_lines():
        wanted = reference.squash(line.replace("\t", ""))
        found = text.find(wanted, position)
        assert found >= 0, f"missing or out of order: {line[:60]}"
        position = found + len(wanted)


def test_sections_in_printed_order(client, db):
    html = client.get(URL).content.decode()
    positions = [html.index(s) for s in ("【工作推进】", "【奖惩案例】", "【工作简讯】", "【工作进展通报】", "报：")]
    assert positions == sorted(positions)
    assert "〔2019〕" in html and "第 11 期" in html and "工作信息" in html
    assert "{2019}" not in html and " and " not in html


def test_home_shows_the_latest_published_issue(client, db):
    IssueFactory(year=2030, number=1, is_published=False)
    response = client.get("/")
    assert response.status_code == 200
    assert "第 11 期" in response.content.decode()


def test_unknown_issue_is_a_chinese_404(client, db):
    response = client.get("/bulletins/2019/99/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_unpublished_issue_is_hidden_from_readers_but_not_from_staff(role_client, db):
    IssueFactory(year=2030, number=3, is_published=False)
    for role in ("anonymous", "reporter", "leader"):
        assert role_client(role).get("/bulletins/2030/3/").status_code == 404
        assert role_client(role).get("/bulletins/2030/3/progress.xlsx").status_code == 404
    assert role_client("staff").get("/bulletins/2030/3/").status_code == 200


def test_page_links_the_excel_export(client, db):
    assert "/bulletins/2019/11/progress.xlsx" in client.get(URL).content.decode()


def test_static_files_are_local(client, db):
    html = client.get(URL).content.decode()
    assert not re.search(r'(src|href)="(https?:)?//', html)


def republish(reason):
    """A correction of the demo issue taking the current data (the published page is frozen otherwise)."""
    publish_issue(Issue.objects.get(year=2019, number=11), None, reason=reason, keep_tables=False)


def test_query_count_is_flat_in_the_number_of_units(client, db, django_assert_num_queries, settings):
    settings.BULLETIN_TABLE_PAGE_ROWS = 1000  # every row on the page (longer tables: test_bulletin_table_pages.py)
    assert client.get(URL).status_code == 200  # the first read renders the version once and stores it
    with CaptureQueriesContext(connection) as first:
        assert client.get(URL).status_code == 200
    # Read as stored: the issue with its version, and the page from the shared cache (a query with the database cache).
    assert len(first.captured_queries) <= 2
    Issue.objects.filter(year=2019, number=11).update(editor="张 三")
    republish("更正编辑姓名")
    with CaptureQueriesContext(connection) as demo:
        assert client.get(URL).status_code == 200
    multiply_units(10)
    assert Unit.objects.count() == 700
    republish("加入单位")
    with django_assert_num_queries(len(demo.captured_queries)):
        response = client.get(URL)
    assert response.content.decode().count("<tr>") > 700
    # The shared cache is the database's here: its reads and writes (two stored renderings) are not the page's.
    assert len([q for q in demo.captured_queries if "kc_cache" not in q["sql"]]) <= 8


def test_the_page_is_data_driven(client, db):
    """A change of header, points label, note or unit name in the data shows on the page once published."""
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=1)
    indicator.title, indicator.points_label, indicator.points = "新指标名称", "(0.7分)", Decimal("0.7")
    indicator.save()
    note = indicator.notes.get()
    note.text = "新的说明文字。"
    note.save()
    Unit.objects.filter(name="周庄镇").update(name="周庄镇（新）")
    # The published issue is frozen: the change shows only in a new (corrected) version.
    assert "新指标名称" not in client.get(URL).content.decode()
    republish("更新表格")
    html = client.get(URL).content.decode()
    assert "新指标名称" in html and "(0.7分)" in html and "新的说明文字。" in html and "周庄镇（新）" in html
    assert "完成创建国家信用示范城市任务" not in html


def test_issue_fields_render_from_the_issue(client, db):
    Issue.objects.filter(year=2019, number=11).update(editor="张 三", phone="0512-00000000")
    assert "张 三" not in client.get(URL).content.decode()
    republish("更正编辑和电话")
    html = client.get(URL).content.decode()
    assert "张 三" in html and "0512-00000000" in html and "宋 婧" not in html
