"""Deadlines in a real browser: the office filters the grid to what is overdue and clears one cell by keyboard;
a unit's page lists what is due when, in colour, with the days left (as of 2019-11-26, the issue's day)."""

import datetime

import pytest
from playwright.sync_api import expect

from assessment.models import Unit

from .test_browser_grid import cell, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def issue_day(on_day):
    return on_day(datetime.date(2019, 11, 26))


def test_the_office_filters_the_grid_to_overdue_cells_and_clears_one(page, live_server, demo_db, issue_day):
    log_in(page, live_server, "office")
    page.get_by_label("截止情况").select_option(label="已逾期")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**due=overdue**")
    rows = page.locator("#grid tbody tr[data-unit]")
    expect(rows).to_have_count(17)
    target = cell(page, "统战部", 7)
    expect(target).to_have_attribute("data-status", "overdue")
    mark = target.locator(".due-mark")
    expect(mark).to_have_attribute("title", "已逾期：截止 2019-03-31，已逾期240天")
    expect(mark).to_have_css("background-color", "rgb(198, 40, 40)")  # red, from portal.css
    # the keyboard still works in the filtered grid: 统战部 owes no cases (非考核项)
    target.click()
    page.keyboard.press("Enter")
    page.locator("select.cell-editor").select_option("非考核项")
    page.keyboard.press("Enter")
    expect(target.locator(".cell-value")).to_have_text("非考核项")
    expect(target).to_have_attribute("data-status", "not_assessed")
    expect(target.locator(".due-mark")).to_have_count(0)
    page.reload()
    expect(rows).to_have_count(16)


def test_a_units_page_lists_what_is_due_when_in_colour(page, live_server, demo_db, issue_day):
    unit = Unit.objects.get(name="财政局")
    log_in(page, live_server, "office", next_url=f"/units/{unit.pk}/")
    items = page.locator("li.due-item")
    expect(items).to_have_count(3)
    expect(items.locator(".due-date")).to_have_text(["2019-12-31"] * 3)
    expect(items.locator(".due-phrase")).to_have_text(["还剩35天"] * 3)
    expect(items.first.locator(".due-badge")).to_have_text("未到期")
    other = Unit.objects.get(name="统战部")
    page.goto(f"{live_server.url}/units/{other.pk}/")
    badge = page.locator("li.due-item .due-badge")
    expect(badge).to_have_text("已逾期")
    expect(badge).to_have_css("background-color", "rgb(198, 40, 40)")
    expect(page.locator("li.due-item .due-phrase")).to_have_text("已逾期240天")
    # the office moves the date from here
    page.get_by_role("link", name="调整截止日期").click()
    page.get_by_label("截止日期").fill("2019-12-20")
    page.get_by_label("调整原因").fill("年底集中报送")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("li.due-item .due-phrase")).to_have_text("还剩24天")
    expect(page.locator("li.due-item .due-badge")).to_have_text("未到期")
    expect(page.locator("li.due-item")).to_contain_text("截止日期已调整：年底集中报送")
