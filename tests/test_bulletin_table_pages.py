"""A published issue's long tables in pages on the web (bulletins.published): the issue's page shows the first
page of a table longer than BULLETIN_TABLE_PAGE_ROWS units and links its other pages; together the pages show
every row, in order; Kunshan's tables (the default) stay whole, as printed; the files stay whole."""

import re

import pytest

from bulletins.models import Issue
from bulletins.services import publish_issue

from .test_bulletin_page import URL, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_pages(settings):
    settings.BULLETIN_TABLE_PAGE_ROWS = 5
    return Issue.objects.select_related("current_version").get(year=2019, number=11)


def _rows(html):
    """The unit names of every table row on the page, per table."""
    return [[row[0][1] for row in table[1:]] for table in parse(html).tables]


def _snapshot_rows(issue):
    return {t["category"]["slug"]: [r["unit"] for r in t["rows"]] for t in issue.current_version.snapshot["tables"]}


def test_kunshans_tables_stay_whole_with_no_pager(client):
    html = client.get(URL).content.decode()
    assert "table-pager" not in html and "/tables/" not in html


def test_the_issue_page_shows_each_long_tables_first_page_and_its_pager(client, short_pages):
    printed = _snapshot_rows(short_pages)
    html = client.get(URL).content.decode()
    assert _rows(html) == [units[:5] for units in printed.values()]
    long = {slug: units for slug, units in printed.items() if len(units) > 5}
    assert len(long) == 2 and html.count('class="table-pager') == 2  # a table of 5 units or fewer stays whole
    for slug, units in long.items():
        pages = -(-len(units) // 5)
        assert f"共 {len(units)} 家单位，分 {pages} 页；本页是第 1–5 家" in html
        assert f'href="/bulletins/2019/11/v1/tables/{slug}/2/" rel="next"' in html
        assert f'href="/bulletins/2019/11/v1/tables/{slug}/{pages}/"' in html


def test_the_pages_of_a_table_together_show_every_row_in_order(client, short_pages):
    for slug, units in _snapshot_rows(short_pages).items():
        shown, number = [], 1
        while True:
            response = client.get(f"/bulletins/2019/11/v1/tables/{slug}/{number}/")
            if response.status_code == 404:
                break
            assert response.status_code == 200
            html = response.content.decode()
            [rows] = _rows(html)
            shown += rows
            assert f"第 {number} 页" in html and "PDF、Word 和 Excel 是完整的表格" in html
            if number > 1:
                assert f'href="/bulletins/2019/11/v1/tables/{slug}/{number - 1}/" rel="prev"' in html
            number += 1
        assert shown == units and number - 1 == -(-len(units) // 5)
    assert client.get("/bulletins/2019/11/v1/tables/nowhere/1/").status_code == 404
    assert client.get("/bulletins/2019/11/v1/tables/qz/0/").status_code == 404


def test_a_table_page_is_made_once_and_kept(client, short_pages, django_assert_max_num_queries):
    slug = next(iter(_snapshot_rows(short_pages)))
    url = f"/bulletins/2019/11/v1/tables/{slug}/2/"
    first = client.get(url).content
    with django_assert_max_num_queries(3):  # the issue, its version, the kept table (the cache): not the snapshot
        assert client.get(url).content == first


def test_an_old_versions_table_pages_keep_what_it_published(client, short_pages, staff_user, role_client):
    slug = next(iter(_snapshot_rows(short_pages)))
    before = client.get(f"/bulletins/2019/11/v1/tables/{slug}/2/").content.decode()
    article = short_pages.articles.get()
    article.title = "更正后的标题"
    article.save()
    publish_issue(short_pages, staff_user, reason="更正标题")
    old = client.get(f"/bulletins/2019/11/v1/tables/{slug}/2/").content.decode()
    assert _rows(old) == _rows(before) and "（第1版，已更正）" in old
    assert 'href="/bulletins/2019/11/v1/#table-' in old
    current = client.get(URL).content.decode()
    assert f'href="/bulletins/2019/11/v2/tables/{slug}/2/"' in current


def test_an_unpublished_issues_table_pages_do_not_exist(client, db):
    assert client.get("/bulletins/2030/3/v1/tables/qz/1/").status_code == 404


def test_the_changes_list_of_a_page_names_only_its_rows(short_pages):
    from bulletins import snapshot

    version = short_pages.current_version
    data = version.snapshot
    table = data["tables"][0]
    units = [r["unit_id"] for r in table["rows"]]
    changes = {"tables": {str(table["scheme_id"]): [{"unit_id": u, "column": 0, "before": "*"} for u in units]}}
    view = snapshot.table_view(data, changes, table["category"]["slug"], 5, 10)
    assert [c["unit_id"] for c in view.page_changes] == units[5:10]
    assert len(view.changes) == len(units) and view.total_rows == len(units)
    assert re.match(r"\w+", view.category.name)
