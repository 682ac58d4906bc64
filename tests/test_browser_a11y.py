"""WCAG 2.1 AA on every page type, as each role sees it: axe-core (vendored, tests/vendor/axe-core) finds no
serious or critical violation; the skip link is the first Tab stop and takes keyboard users to the content."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessment.marks.services import set_mark
from assessment.models import Indicator, Mark, Note, SchemeUnit, Unit
from bulletins.management.commands.load_demo import DEMO_PASSWORD
from cases.models import Case, CaseStatus

from .a11y import violations
from .conftest import browser_log_in
from .factories import CaseFactory

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe is injected as a script of the test's own; a strict Content-Security-Policy must not stop it.
    return {**browser_context_args, "bypass_csp": True}


def _login(page, live_server, username):
    # Through the second factor for the office, so its pages are checked and not the code page.
    browser_log_in(page, live_server.url, username, DEMO_PASSWORD)
    expect(page.locator(".site-nav .user")).to_be_visible()


def _check(page, live_server, paths):
    found = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status < 500, path
        bad = violations(page)
        if bad:
            found[path] = bad
    assert not found, found


def _unit(name="发改委"):
    return Unit.objects.get(name=name)


def _indicator():
    return Indicator.objects.get(scheme__year=2019, scheme__category__slug="departments", order=1)


def _note():
    return Note.objects.get(scheme__year=2019, scheme__category__slug="departments", number=1)


def _scheme_unit():
    return SchemeUnit.objects.get(scheme__year=2019, unit=_unit())


def _reporter_case():
    user = get_user_model().objects.get(username="fagaiwei")
    return CaseFactory(
        source_unit=user.reporter.unit,
        source_label="市发改委",
        year=2019,
        quarter=4,
        status=CaseStatus.DRAFT,
        created_by=user,
        subject="某企业",
        measure="列入红名单",
    )


def test_anonymous_pages(page, live_server, demo_db):
    _check(page, live_server, ["/", "/bulletins/", "/bulletins/2019/11/", "/accounts/login/", "/no-such-page/"])
    # A wrong password: the error state of the login form.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "office")
    page.fill("#id_password", "wrong")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".form-error")).to_contain_text("用户名或密码不正确")
    assert violations(page) == []


def test_staff_pages(page, live_server, demo_db):
    case = Case.objects.filter(status=CaseStatus.ACCEPTED).first()
    _login(page, live_server, "office")
    _check(
        page,
        live_server,
        [
            "/bulletins/2019/11/",
            "/bulletins/",
            "/assessment/2019/",
            "/assessment/2019/departments/",
            f"/units/{_unit().pk}/",
            "/units/",
            "/units/requests/",
            "/cases/",
            "/cases/new/",
            f"/cases/case/{case.pk}/",
            "/cases/review/",
            "/cases/2019/",
            "/cases/counts/",
            "/assessment/2019/scores/",
            f"/assessment/2019/scores/{_unit().pk}/",
            "/assessment/2019/scores/deductions/new/",
            "/overview/2019/",
            "/assessment/import/",
            "/assessment/import/units/",
            "/api/tokens/",
            "/office/units/",
            "/office/units/new/",
            f"/office/units/{_unit().pk}/remove/",
            "/office/schemes/",
            "/office/schemes/2019/departments/",
            f"/office/indicators/{_indicator().pk}/edit/",
            f"/office/notes/{_note().pk}/edit/",
            f"/office/scheme-units/{_scheme_unit().pk}/remove/",
            "/bulletins/new/",
            "/bulletins/2019/11/edit/",
            "/accounts/password/",
            "/no-such-page/",
        ],
    )
    # The indicator form with its errors shown (allowed values are a fieldset of checkboxes).
    page.goto(f"{live_server.url}/office/indicators/{_indicator().pk}/edit/")
    for box in page.locator("input[name=allowed_states]").all():
        box.uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#row-allowed_states .errorlist")).to_contain_text("至少要允许一种标记或数量")
    assert violations(page) == []
    # The case form with its errors shown.
    page.goto(f"{live_server.url}/cases/new/")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#row-title .errorlist")).to_be_visible()
    assert violations(page) == []


def test_leader_pages(page, live_server, demo_db):
    case = Case.objects.filter(status=CaseStatus.ACCEPTED).first()
    _login(page, live_server, "leader")
    _check(
        page,
        live_server,
        [
            "/overview/2019/",
            "/bulletins/2019/11/",
            "/assessment/2019/",
            "/assessment/2019/towns/",
            "/assessment/2019/scores/",
            "/units/",
            f"/units/{_unit().pk}/",
            "/cases/",
            f"/cases/case/{case.pk}/",
            "/cases/2019/",
        ],
    )


def test_reporter_pages(page, live_server, demo_db):
    office = get_user_model().objects.get(username="office")
    mark = set_mark(Mark.objects.get(unit=_unit(), indicator__order=5, indicator__scheme__year=2019), "*", office)
    case = _reporter_case()
    _login(page, live_server, "fagaiwei")
    _check(
        page,
        live_server,
        [
            f"/units/{_unit().pk}/",
            f"/units/{_unit().pk}/marks/{mark.pk}/request/",
            "/cases/",
            "/cases/new/",
            f"/cases/case/{case.pk}/",
            f"/cases/case/{case.pk}/edit/",
            f"/assessment/2019/scores/{_unit().pk}/",
            "/bulletins/2019/11/",
        ],
    )
    # The request form with its error shown (no text).
    page.goto(f"{live_server.url}/units/{_unit().pk}/marks/{mark.pk}/request/")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#row-text .errorlist")).to_contain_text("请填写说明内容")
    assert violations(page) == []


def test_skip_link_is_the_first_tab_stop_and_reaches_the_grid(page, live_server, demo_db):
    _login(page, live_server, "office")
    page.goto(f"{live_server.url}/assessment/2019/departments/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # From the content, the grid is a few Tab presses away, not 27.
    presses = 0
    while not page.evaluate("() => !!document.activeElement.closest('#grid, .grid-scroll')"):
        presses += 1
        assert presses < 15, "the grid was not reached within 14 Tab presses after the skip link"
        page.keyboard.press("Tab")


def test_charts_have_text_alternatives(page, live_server, demo_db):
    _login(page, live_server, "leader")
    page.goto(f"{live_server.url}/overview/2019/")
    chart = page.locator("#cat-towns svg.trend-chart")
    assert chart.get_attribute("role") == "img"
    expect(chart).to_have_accessible_name("区镇各期完成比例：第11期 88%（数字见下表）")
    assert chart.locator("a").count() == 0
    table = page.locator("#cat-towns .trend-table")
    expect(table.get_by_role("row", name="第11期 88% 7")).to_be_visible()
