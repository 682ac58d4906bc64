"""The entry grid in a real browser (Debian's chromium through Playwright), driven as its users would."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from assessment import access
from assessment.models import Mark, Unit
from bulletins.management.commands.load_demo import DEMO_PASSWORD

from .conftest import browser_log_in
from .factories import UserFactory

pytestmark = pytest.mark.browser

GRID = "/assessment/2019/departments/"


def log_in(page, live_server, username, password=DEMO_PASSWORD, next_url=GRID):
    browser_log_in(page, live_server.url, username, password, next_url)
    page.wait_for_url(f"{live_server.url}{next_url}")


def cell(page, unit_name, col):
    unit = Unit.objects.get(name=unit_name)
    return page.locator(f'#grid tr[data-unit="{unit.pk}"] td.cell[data-col="{col}"]')


def mark(unit_name, order, slug="departments"):
    return Mark.objects.get(
        unit__name=unit_name,
        indicator__order=order,
        indicator__scheme__year=2019,
        indicator__scheme__category__slug=slug,
    )


def test_staff_change_a_cell_with_the_keyboard_and_it_is_kept(page, live_server, demo_db, tmp_path):
    log_in(page, live_server, "office")
    start = cell(page, "财政局", 0)
    start.click()
    expect(start).to_be_focused()
    page.keyboard.press("ArrowRight")  # 财政局's second column: *
    target = cell(page, "财政局", 1)
    expect(target).to_be_focused()
    expect(target.locator(".cell-value")).to_have_text("*")
    page.keyboard.press("Enter")
    editor = target.locator("select.cell-editor")
    expect(editor).to_be_focused()
    expect(editor.locator("option")).to_have_text(["√", "*", "非考核项", "已说明"])
    page.keyboard.press("Escape")  # cancel: nothing saved
    expect(editor).to_have_count(0)
    expect(target).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowUp")  # * → √
    page.keyboard.press("Enter")
    expect(target).to_have_class(re.compile(r"\bsaved\b"))  # the saved cell flashes
    expect(target.locator(".cell-value")).to_have_text("√")
    expect(page.locator('tfoot td[data-col="1"] [data-key="pending"] b')).to_have_text("1")
    page.screenshot(path=str(tmp_path / "grid-saved.png"), full_page=False)
    saved = mark("财政局", 2)
    assert (saved.state, saved.version, saved.updated_by.username) == ("√", 2, "office")
    page.reload()
    expect(cell(page, "财政局", 1).locator(".cell-value")).to_have_text("√")
    expect(cell(page, "财政局", 1)).to_have_attribute("data-version", "2")
    # Tab moves to the next cell; the 奖惩案例 cell shows the cases counted and offers only its words
    # (a number is counted from the case records, never typed); Escape keeps what it shows.
    cell(page, "财政局", 6).click()
    page.keyboard.press("Tab")
    counted = cell(page, "财政局", 7)
    expect(counted).to_be_focused()
    expect(counted.locator(".cell-value")).to_have_text("5")
    page.keyboard.press("Enter")
    options = counted.locator("select option")
    expect(options).to_have_text(["√", "*", "非考核项", "已说明"])
    page.keyboard.press("Escape")
    expect(counted.locator(".cell-value")).to_have_text("5")


def test_staff_see_a_cells_history_in_one_click(page, live_server, demo_db):
    log_in(page, live_server, "office", next_url="/assessment/2019/towns/")
    target = cell(page, "昆山开发区", 4)
    target.hover()
    target.locator("a.cell-history").click()
    panel = page.locator("#cell-history")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("昆山开发区")
    expect(panel).to_contain_text("演示数据")


def test_a_leader_tabs_to_a_cell_and_opens_its_history_with_the_keyboard(page, live_server, demo_db):
    log_in(page, live_server, "leader", next_url="/assessment/2019/towns/")
    page.locator(".grid-scroll").focus()
    page.keyboard.press("Tab")  # the grid's first cell: the read-only grid has no checkboxes before it
    first = cell(page, "昆山开发区", 0)
    expect(first).to_be_focused()
    expect(first.locator("a.cell-history")).to_be_visible()  # shown on keyboard focus, not only on hover
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    target = cell(page, "昆山开发区", 4)
    expect(target).to_be_focused()
    page.keyboard.press("Enter")  # a cell that cannot be edited opens its history
    panel = page.locator("#cell-history")
    expect(panel).to_be_visible()
    expect(panel).to_be_focused()
    expect(panel).to_contain_text("昆山开发区")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(target).to_be_focused()


def test_staff_open_a_cells_history_with_h(page, live_server, demo_db):
    log_in(page, live_server, "office", next_url="/assessment/2019/towns/")
    target = cell(page, "昆山开发区", 4)
    target.focus()
    expect(target.locator("a.cell-history")).to_be_visible()
    page.keyboard.press("h")
    panel = page.locator("#cell-history")
    expect(panel).to_be_focused()
    expect(panel).to_contain_text("演示数据")
    expect(target.locator("select.cell-editor")).to_have_count(0)  # H opens the history, not the editor
    panel.get_by_role("button", name="关闭").click()
    expect(panel).to_be_hidden()
    expect(target).to_be_focused()


def test_on_a_touch_screen_the_history_link_is_there_to_tap(browser, live_server, demo_db):
    # A tablet: touch, no hover (the grid is a desktop table; on a phone it is read on the unit pages).
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1180, "height": 820}, has_touch=True, is_mobile=True
    )
    try:
        tablet = context.new_page()
        log_in(tablet, live_server, "leader", next_url="/assessment/2019/towns/")
        assert tablet.evaluate("() => matchMedia('(hover: none)').matches")
        link = cell(tablet, "昆山开发区", 4).locator("a.cell-history")
        expect(link).to_be_visible()  # no hover on a touch screen: always shown
        link.tap()
        expect(tablet.locator("#cell-history")).to_contain_text("昆山开发区")
    finally:
        context.close()


def test_staff_bulk_set_a_column_with_confirmation(page, live_server, demo_db):
    log_in(page, live_server, "office", next_url="/assessment/2019/towns/")
    page.select_option("#bulk-indicator", label="信用审查")
    # Only the column's own values are offered.
    expect(page.locator("#bulk-value option:not([disabled])")).to_have_text(["√", "*", "非考核项", "已说明"])
    page.select_option("#bulk-value", "√")
    page.get_by_role("button", name="批量设置…").click()
    expect(page.locator("#bulk-summary")).to_have_text("7 个单元格：* → √ 7 个")
    assert mark("昆山开发区", 5, "towns").state == "*"  # nothing written before confirming
    page.get_by_role("button", name="确认修改 7 个单元格").click()
    page.wait_for_url(f"{live_server.url}/assessment/2019/towns/")
    expect(page.locator(".messages")).to_contain_text("7 个单元格设为“√”")
    values = page.locator('#grid td.cell[data-col="4"] .cell-value')
    expect(values).to_have_text(["√"] * 12)
    assert set(
        Mark.objects.filter(indicator=mark("昆山开发区", 5, "towns").indicator).values_list("state", flat=True)
    ) == {"√"}


def test_staff_bulk_set_ticked_rows(page, live_server, demo_db):
    log_in(page, live_server, "office")
    page.select_option("#bulk-indicator", label="配合推进国家守信激励创新试点项目")
    page.select_option("#bulk-value", "√")
    for name in ("财政局", "烟草专卖局", "组织部"):
        page.get_by_label(f"选择{name}").check()
    expect(page.locator("#bulk-selected")).to_be_checked()
    page.get_by_role("button", name="批量设置…").click()
    expect(page.locator("#bulk-summary")).to_have_text("3 个单元格：* → √ 2 个，非考核项 → √ 1 个")
    page.get_by_role("button", name="确认修改 3 个单元格").click()
    expect(cell(page, "组织部", 1).locator(".cell-value")).to_have_text("√")
    expect(cell(page, "统战部", 1).locator(".cell-value")).to_have_text("非考核项")


def test_a_leader_cannot_change_anything(page, live_server, demo_db):
    log_in(page, live_server, "leader")
    expect(page.locator("h1")).to_contain_text("只读")
    expect(page.locator("#bulk-form")).to_have_count(0)
    target = cell(page, "财政局", 1)
    target.click()
    page.keyboard.press("Enter")
    target.dblclick()
    expect(page.locator("#grid select")).to_have_count(0)
    expect(page.locator("#grid input")).to_have_count(0)
    # Even a hand-made request with a valid CSRF token is refused.
    status = page.evaluate(
        """async (pk) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            const body = new FormData();
            body.append('value', '√');
            body.append('version', '1');
            const headers = {'X-CSRFToken': token};
            const r = await fetch('/assessment/marks/' + pk + '/', {method: 'POST', body, headers});
            return r.status;
        }""",
        mark("财政局", 2).pk,
    )
    assert status == 403
    assert mark("财政局", 2).state == "*"


def test_two_browsers_edit_the_same_cell_and_the_second_is_refused(browser, live_server, demo_db):
    colleague = UserFactory(username="zhang", first_name="张三")
    colleague.groups.add(Group.objects.get(name=access.STAFF_GROUP))
    first = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 800})
    second = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 800})
    try:
        a, b = first.new_page(), second.new_page()
        log_in(a, live_server, "zhang", password="pw-secret-123")
        log_in(b, live_server, "office")
        # Both pages show 财政局's second column as * (version 1); 张三 saves first.
        cell(a, "财政局", 1).dblclick()
        a.locator("select.cell-editor").select_option("√")
        a.keyboard.press("Enter")
        expect(cell(a, "财政局", 1).locator(".cell-value")).to_have_text("√")
        # office's page is stale: its save is refused with who changed it and to what.
        cell(b, "财政局", 1).dblclick()
        b.locator("select.cell-editor").select_option("非考核项")
        b.keyboard.press("Enter")
        status = b.locator("#grid-status")
        expect(status).to_contain_text("该单元格已被张三修改为“√”，您的修改未保存")
        expect(cell(b, "财政局", 1).locator(".cell-value")).to_have_text("*")
        assert mark("财政局", 2).state == "√"
        # office decides to take the new value.
        b.get_by_role("button", name="采用对方的值“√”").click()
        expect(cell(b, "财政局", 1).locator(".cell-value")).to_have_text("√")
        expect(status).to_be_hidden()
        # …and a later edit from that page works again.
        cell(b, "财政局", 1).dblclick()
        b.locator("select.cell-editor").select_option("已说明")
        b.keyboard.press("Enter")
        expect(cell(b, "财政局", 1).locator(".cell-value")).to_have_text("已说明")
        assert (mark("财政局", 2).state, mark("财政局", 2).version) == ("已说明", 3)
    finally:
        first.close()
        second.close()
