"""The portal on a phone (375 × 812, touch): the bulletin reads like the print with each table scrolling
sideways under a fixed unit column, and the pages units and leaders use on the way work with taps:
controls at least 44 px high, nothing that only appears on hover, nothing wider than the screen."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessment.marks.services import set_mark
from assessment.models import Mark, Unit
from bulletins.management.commands.load_demo import DEMO_PASSWORD
from cases.models import Case

pytestmark = pytest.mark.browser

WIDTH = 375


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": WIDTH, "height": 812},
        "has_touch": True,
        "is_mobile": True,
        "bypass_csp": True,
    }


# Controls a finger must hit: buttons, fields, the menu, action links styled as buttons. Radios and
# checkboxes count through their label. Links inside running text are exempt (WCAG 2.5.5's inline case).
SMALL_TARGETS = """() => {
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
    && getComputedStyle(e).visibility !== 'hidden'; };
  const selector = 'main button, main input:not([type=hidden]), main select, main textarea, main .button,'
    + ' .site-nav a, .site-nav button, main .form-actions a, main .share-list a';
  const small = [];
  for (const e of document.querySelectorAll(selector)) {
    if (!visible(e)) continue;
    let target = e;
    if (e.matches('input[type=radio], input[type=checkbox]')) target = e.closest('label') || e;
    const h = target.getBoundingClientRect().height;
    if (h < 44) small.push(`${e.tagName.toLowerCase()}${e.name ? '[name=' + e.name + ']' : ''} «${(e.textContent
      || e.value || '').trim().slice(0, 20)}» ${Math.round(h)}px`);
  }
  return small;
}"""

# Controls that exist but only show on hover (visibility hidden / opacity 0 until :hover).
HOVER_ONLY = """() => [...document.querySelectorAll('main a, main button')]
  .filter(e => e.getClientRects().length && (getComputedStyle(e).visibility === 'hidden'
    || getComputedStyle(e).opacity === '0'))
  .map(e => e.textContent.trim())"""

WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - window.innerWidth"


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").tap()
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").tap()
    expect(page.locator(".site-nav .user")).to_be_visible()


def _works_with_touch(page):
    assert page.evaluate(WIDER_THAN_SCREEN) <= 1, page.url
    assert page.evaluate(SMALL_TARGETS) == [], page.url
    assert page.evaluate(HOVER_ONLY) == [], page.url


def test_bulletin_tables_scroll_sideways_with_the_unit_column_fixed(page, live_server, demo_db):
    page.goto(f"{live_server.url}/bulletins/2019/11/")
    assert page.evaluate(WIDER_THAN_SCREEN) <= 1
    # The text reads like the print: the masthead and the article in the serif face, at a readable size.
    expect(page.locator(".series-title")).to_have_text("昆山信用体系建设")
    article = page.locator(".article p").first
    assert "Serif" in article.evaluate("e => getComputedStyle(e).fontFamily")
    assert float(article.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 14
    for slug, rows in (("towns", 12), ("offices", 4), ("departments", 54)):
        block = page.locator(f"#table-{slug}")
        scroller = block.locator(".table-scroll")
        assert scroller.get_attribute("tabindex") == "0" and scroller.get_attribute("aria-label")
        client_w, scroll_w, client_h, scroll_h = scroller.evaluate(
            "e => [e.clientWidth, e.scrollWidth, e.clientHeight, e.scrollHeight]"
        )
        assert scroll_w > client_w, slug  # wider than the phone: it scrolls sideways
        assert scroll_h - client_h <= 2, slug  # but hides no row in a box of its own
        assert block.locator("tbody tr").count() == rows
    scroller = page.locator("#table-departments .table-scroll")
    scroller.scroll_into_view_if_needed()
    unit = page.locator("#table-departments tbody th").first
    column = page.locator("#table-departments thead th").nth(3)
    unit_x, column_x = unit.bounding_box()["x"], column.bounding_box()["x"]
    scroller.evaluate("e => e.scrollLeft = 250")
    page.wait_for_timeout(100)
    assert abs(unit.bounding_box()["x"] - unit_x) < 2  # the unit column stays
    assert column.bounding_box()["x"] < column_x - 200  # the indicators move under it
    # The last department is on the page, reached by scrolling the page itself.
    last = page.locator("#table-departments tbody th", has_text="消防大队")
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()


def test_a_reporter_writes_a_case_and_a_request_by_touch(page, live_server, demo_db):
    office = get_user_model().objects.get(username="office")
    unit = Unit.objects.get(name="发改委")
    set_mark(Mark.objects.get(unit=unit, indicator__order=5, indicator__scheme__year=2019), "*", office)
    _login(page, live_server, "fagaiwei")
    _works_with_touch(page)

    page.get_by_role("link", name="本单位").tap()
    expect(page.locator("h1")).to_contain_text("发改委")
    _works_with_touch(page)
    row = page.locator(".unit-marks tbody tr[data-indicator='5']")
    row.get_by_role("link", name="报告已完成").tap()
    expect(page.locator("h1")).to_have_text("提交申请")
    _works_with_touch(page)
    page.get_by_role("button", name="提交").tap()
    expect(page.locator("#row-text .errorlist")).to_contain_text("请填写说明内容")
    page.locator("#id_text").tap()
    page.fill("#id_text", "10月已开展信用审查 3 次。")
    page.get_by_role("button", name="提交").tap()
    expect(page.locator(".message-success")).to_contain_text("已提交")

    page.goto(f"{live_server.url}/cases/new/")
    _works_with_touch(page)
    page.get_by_label("守信激励").tap()
    page.locator("#id_title").tap()
    page.fill("#id_title", "手机上报送的案例")
    page.fill("#id_subject", "某企业")
    page.fill("#id_measure", "列入守信红名单")
    page.fill("#id_event_date", "2019-11-20")
    page.fill("#id_body", "第一段")
    page.get_by_role("button", name="报送").tap()
    expect(page.locator(".status-badge").first).to_have_text("已报送")
    assert Case.objects.get(title="手机上报送的案例").source_unit == unit


def test_a_leader_reads_the_overview_and_a_unit_on_a_phone(page, live_server, demo_db):
    _login(page, live_server, "leader")
    page.goto(f"{live_server.url}/overview/2019/")
    _works_with_touch(page)
    page.locator("#cat-departments .behind-list a").first.tap()
    expect(page).to_have_url(
        f"{live_server.url}/bulletins/2019/11/#unit-departments-{Unit.objects.get(name='人武部').pk}"
    )
    unit = Unit.objects.get(name="发改委")
    page.goto(f"{live_server.url}/units/{unit.pk}/")
    _works_with_touch(page)
