"""A case from the unit's form to the bulletin, in a real browser (Debian's chromium through Playwright)."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from bulletins.management.commands.load_demo import DEMO_PASSWORD

from .conftest import browser_log_in
from .factories import PDF_BYTES, correct_demo_issue

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_root")]


def log_in(page, base, username):
    browser_log_in(page, base, username, DEMO_PASSWORD)
    expect(page.locator(".site-nav .user")).to_be_visible()


def log_out(page):
    page.locator(".site-nav").get_by_role("button", name="退出").click()
    expect(page.locator(".site-nav").get_by_role("link", name="登录")).to_be_visible()


def cases_cell(page, base, unit_name):
    # A published issue is frozen; the office takes the new count in with a correction.
    correct_demo_issue("按当前报送的案例数更正")
    page.goto(f"{base}/bulletins/2019/11/")
    row = page.locator("#table-departments tbody tr", has=page.locator("th", has_text=re.compile(f"^{unit_name}$")))
    return row.locator("td").nth(7)


def test_a_case_goes_from_the_units_form_through_review_to_the_bulletin(
    page, live_server, demo_db, tmp_path, mailoutbox
):
    base = live_server.url
    get_user_model().objects.filter(username="fagaiwei").update(email="fgw@ks.gov.cn")
    expect(cases_cell(page, base, "发改委")).to_have_text("6")

    # The reporter of 发改委 writes the case with an attachment and submits it.
    log_in(page, base, "fagaiwei")
    page.get_by_role("link", name="案例", exact=True).click()
    page.locator(".case-subnav").get_by_role("link", name="填写案例").click()
    page.get_by_label("守信激励").check()
    page.fill("#id_title", "信用承诺 助企纾困")
    page.fill("#id_subject", "昆山某科技有限公司")
    page.fill("#id_measure", "容缺受理，先行发放许可。")
    page.fill("#id_event_date", "2019-10-15")
    expect(page.locator("#id_quarter")).to_have_value("4")  # follows the date
    page.fill("#id_body", "第一段。\n第二段。")
    page.set_input_files(
        "#id_attachments", files=[{"name": "证明材料.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="报送", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("已报送")
    expect(page.get_by_role("link", name="证明材料.pdf")).to_be_visible()
    case_url = page.url
    page.screenshot(path=str(tmp_path / "submitted.png"), full_page=True)
    log_out(page)

    # Staff find it in the review queue and return it with a reason.
    log_in(page, base, "office")
    page.goto(f"{base}/cases/review/")
    page.get_by_role("link", name="信用承诺 助企纾困").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="证明材料.pdf").click()
    assert download.value.suggested_filename == "证明材料.pdf"
    page.fill("#id_reason", "请补充受理时间。")
    page.get_by_role("button", name="退回", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("已退回")
    log_out(page)

    # The reporter sees why, changes the text and resubmits.
    log_in(page, base, "fagaiwei")
    page.goto(case_url)
    expect(page.locator(".return-reason")).to_contain_text("请补充受理时间。")
    page.get_by_role("link", name="修改", exact=True).click()
    page.fill("#id_body", "第一段。\n2019年10月15日受理。")
    page.get_by_role("button", name="重新报送").click()
    expect(page.locator("#case-status")).to_have_text("已重新报送")
    log_out(page)

    # Staff accept it; it is logged step by step.
    log_in(page, base, "office")
    page.goto(case_url)
    page.get_by_role("button", name="采用", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("已采用")
    expect(page.locator(".transitions tbody tr")).to_have_count(5)
    page.screenshot(path=str(tmp_path / "accepted.png"), full_page=True)
    # Notices are written with each step and sent by the queue: the office heard of each submission, the
    # reporter of each decision.
    call_command("send_queued", stdout=io.StringIO())
    assert [m.subject for m in mailoutbox if m.to == ["office@example.gov.cn"]] == [
        "【昆山信用】发改委报送了奖惩案例：信用承诺 助企纾困",
        "【昆山信用】发改委重新报送了奖惩案例：信用承诺 助企纾困",
    ]
    assert [m.subject for m in mailoutbox if m.to == ["fgw@ks.gov.cn"]] == [
        "【昆山信用】您报送的案例被退回：信用承诺 助企纾困",
        "【昆山信用】您报送的案例已采用：信用承诺 助企纾困",
    ]

    # The department's 奖惩案例 count went up by one on the bulletin page and in its workbook.
    expect(cases_cell(page, base, "发改委")).to_have_text("7")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载工作进展通报（Excel）").click()
    with open(download.value.path(), "rb") as downloaded:
        wb = load_workbook(downloaded)
    row = next(r for r in wb["部门"].iter_rows(min_row=3, values_only=True) if r[0] == "发改委")
    assert row[8] == 7
