"""The office's progress line of a published issue's files, and the JSON the issue page polls for it."""

import datetime
import io
import re

import pytest
from django.core.management import call_command

from bulletins import documents
from bulletins.models import Issue

from .conftest import log_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

URL = "/bulletins/2019/11/documents/"


def _version():
    issue = Issue.objects.select_related("current_version").get(year=2019, number=11)
    version = issue.current_version
    version.issue = issue
    return version


def test_the_endpoint_says_what_is_missing_until_the_files_are_made(client, staff_user):
    log_in(client, staff_user)
    version = _version()
    data = client.get(URL).json()
    assert data["missing"] == ["PDF", "Word", "Excel"]
    assert data["done"] == []
    assert data["text"].startswith("正在生成PDF、Word、Excel文件…（")
    assert data["queued_at"] == version.published_at.isoformat()

    documents.store(version, "xlsx")
    documents.store(version, "docx")
    data = client.get(URL).json()
    assert (data["missing"], data["done"]) == (["PDF"], ["Excel", "Word"])
    assert data["text"].startswith("正在生成PDF文件…")

    documents.store_all(version)
    response = client.get(URL)
    assert "no-cache" in response["Cache-Control"]  # a poll never gets an old answer from a cache
    assert response.json() == {
        "missing": [],
        "done": ["Excel", "Word", "PDF"],
        "text": "PDF、Word、Excel 文件已生成。",
        "queued_at": version.published_at.isoformat(),
    }


def test_the_page_and_the_endpoint_say_the_same(client, staff_user):
    """One wording: the line the page is served with is the text the endpoint answers."""
    log_in(client, staff_user)
    html = client.get("/bulletins/2019/11/").content.decode()
    line = re.search(r'<span class="documents-progress-text">([^<]*)</span>', html).group(1)
    assert line == client.get(URL).json()["text"]
    assert 'data-url="/bulletins/2019/11/documents/"' in html
    assert "刷新本页查看进度。" in html  # without JavaScript the office still knows what to do
    assert "js/documents.js" in html

    call_command("render_documents", stdout=io.StringIO())
    html = client.get("/bulletins/2019/11/").content.decode()
    assert '<span class="documents-progress-text">PDF、Word、Excel 文件已生成。</span>' in html
    assert "data-url" not in html and "js/documents.js" not in html and "刷新本页" not in html


def test_the_waiting_time_comes_from_the_publication():
    """The only time known is the publication (when the files were queued): no start of a file is invented."""
    queued = datetime.datetime(2019, 12, 3, 6, 5, tzinfo=datetime.UTC)  # 14:05 in Kunshan
    at = datetime.timedelta
    assert documents.progress_text(["PDF"], queued, queued + at(seconds=20)) == (
        "正在生成PDF文件…（14:05 发布时排入，已等候 不到 1 分钟）"
    )
    assert documents.progress_text(["PDF", "Word"], queued, queued + at(minutes=7, seconds=59)) == (
        "正在生成PDF、Word文件…（14:05 发布时排入，已等候 7 分钟）"
    )
    assert documents.progress_text(["PDF"], queued, queued + at(hours=26, minutes=3)) == (
        "正在生成PDF文件…（12月3日 14:05 发布时排入，已等候 26 小时 3 分钟）"
    )
    assert documents.progress_text([], queued) == "PDF、Word、Excel 文件已生成。"


def test_a_draft_has_no_files_to_wait_for(client, staff_user):
    log_in(client, staff_user)
    Issue.objects.create(year=2019, number=40, date=datetime.date(2019, 12, 30), is_published=False)
    assert client.get("/bulletins/2019/40/documents/").status_code == 404


def test_the_endpoint_reads_little(client, staff_user, django_assert_max_num_queries):
    """Asked every few seconds: the session, the user, the second factor, the groups, then the issue — once."""
    log_in(client, staff_user)
    client.get(URL)
    with django_assert_max_num_queries(5) as ctx:
        assert client.get(URL).status_code == 200
    assert not any('"snapshot"' in q["sql"] for q in ctx.captured_queries)
