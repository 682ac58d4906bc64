"""A reporter reports a * item done in the browser; the office accepts it in the queue; the mark shows √."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessment.marks.services import set_mark
from assessment.models import Mark, MarkRequest
from bulletins.management.commands.load_demo import DEMO_PASSWORD

from .conftest import browser_log_in

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer<<>>\n%%EOF\n"


def _login(page, live_server, username):
    browser_log_in(page, live_server.url, username, DEMO_PASSWORD)
    expect(page.locator(".site-nav .user")).to_be_visible()


def _logout(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()


def test_reporter_reports_done_and_staff_accept(page, live_server, demo_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    office = get_user_model().objects.get(username="office")
    mark = Mark.objects.get(unit__name="发改委", indicator__order=5, indicator__scheme__year=2019)
    set_mark(mark, "*", office)

    _login(page, live_server, "fagaiwei")
    page.get_by_role("link", name="本单位").click()
    row = page.locator(".unit-marks tbody tr[data-indicator='5']")
    expect(row.locator(".mark-value")).to_have_text("*")
    row.get_by_role("link", name="报告已完成").click()
    page.fill("#id_text", "10月已在行政审批中开展信用审查 3 次。")
    page.set_input_files(
        "#id_attachment", files=[{"name": "审查记录.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".message-success")).to_contain_text("已提交")
    expect(row.locator(".badge")).to_have_text("报告已完成待审核")
    _logout(page)

    _login(page, live_server, "office")
    page.get_by_role("link", name="单位申请").click()
    item = page.locator(".request-queue tbody tr", has_text="发改委")
    expect(item).to_contain_text("10月已在行政审批中开展信用审查 3 次。")
    expect(item.get_by_role("link", name="审查记录.pdf")).to_be_visible()
    item.get_by_role("button", name="通过（改为“√”）").click()
    expect(page.locator(".message-success")).to_contain_text("已通过：发改委")
    assert MarkRequest.objects.get().status == "accepted"
    _logout(page)

    _login(page, live_server, "fagaiwei")
    page.get_by_role("link", name="本单位").click()
    expect(page.locator(".unit-marks tbody tr[data-indicator='5'] .mark-value")).to_have_text("√")
    expect(page.locator(".unit-requests")).to_contain_text("已通过")
    expect(page.locator(".unit-history tbody tr").first).to_contain_text("单位申请已通过")
