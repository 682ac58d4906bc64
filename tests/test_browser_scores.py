"""Scores in a real browser: staff find 得分, read a breakdown, record and confirm a missed task."""

import os

import pytest
from playwright.sync_api import expect

from bulletins.management.commands.load_demo import DEMO_PASSWORD

from .conftest import browser_log_in
from .factories import correct_demo_issue

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("KC_SCREENSHOTS")  # a directory to keep screenshots in, when looking at the pages


def _shot(page, tmp_path, name):
    page.screenshot(path=os.path.join(SHOTS or str(tmp_path), f"{name}.png"), full_page=True)


def _login(page, live_server, username):
    browser_log_in(page, live_server.url, username, DEMO_PASSWORD)


def test_staff_record_a_missed_task_and_see_it_everywhere(page, live_server, demo_db, tmp_path):
    _login(page, live_server, "office")
    page.click("nav >> text=得分")
    expect(page.locator("h1")).to_have_text("2019年信用体系建设考核得分")
    towns = page.locator('table[data-category="towns"] tbody tr')
    expect(towns.first.locator("td").first).to_have_text("并列1")
    first_office = page.locator("table[data-category=offices] tbody th a").first
    first_office.click()  # jumps to its breakdown
    page.locator(first_office.get_attribute("href") + " summary").click()
    expect(page.locator(first_office.get_attribute("href") + " .breakdown-table")).to_be_visible()
    _shot(page, tmp_path, "scores")

    page.goto(f"{live_server.url}/assessment/2019/scores/deductions/new/")
    page.select_option("select[name=unit]", label="城市管理办事处 · 亭林城市管理办事处")
    page.select_option(
        "select[name=indicator]", label="城市管理办事处 · 诚信专题宣传任务（扣0.5分/次，扣满2分为止，填次数）"
    )
    page.fill("input[name=date]", "2019-10-15")
    page.fill("input[name=count]", "2")
    page.fill("textarea[name=reason]", "10月两次专题宣传任务未完成")
    _shot(page, tmp_path, "deduction_form")
    page.click("form.score-form button[type=submit]")
    expect(page.locator(".message")).to_contain_text("待确认")
    page.click(".deduction-table button:has-text('确认')")
    expect(page.locator(".message")).to_contain_text("已确认")
    _shot(page, tmp_path, "deductions")

    # The published issue is frozen; the office prints the confirmed deduction with a correction.
    assert correct_demo_issue("印发扣分情况")
    page.goto(f"{live_server.url}/bulletins/2019/11/")
    row = page.locator("#table-offices tbody tr", has_text="亭林城市管理办事处")
    expect(row.locator("td.deduction-col")).to_have_text("诚信专题宣传任务未完成2次，扣1分")

    page.goto(f"{live_server.url}/assessment/2019/scores/close/")
    _shot(page, tmp_path, "close")
    page.click("button:has-text('确认年终考核')")
    expect(page.locator(".message")).to_contain_text("第1版")
    expect(page.locator(".score-banner.frozen")).to_contain_text("第1版")
    _shot(page, tmp_path, "frozen")


def test_a_reporter_reads_its_own_breakdown(page, live_server, demo_db, tmp_path):
    _login(page, live_server, "fagaiwei")
    expect(page.locator("nav")).not_to_contain_text("得分")
    from assessment.models import Unit

    page.goto(f"{live_server.url}/assessment/2019/scores/{Unit.objects.get(name='发改委').pk}/")
    expect(page.locator(".score-summary")).to_contain_text("满分 1.8 分")
    expect(page.locator(".breakdown-table tbody tr")).to_have_count(8)
    _shot(page, tmp_path, "unit")
