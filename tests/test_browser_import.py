"""Import in a real browser: staff download the export, edit it, upload, read the preview, confirm."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from bulletins.management.commands.load_demo import DEMO_PASSWORD

from .conftest import browser_log_in
from .factories import correct_demo_issue

pytestmark = pytest.mark.browser


def _login(page, live_server, username):
    browser_log_in(page, live_server.url, username, DEMO_PASSWORD)
    expect(page.locator(".site-nav .user")).to_be_visible()


def _download(page, link_text):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_text).click()
    download = info.value
    assert download.suggested_filename == "工作进展通报-2019年度.xlsx"
    with open(download.path(), "rb") as f:
        return load_workbook(io.BytesIO(f.read()))


def _row(ws, unit):
    return next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == unit)


def test_staff_import_an_edited_export_and_find_the_change_everywhere(page, live_server, demo_db, tmp_path):
    _login(page, live_server, "office")
    page.get_by_role("link", name="导入", exact=True).click()
    expect(page.locator("h1")).to_have_text("Excel 导入导出")
    wb = _download(page, "下载 2019 年度进展通报（Excel）")
    ws = wb["部门"]
    row = _row(ws, "财政局")
    assert ws.cell(row, 3).value == "*"
    ws.cell(row, 3).value = "√"
    edited = tmp_path / "工作进展通报-已修改.xlsx"
    wb.save(edited)

    page.get_by_role("link", name="导入 2019 年度完成情况").click()
    page.set_input_files("#id_file", str(edited))
    page.get_by_role("button", name="上传并预览").click()
    change = page.locator(".import-changes tbody tr")
    expect(change).to_have_count(1)
    expect(change).to_contain_text("财政局")
    expect(change.locator(".old")).to_have_text("*")
    expect(change.locator(".new")).to_have_text("√")
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".message-success")).to_contain_text("已导入 1 处修改")
    expect(page.locator(".import-status")).to_have_text("已导入")

    # The published issue is frozen; the office prints the imported marks with a correction.
    assert correct_demo_issue("按导入的完成情况更正")
    page.goto(f"{live_server.url}/bulletins/2019/11/")
    cells = page.locator("#table-departments tbody tr", has=page.locator("th", has_text="财政局")).locator("td")
    expect(cells.nth(1)).to_have_text("√")

    page.goto(f"{live_server.url}/assessment/import/")
    again = _download(page, "下载 2019 年度进展通报（Excel）")["部门"]
    assert again.cell(_row(again, "财政局"), 3).value == "√"


def test_a_bad_file_shows_located_errors_and_no_confirm_button(page, live_server, demo_db, tmp_path):
    _login(page, live_server, "office")
    page.goto(f"{live_server.url}/assessment/import/")
    wb = _download(page, "下载 2019 年度进展通报（Excel）")
    wb["区镇"].cell(3, 2).value = "完成了"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    page.get_by_role("link", name="导入 2019 年度完成情况").click()
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="上传并预览").click()
    error = page.locator(".import-errors tbody tr")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("区镇")
    expect(error.locator("td").nth(1)).to_have_text("3")
    expect(error.locator("td").nth(2)).to_have_text("B")
    expect(error).to_contain_text("“完成了”不是")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
