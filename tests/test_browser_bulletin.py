"""The bulletin page in a real browser (Debian's chromium through Playwright)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_reader_sees_the_issue_with_chinese_text_and_local_styles(page, live_server, demo_db, tmp_path):
    external = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else external.append(r.url))
    page.goto(f"{live_server.url}/bulletins/2019/11/")
    expect(page.locator(".series-title")).to_have_text("昆山信用体系建设")
    expect(page.locator(".section-title")).to_have_text(
        ["【工作推进】", "【奖惩案例】", "【工作简讯】", "【工作进展通报】"]
    )
    # The masthead is red and the headings use a serif face: the stylesheet from static/ applied.
    color = page.locator(".series-title").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(192, 0, 0)"
    assert "Serif" in page.locator(".article-title").evaluate("e => getComputedStyle(e).fontFamily")
    assert external == []
    page.screenshot(path=str(tmp_path / "bulletin.png"), full_page=True)


def test_department_table_shows_every_row_and_scrolls_only_sideways(page, live_server, demo_db):
    page.goto(f"{live_server.url}/bulletins/2019/11/")
    scroller = page.locator("#table-departments .table-scroll")
    # No box of its own: the wrapper is as tall as the table, all 54 rows are on the page.
    heights = scroller.evaluate("e => [e.clientHeight, e.scrollHeight]")
    assert heights[1] - heights[0] <= 2
    assert page.locator("#table-departments tbody tr").count() == 54
    last = page.locator("#table-departments tbody th", has_text="消防大队")
    last.scroll_into_view_if_needed()
    assert last.is_visible()
    # Keyboard users reach the wrapper and scroll it with the arrow keys.
    assert scroller.get_attribute("tabindex") == "0" and scroller.get_attribute("aria-label")


def test_print_layout_repeats_the_table_header(page, live_server, demo_db):
    page.goto(f"{live_server.url}/bulletins/2019/11/")
    page.emulate_media(media="print")
    display = page.locator("#table-departments thead").evaluate("e => getComputedStyle(e).display")
    assert display == "table-header-group"
    assert page.locator(".site-header").is_hidden()
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
