"""The office keeps units and indicators in a real browser: it ticks an indicator's allowed values and adds
a unit to the year, and the entry grid shows both."""

import pytest
from playwright.sync_api import expect

from assessment.models import Indicator, Mark, Note, Unit
from bulletins.management.commands.load_demo import DEMO_PASSWORD

from .conftest import browser_log_in

pytestmark = pytest.mark.browser


def test_the_office_ticks_allowed_values_and_adds_a_unit_then_the_grid_shows_them(page, live_server, demo_db):
    base = live_server.url
    browser_log_in(page, base, "office", DEMO_PASSWORD, "/office/schemes/")
    page.wait_for_url(f"{base}/office/schemes/")
    page.get_by_role("link", name="区镇").first.click()
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=1)
    page.get_by_role("link", name=f"修改{indicator.title}").click()
    box = page.get_by_label("已说明情况", exact=True)
    expect(box).not_to_be_checked()
    box.check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text(f"已保存第1项“{indicator.title}”")
    expect(page.locator("tbody tr").first).to_contain_text("已说明情况")

    page.goto(f"{base}/office/units/new/")
    page.get_by_label("名称（按通报）").fill("高新区")
    page.get_by_label("类别").select_option(label="区镇")
    expect(page.get_by_label("加入年度考核")).to_have_value("2019")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存“高新区”")
    expect(page.locator("#category-towns + .table-scroll")).to_contain_text("高新区")

    page.goto(f"{base}/assessment/2019/towns/")
    unit = Unit.objects.get(name="高新区")
    row = page.locator(f'#grid tr[data-unit="{unit.pk}"]')
    expect(row.locator("th")).to_contain_text("高新区")
    new_cell = row.locator('td.cell[data-col="0"]')
    expect(new_cell.locator(".cell-value")).to_have_text("*")
    new_cell.click()
    page.keyboard.press("Enter")
    expect(new_cell.locator("select.cell-editor option")).to_have_text([*indicator.allowed_states, "已说明情况"])
    new_cell.locator("select.cell-editor").select_option("已说明情况")
    page.keyboard.press("Enter")
    expect(new_cell.locator(".cell-value")).to_have_text("已说明情况")
    assert Mark.objects.get(unit=unit, indicator=indicator).state == "已说明情况"


def test_the_office_writes_a_note_under_the_table_moves_it_and_removes_it(page, live_server, demo_db):
    base = live_server.url
    browser_log_in(page, base, "office", DEMO_PASSWORD, "/office/schemes/2019/towns/")
    page.wait_for_url(f"{base}/office/schemes/2019/towns/")
    first, second = Indicator.objects.filter(scheme__year=2019, scheme__category__slug="towns").order_by("order")[:2]
    page.get_by_role("link", name="新增说明").click()
    page.get_by_label("内容").fill("新写的说明。")
    page.get_by_label(f"1. {first.title}").check()
    page.get_by_label(f"2. {second.title}").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存说明9。")
    last = page.locator(".directory-notes > li").last
    expect(last).to_contain_text("新写的说明。")
    expect(last).to_contain_text(f"涉及指标：1. {first.title}、2. {second.title}")

    page.get_by_role("button", name="上移 说明9").click()
    expect(page.locator(".messages")).to_contain_text("这条说明现在是说明8。")
    expect(page.locator('.directory-notes > li[value="8"]')).to_contain_text("新写的说明。")
    page.goto(f"{base}/assessment/2019/towns/")
    expect(page.locator("details", has_text="说明（9 条）")).to_contain_text("8. 新写的说明。")

    page.goto(f"{base}/office/schemes/2019/towns/")
    page.get_by_role("link", name="删除说明8").click()
    page.get_by_role("button", name="确认删除说明").click()
    expect(page.locator(".messages")).to_contain_text("已删除说明8，其后各条前移一位。")
    expect(page.locator(".directory-notes > li")).to_have_count(8)
    assert not Note.objects.filter(text="新写的说明。").exists()
