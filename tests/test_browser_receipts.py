"""催办 of one unit in the browser: the office presses 发改委 from its page, the unit opens its 签收 link, the
office sees it acknowledged."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from assessment.marks.services import set_mark
from assessment.models import Mark
from bulletins.management.commands.load_demo import DEMO_PASSWORD

from .a11y import violations
from .conftest import browser_log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """axe-core is injected as a script: the page's script-src 'self' would refuse it (as in test_browser_a11y)."""
    return {**browser_context_args, "bypass_csp": True}


def _login(page, live_server, username):
    browser_log_in(page, live_server.url, username, DEMO_PASSWORD)
    expect(page.locator(".site-nav .user")).to_be_visible()


def _logout(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()


def test_a_unit_pressed_alone_acknowledges_through_its_link(page, live_server, demo_db, mailoutbox, settings):
    settings.SITE_URL = live_server.url
    office = get_user_model().objects.get(username="office")
    mark = Mark.objects.select_related("indicator").get(
        unit__name="发改委", indicator__order=5, indicator__scheme__year=2019
    )
    set_mark(mark, "*", office)

    _login(page, live_server, "office")
    page.goto(f"{live_server.url}/units/{mark.unit_id}/")
    page.get_by_role("link", name="催办本单位").click()
    expect(page.locator("h1")).to_have_text("催办 · 发改委")
    assert violations(page) == []
    expect(page.get_by_label(re.compile(re.escape(mark.indicator.title)))).to_be_checked()
    page.get_by_label("留言（可不填）").fill("请于本周五前完成。")
    page.get_by_role("button", name="发送催办").click()
    expect(page.locator("h2").first).to_have_text("未签收（1 家）")
    status_url = page.url
    _logout(page)

    call_command("send_queued", stdout=io.StringIO())
    [mail] = [m for m in mailoutbox if "fagaiwei@example.gov.cn" in m.to]
    assert "市信用办留言：请于本周五前完成。" in mail.body
    link = re.search(r"签收（需登录本单位填报账号）：(\S+)", mail.body).group(1)

    # the link asks to sign in first, then records the 签收
    browser_log_in(page, live_server.url, "fagaiwei", DEMO_PASSWORD, next_url=link.removeprefix(live_server.url))
    expect(page.locator("#receipt-status")).to_contain_text("已签收")
    assert violations(page) == []
    _logout(page)

    _login(page, live_server, "office")
    page.goto(status_url)
    expect(page.locator("h2").first).to_have_text("未签收（0 家）")
    expect(page.locator(".receipts-acknowledged tbody tr")).to_have_count(1)
    expect(page.locator(".receipts-acknowledged tbody tr")).to_contain_text("发改委")
    assert violations(page) == []
