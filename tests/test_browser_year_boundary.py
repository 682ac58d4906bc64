"""The year boundary in a real browser (Debian's chromium through Playwright): a closed year's grid shows
its banner and opens no cell; in January “新建一期” proposes the new year's 第1期; the first issue of 2020
prints a plain comparison with the previous year's last issue, never “与2019年第12期相比：。”."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessment.marks.services import start_new_year
from assessment.scoring.services import close_year

from .test_browser_grid import cell, log_in

pytestmark = pytest.mark.browser


def office():
    return get_user_model().objects.get(username="office")


def test_a_closed_years_grid_shows_the_banner_and_opens_no_cell(page, live_server, demo_db):
    close_year(2019, office(), reason="2019年度年终考核。")
    log_in(page, live_server, "office")
    banner = page.locator(".year-state.year-closed")
    expect(banner).to_contain_text("完成年终考核（第1版）")
    expect(banner).to_contain_text("说明：2019年度年终考核。")
    expect(banner).not_to_contain_text("。。")
    expect(page.locator("#bulk-form")).to_have_count(0)
    target = cell(page, "财政局", 1)
    target.click()
    expect(target).to_be_focused()  # the keyboard still moves through the read-only grid
    page.keyboard.press("Enter")  # on a read-only cell Enter shows its history, not the editor
    expect(page.locator("#cell-history")).to_be_visible()
    expect(page.locator("select.cell-editor")).to_have_count(0)
    page.keyboard.press("Escape")
    target.dblclick()
    expect(page.locator("select.cell-editor")).to_have_count(0)
    expect(target.locator(".cell-value")).to_have_text("*")


def test_in_january_the_office_makes_and_publishes_2020_first_issue(page, live_server, demo_db, on_day):
    start_new_year(2019, office())
    on_day(datetime.date(2020, 1, 8))
    base = live_server.url
    log_in(page, live_server, "office", next_url="/bulletins/new/")
    expect(page.locator("#id_year")).to_have_value("2020")
    expect(page.locator("#id_number")).to_have_value("1")
    expect(page.locator("#id_date")).to_have_value("2020-01-08")
    page.click("button:has-text('新建')")
    expect(page.locator("h1")).to_contain_text("编辑2020年第1期")
    expect(page.locator("#section-table .item-title")).to_have_text(
        ["1. 区镇（2020年度）", "2. 城市管理办事处（2020年度）", "3. 部门（2020年度）"]
    )
    page.goto(f"{base}/bulletins/2020/1/publish/")
    expect(page.locator("h1")).to_have_text("发布2020年第1期")
    summary = page.locator(".summary-table")
    expect(summary).to_contain_text("本年度第一期，与上年度最后一期2019年第11期（按单位和指标名称对照）相比")
    expect(summary).to_contain_text("处单元格有变化")
    expect(summary).not_to_contain_text("表格没有变化")
    page.click("button:has-text('确认发布')")
    expect(page).to_have_url(f"{base}/bulletins/2020/1/")
    sentence = page.locator(".changes-summary")
    expect(sentence).to_contain_text("本年度第一期，与上年度最后一期2019年第11期（按单位和指标名称对照）相比：区镇")
    expect(sentence).not_to_contain_text("相比：。")
    expect(page.locator(".issue-number")).to_have_text("第 1 期")
