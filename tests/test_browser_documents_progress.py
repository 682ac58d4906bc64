"""The office publishes an issue and watches its PDF, Word and Excel files being made, without reloading."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from playwright.sync_api import expect

from bulletins import documents
from bulletins.management.commands.load_demo import DEMO_PASSWORD
from bulletins.models import Issue

from .conftest import browser_log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_root")]

# The script asks every few seconds, then less often (up to every 30 s): room for one slow interval.
POLL = 45_000


def test_the_progress_line_follows_render_documents_without_a_reload(page, live_server, demo_db):
    base = live_server.url
    browser_log_in(page, base, "office", DEMO_PASSWORD)
    expect(page.locator(".site-nav .user")).to_be_visible()
    page.goto(f"{base}/bulletins/new/")
    page.click("button:has-text('新建')")
    expect(page.locator("h1")).to_contain_text("编辑2019年第12期")
    page.fill("#id_add-news-date", "2019-12-05")
    page.fill("#id_add-news-text", "12月5日，市信用办召开年度考核布置会。")
    page.click("button:has-text('添加简讯')")
    page.click("a:has-text('预览')")
    page.click(".preview-bar a:has-text('发布')")
    page.click("button:has-text('确认发布')")
    expect(page).to_have_url(f"{base}/bulletins/2019/12/")

    line = page.locator("#documents-progress")
    expect(line).to_have_attribute("aria-live", "polite")
    expect(line).to_contain_text("正在生成PDF、Word、Excel文件…")
    expect(line).to_contain_text("发布时排入，已等候")  # since when: the publication, the only time known
    expect(line).not_to_contain_text("刷新本页")  # the script follows for the office
    page.evaluate("window.__notReloaded = true")

    issue = Issue.objects.select_related("current_version").get(year=2019, number=12)
    version = issue.current_version
    version.issue = issue
    documents.store(version, "xlsx")  # render_documents makes the workbook first
    expect(line).to_contain_text("正在生成PDF、Word文件…", timeout=POLL)

    call_command("render_documents", stdout=io.StringIO())
    expect(line).to_have_text("PDF、Word、Excel 文件已生成。", timeout=POLL)
    assert page.evaluate("window.__notReloaded") is True

    # The page's download link sends the file render_documents stored.
    href = page.locator(".issue-downloads a", has_text="PDF").get_attribute("href")
    response = page.request.get(base + href)
    assert response.headers["content-type"] == "application/pdf"
    with default_storage.open(documents.stored_name(version, "pdf"), "rb") as stored:
        assert response.body() == stored.read()


def test_the_line_stops_asking_after_a_quarter_of_an_hour(page, live_server, demo_db):
    """No cron making the files (render_documents never runs): the page gives up and asks for a refresh.

    The page's clock is Playwright's: a quarter of an hour passes at once.
    """
    base = live_server.url
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/documents/" in request.url else None)
    browser_log_in(page, base, "office", DEMO_PASSWORD)
    expect(page.locator(".site-nav .user")).to_be_visible()
    page.clock.install()
    page.goto(f"{base}/bulletins/2019/11/")  # the demo's files are not stored in this test's media
    line = page.locator("#documents-progress")
    expect(line).to_contain_text("正在生成PDF、Word、Excel文件…")
    expect(line).not_to_contain_text("刷新本页")

    with page.expect_request("**/documents/"):
        page.clock.run_for(3_000)  # the first question, a few seconds after the page came
    page.clock.fast_forward("16:00")
    expect(line).to_contain_text("刷新本页查看进度。")
    count = len(asked)
    page.clock.fast_forward("30:00")
    page.evaluate("1")  # a round trip: a request the page made meanwhile would have been reported by now
    assert len(asked) == count
