"""A case's whole round in a real browser, through each side's 待办 and notices: the reporter submits, the office
finds it in its 待办 and is told by e-mail (a real SMTP server on 127.0.0.1), returns it with a reason, the
reporter finds the reason in its 待办 and its notice, resubmits, the office accepts; each 待办 entry goes
once it is done. Every page visited is axe-clean and holds no English word."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from bulletins.management.commands.load_demo import DEMO_PASSWORD

from .a11y import violations
from .conftest import browser_log_in
from .test_chinese_everywhere import english_words

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_root")]

TITLE = "信用承诺 助企纾困"
PRINTED = f"守信激励·{TITLE}"
REASON = "请补充受理时间。"
USERNAMES = ("office", "fagaiwei")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """axe-core is injected as a script: the page's script-src 'self' would refuse it (as in test_browser_a11y)."""
    return {**browser_context_args, "bypass_csp": True}


def check(page):
    """The page as it is now: no serious or critical axe violation, no English word a user reads."""
    assert violations(page) == [], page.url
    assert english_words(page.content(), USERNAMES)[0] == [], page.url


def log_in(page, base, username):
    browser_log_in(page, base, username, DEMO_PASSWORD)
    expect(page.locator(".site-nav .user")).to_be_visible()


def log_out(page):
    page.locator(".site-nav").get_by_role("button", name="退出").click()
    expect(page.locator(".site-nav").get_by_role("link", name="登录")).to_be_visible()


def todo(page, base, section):
    """The signed-in user's 待办, checked; the entries of `section` (a locator, maybe absent)."""
    page.goto(f"{base}/todo/")
    expect(page.locator("h1")).to_have_text("待办")
    check(page)
    return page.locator(".todo-section", has=page.locator("h2", has_text=section)).locator(".todo-items li")


def mails_to(smtp_server, address):
    """What the SMTP server received for `address` since the last call, once the queue was sent."""
    call_command("send_queued", stdout=io.StringIO())
    found = [m for m in smtp_server.messages if address in m["to"]]
    smtp_server.messages[:] = [m for m in smtp_server.messages if address not in m["to"]]
    return found


def test_a_case_goes_round_through_both_sides_todo_and_notices(page, live_server, demo_db, smtp_server, settings):
    base = settings.SITE_URL = live_server.url
    office_mail, unit_mail = "office@example.gov.cn", "fagaiwei@example.gov.cn"

    # The reporter of 发改委 writes and submits a case.
    log_in(page, base, "fagaiwei")
    page.goto(f"{base}/cases/new/")
    check(page)
    page.get_by_label("守信激励").check()
    page.fill("#id_title", TITLE)
    page.fill("#id_subject", "昆山某科技有限公司")
    page.fill("#id_measure", "容缺受理，先行发放许可。")
    page.fill("#id_event_date", "2019-10-15")
    page.fill("#id_body", "第一段。\n第二段。")
    page.get_by_role("button", name="报送", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("已报送")
    check(page)
    case_url = page.url
    log_out(page)

    # The office is told by e-mail, and the case waits in its 待办.
    [arrived] = mails_to(smtp_server, office_mail)
    assert arrived["subject"] == f"【昆山信用】发改委报送了奖惩案例：{TITLE}"
    assert f"办理页面：{case_url}" in arrived["body"]
    log_in(page, base, "office")
    waiting = todo(page, base, "待审核的奖惩案例").filter(has_text=PRINTED)
    expect(waiting).to_have_count(1)
    waiting.get_by_role("link", name=re.compile(re.escape(PRINTED))).click()
    expect(page.locator("#case-status")).to_have_text("已报送")
    check(page)
    page.fill("#id_reason", REASON)
    page.get_by_role("button", name="退回", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("已退回")
    check(page)
    expect(todo(page, base, "待审核的奖惩案例").filter(has_text=PRINTED)).to_have_count(0)
    log_out(page)

    # The reporter's notice and 待办 both give the reason; the entry leads to the form.
    [returned] = mails_to(smtp_server, unit_mail)
    assert returned["subject"] == f"【昆山信用】您报送的案例被退回：{TITLE}"
    assert f"退回理由：\n{REASON}" in returned["body"]
    log_in(page, base, "fagaiwei")
    entry = todo(page, base, "被退回的奖惩案例").filter(has_text=PRINTED)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(f"退回理由：{REASON}")
    entry.get_by_role("link", name=PRINTED).click()
    expect(page.locator("h1")).to_have_text(f"修改案例：{TITLE}")
    check(page)
    page.fill("#id_body", "第一段。\n2019年10月15日受理。")
    page.get_by_role("button", name="重新报送").click()
    expect(page.locator("#case-status")).to_have_text("已重新报送")
    check(page)
    expect(todo(page, base, "被退回的奖惩案例").filter(has_text=PRINTED)).to_have_count(0)
    log_out(page)

    # The office hears of it again, finds it in its 待办 and accepts it; the entry goes.
    [again] = mails_to(smtp_server, office_mail)
    assert again["subject"] == f"【昆山信用】发改委重新报送了奖惩案例：{TITLE}"
    log_in(page, base, "office")
    waiting = todo(page, base, "待审核的奖惩案例").filter(has_text=PRINTED)
    expect(waiting).to_contain_text("已重新报送")
    waiting.get_by_role("link", name=re.compile(re.escape(PRINTED))).click()
    page.get_by_role("button", name="采用", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("已采用")
    check(page)
    expect(todo(page, base, "待审核的奖惩案例").filter(has_text=PRINTED)).to_have_count(0)
    log_out(page)

    [accepted] = mails_to(smtp_server, unit_mail)
    assert accepted["subject"] == f"【昆山信用】您报送的案例已采用：{TITLE}"
    log_in(page, base, "fagaiwei")
    expect(todo(page, base, "被退回的奖惩案例").filter(has_text=PRINTED)).to_have_count(0)
