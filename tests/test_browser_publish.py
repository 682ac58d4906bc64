"""Composing, publishing and correcting an issue in a real browser (Debian's chromium through Playwright)."""

import io
import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import expect

from assessment.marks.services import set_mark
from assessment.models import Mark
from bulletins.management.commands.load_demo import DEMO_PASSWORD

from .conftest import browser_log_in
from .factories import CaseFactory

pytestmark = pytest.mark.browser


def _log_in(page, base, username):
    browser_log_in(page, base, username, DEMO_PASSWORD)
    expect(page.locator(".site-nav .user")).to_be_visible()


def _downloads(page, base):
    """What a reader downloads: the xlsx cell, the docx cell and the PDF's text for 昆山开发区 · 信用审查."""
    from bulletins import documents
    from bulletins.models import Issue

    xlsx = load_workbook(io.BytesIO(page.request.get(f"{base}/bulletins/2019/12/progress.xlsx").body()))
    # The Word file is made by render_documents (cron), never in a reader's request: as that run would.
    documents.store(Issue.objects.get(year=2019, number=12).current_version, "docx")
    docx = Document(io.BytesIO(page.request.get(f"{base}/bulletins/2019/12/issue.docx").body()))
    documents.store(Issue.objects.get(year=2019, number=12).current_version, "pdf")  # so is the PDF
    pdf = page.request.get(f"{base}/bulletins/2019/12/issue.pdf").body()
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return xlsx["区镇"].cell(row=3, column=6).value, docx.tables[0].rows[1].cells[5].text, text.decode()


def test_staff_compose_publish_and_correct_readers_see_it(page, live_server, demo_db, browser, tmp_path):
    base = live_server.url
    CaseFactory(
        year=2019,
        quarter=4,
        title="诚信经营示范户获贷款优惠",
        source_label="市市场监管局",
        status="accepted",
        for_bulletin=True,
    )

    # Staff compose 2019 第12期.
    _log_in(page, base, "office")
    page.click(".site-nav a:has-text('编辑期刊')")
    expect(page.locator("#id_number")).to_have_value("12")
    expect(page.locator("#id_year")).to_have_value("2019")
    page.click("button:has-text('新建')")
    expect(page.locator("h1")).to_contain_text("编辑2019年第12期")
    expect(page.locator("#id_masthead-editor")).to_have_value("宋 婧")  # footer copied from 第11期

    page.fill("#id_add-article-title", "十二月信用体系建设工作推进")
    page.fill("#id_add-article-body", "本月工作概况。\n一、信用监管\n完成双随机抽查。")
    page.click("button:has-text('添加文章')")
    expect(page.locator("#section-article .item-title")).to_have_text(["1. 十二月信用体系建设工作推进"])

    page.select_option("#id_add-case-case", label="守信激励·诚信经营示范户获贷款优惠（市市场监管局，2019年第4季度）")
    page.click("button:has-text('选入本期')")
    expect(page.locator("#section-case .item-title")).to_have_text(["1. 守信激励·诚信经营示范户获贷款优惠"])

    page.fill("#id_add-news-date", "2019-12-05")
    page.fill("#id_add-news-text", "12月5日，市信用办召开年度考核布置会。")
    page.click("button:has-text('添加简讯')")
    expect(page.locator("#section-news .item-title")).to_have_text(["1. 12月5日，市信用办召开年度考核布置会。"])
    expect(page.locator("#section-table .item-title")).to_have_text(
        ["1. 区镇（2019年度）", "2. 城市管理办事处（2019年度）", "3. 部门（2019年度）"]
    )

    # Preview: the public template with everything in it.
    page.click("a:has-text('预览')")
    expect(page.locator(".preview-bar")).to_contain_text("发布后读者看到的就是下面的内容")
    expect(page.locator(".section-title")).to_have_text(
        ["【工作推进】", "【奖惩案例】", "【工作简讯】", "【工作进展通报】"]
    )
    expect(page.locator(".article-heading")).to_have_text(["一、信用监管"])
    expect(page.locator(".progress-table")).to_have_count(3)
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)

    page.click(".preview-bar a:has-text('发布')")
    expect(page.locator("h1")).to_have_text("发布2019年第12期")
    page.click("button:has-text('确认发布')")
    expect(page.locator(".messages")).to_contain_text("已发布2019年第12期。")
    expect(page).to_have_url(f"{base}/bulletins/2019/12/")

    # Anonymous readers find it in the archive and in the feed.
    reader_context = browser.new_context(locale="zh-CN")
    reader = reader_context.new_page()
    reader.goto(f"{base}/bulletins/")
    reader.click("a.issue-link:has-text('第12期')")
    expect(reader.locator(".article-title")).to_have_text(["十二月信用体系建设工作推进"])
    expect(reader.locator(".case-title")).to_contain_text(["守信激励·诚信经营示范户获贷款优惠"])
    row = reader.locator("#table-towns tbody tr").first
    expect(row.locator("td").nth(4)).to_have_text("*")
    feed = ET.fromstring(reader.request.get(f"{base}/bulletins/feed/").body())
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert "昆山信用体系建设 工作信息 2019年第12期" in titles
    before = _downloads(reader, base)
    assert before[:2] == ("*", "*")

    # A mark changed afterwards changes neither the page nor the downloads.
    mark = Mark.objects.get(unit__name="昆山开发区", indicator__order=5, indicator__scheme__category__slug="towns")
    set_mark(mark, "√", get_user_model().objects.get(username="office"))
    reader.reload()
    expect(row.locator("td").nth(4)).to_have_text("*")
    assert _downloads(reader, base) == before

    # A correction shows its note; the first version stays readable.
    page.goto(f"{base}/bulletins/2019/12/edit/")
    page.click("#section-article details summary")
    page.fill("[id$='-title'][id^='id_article-']", "十二月信用体系建设工作推进（更正）")
    page.click("#section-article details button:has-text('保存')")
    page.click("a:has-text('发布更正')")
    page.fill("#reason", "文章标题漏写“更正”字样")
    page.click("button:has-text('确认发布更正')")
    expect(page.locator(".messages")).to_contain_text("已发布2019年第12期的更正（第2版）")

    reader.reload()
    expect(reader.locator(".correction-note")).to_contain_text("更正（第2版）。更正原因：文章标题漏写“更正”字样")
    expect(reader.locator(".article-title")).to_have_text(["十二月信用体系建设工作推进（更正）"])
    expect(row.locator("td").nth(4)).to_have_text("*")  # the tables were kept as published
    reader.click("#versions a:has-text('第1版')")
    expect(reader.locator(".old-version")).to_contain_text("这是本期更正前的第1版")
    expect(reader.locator(".article-title")).to_have_text(["十二月信用体系建设工作推进"])
    reader.screenshot(path=str(tmp_path / "v1.png"), full_page=True)
    # Close the second reader before the live server stops, so no request is left in flight.
    reader_context.close()
    page.wait_for_load_state("networkidle")
