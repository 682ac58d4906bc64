"""Every kind of page under the Content-Security-Policy, in a real browser: no violation anywhere."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from assessment import access
from assessment.models import Unit

from .conftest import browser_log_in
from .factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_root")]

PASSWORD = "pw-secret-123"

# Registered before any page script runs; a violation of the page's own policy lands in window.__csp.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' @' + e.sourceFile + ':' + e.lineNumber);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation collected from the event and from the console."""
    seen = []
    page.add_init_script(LISTEN)

    def on_console(msg):
        if "Content Security Policy" in msg.text or "Refused to" in msg.text:
            seen.append(msg.text)

    page.on("console", on_console)

    def violations():
        found = [*seen, *page.evaluate("window.__csp || []")]
        seen.clear()
        page.evaluate("window.__csp = []")
        return found

    return page, violations


@pytest.fixture
def office_member(demo_db):
    """An office account also given the security administrator's duty: the office's pages and the accounts'."""
    user = UserFactory(username="t_csp")
    user.groups.add(Group.objects.get(name=access.STAFF_GROUP), Group.objects.get(name=access.SECURITY_GROUP))
    return user


@pytest.fixture
def it_admin(demo_db):
    """The IT administrator, for the admin's pages (it reaches none of the office's: 三员分立)."""
    return UserFactory(username="t_csp_admin", is_staff=True, is_superuser=True)


def _walk(page, base, violations, pages):
    for path in pages:
        response = page.goto(f"{base}{path}")
        assert response.headers.get("content-security-policy"), path
        page.wait_for_load_state("networkidle")
        assert violations() == [], path


def test_no_page_breaks_the_policy(watched, live_server, office_member, it_admin):
    page, violations = watched
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    assert violations() == []
    browser_log_in(page, base, "t_csp", PASSWORD, next_url="/bulletins/2019/11/")
    page.wait_for_url(f"{base}/bulletins/2019/11/")
    assert violations() == [], "login and second factor"
    unit = Unit.objects.get(name="发改委")
    pages = [
        "/",
        "/bulletins/",
        "/bulletins/2019/11/",
        "/overview/2019/",
        "/assessment/2019/",
        f"/units/{unit.pk}/",
        "/cases/",
        "/cases/new/",
        "/assessment/2019/scores/",
        "/assessment/import/",
        "/api/tokens/",
        "/accounts/password/",
        "/accounts/otp/backup-codes/",
        "/accounts/otp/enrol/",
        "/accounts/manage/",
        "/api/v1/units/",
        "/no-such-page/",
    ]
    _walk(page, base, violations, pages)
    # The grid, with an edit saved through its script.
    page.goto(f"{base}/assessment/2019/departments/")
    target = page.locator(f'#grid tr[data-unit="{Unit.objects.get(name="财政局").pk}"] td.cell[data-col="1"]')
    target.click()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(target).to_have_class(re.compile(r"\bsaved\b"))
    target.hover()
    target.locator("a.cell-history").click()
    expect(page.locator("#cell-history")).to_be_visible()
    assert violations() == [], "grid"
    # The case form's script (adding a line, the attachments).
    page.goto(f"{base}/cases/new/")
    page.wait_for_load_state("networkidle")
    assert violations() == [], "case form"
    # The API docs: the Chinese page drawn from the schema on the server (core.api.docs).
    page.goto(f"{base}/api/v1/docs/")
    expect(page.locator(".api-operation").first).to_be_visible()
    assert violations() == [], "api docs"
    # The admin, as the IT administrator.
    page.context.clear_cookies()
    browser_log_in(page, base, "t_csp_admin", PASSWORD, next_url="/admin/")
    page.wait_for_url(f"{base}/admin/")
    _walk(page, base, violations, ["/admin/", "/admin/assessment/unit/", f"/admin/assessment/unit/{unit.pk}/change/"])


def test_the_lockout_page_keeps_the_policy(watched, live_server, demo_db):
    page, violations = watched
    for _ in range(6):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "fagaiwei")
        page.fill("#id_password", "wrong-password")
        page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("账号已锁定")
    assert violations() == []
