"""The page frame at the widths people use: the office's menu on one line on a 1,280 px screen (and wider)."""

import pytest
from playwright.sync_api import expect

from bulletins.management.commands.load_demo import DEMO_PASSWORD

from .conftest import browser_log_in

pytestmark = pytest.mark.browser

# The tops of the menu's items (links, the user's name, the logout button): one line, one top.
MENU_LINES = """() => new Set([...document.querySelectorAll('.site-nav > *')]
  .filter(e => e.getClientRects().length)
  .map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))).size"""


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
