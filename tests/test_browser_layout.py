"""The page frame at the widths people use: the office's menu on one line on a 1,280 px screen (and wider),
and on a phone (375 px) no form label squeezed into a column of one character per line."""

import pytest
from playwright.sync_api import expect

from assessment.models import Indicator, Mark, Unit
from bulletins.management.commands.load_demo import DEMO_PASSWORD

from .conftest import browser_log_in

pytestmark = pytest.mark.browser

# The tops of the menu's items (links, the user's name, the logout button): one line, one top.
MENU_LINES = """() => new Set([...document.querySelectorAll('.site-nav > *')]
  .filter(e => e.getClientRects().length)
  .map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))).size"""

# Text squeezed to about one character a line: narrower than two characters, taller than two lines.
SQUEEZED = """() => [...document.querySelectorAll('main *')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim().length > 2))
  .filter(e => { const r = e.getBoundingClientRect(); const size = parseFloat(getComputedStyle(e).fontSize);
     return r.width > 0 && r.width < 2.2 * size && r.height > 2.5 * size; })
  .map(e => e.tagName.toLowerCase() + ' «' + e.textContent.trim().slice(0, 12) + '»')"""


def _login(page, live_server, username):
    browser_log_in(page, live_server.url, username, DEMO_PASSWORD)
    expect(page.locator(".site-nav .user")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 1440, 1500])
def test_the_offices_menu_is_one_line(page, live_server, demo_db, width):
    page.set_viewport_size({"width": width, "height": 900})
    _login(page, live_server, "office")
    for path in ("/", "/assessment/2019/departments/", "/office/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate(MENU_LINES) == 1, (width, path)


def test_no_label_is_squeezed_on_a_phone(page, live_server, demo_db):
    page.set_viewport_size({"width": 375, "height": 812})
    unit = Unit.objects.get(name="发改委")
    mark = Mark.objects.filter(unit=unit, state="*").first()
    indicator = Indicator.objects.filter(scheme__year=2019).first()
    paths = {
        "office": [
            "/office/",
            "/bulletins/new/",
            "/bulletins/2019/11/edit/",
            f"/office/indicators/{indicator.pk}/edit/",
            f"/office/units/{unit.pk}/edit/",
            "/cases/",
            "/accounts/manage/new/",
            "/assessment/2019/departments/",
            "/assessment/2019/scores/deductions/new/",
            "/units/reminders/",
        ],
        "fagaiwei": ["/cases/new/", f"/units/{unit.pk}/", f"/units/{unit.pk}/marks/{mark.pk}/request/"],
    }
    for username, pages in paths.items():
        page.context.clear_cookies()
        _login(page, live_server, username)
        for path in pages:
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate(SQUEEZED) == [], path
