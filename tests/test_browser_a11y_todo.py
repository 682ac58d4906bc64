"""WCAG 2.1 AA on the pages of 待办 and notices (issue 24), each with the data that fills it: axe-core (tests/a11y.py)
finds no serious or critical violation on /todo/ of each role, the 签收 page, a reminder's acknowledgement list,
the 催办 form of one unit, the requests queue before and after a bulk review, the notice settings and the office
page.

The demo is loaded once for all of them (a browser test's database starts empty, and loading it for each page took
most of this file's three minutes): one test walks the pages, each a subtest of its own (a failing page does not hide
the others) in a fresh browser context, in an order where each page's data is what it was given alone — the demo's
pages first, then the open items of the 催办 form, then everything of `filled` for the 待办 and reminder pages, then
the second request of the queue, whose bulk review comes last."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessment.mark_requests.services import submit_request
from assessment.marks.services import set_mark
from assessment.models import Mark, MarkRequest, Unit
from assessment.notify import urge
from assessment.notify.follows import follow
from bulletins.management.commands.load_demo import DEMO_PASSWORD
from cases import services as case_services
from cases.models import CaseStatus

from .a11y import violations
from .conftest import browser_log_in
from .factories import CaseFactory

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """axe-core is injected as a script: the page's script-src 'self' would refuse it (as in test_browser_a11y)."""
    return {**browser_context_args, "bypass_csp": True}


def user(username):
    return get_user_model().objects.get(username=username)


def fgw():
    return Unit.objects.get(name="发改委")


def open_items():
    """Two of 发改委's cells set back to *: open items to remind of and to request about."""
    return [
        set_mark(
            Mark.objects.get(unit=fgw(), indicator__order=order, indicator__scheme__year=2019), "*", user("office")
        )
        for order in (5, 6)
    ]


def filled():
    """Something in every section of every role's 待办: requests waiting, a followed unit, a case waiting for
    review, a returned case, a 催办 waiting for its 签收."""
    marks = open_items()
    follow(user("leader"), unit=fgw())
    submit_request(marks[0], user("fagaiwei"), MarkRequest.Kind.DONE, "已完成。")
    reporter = user("fagaiwei")
    CaseFactory(source_unit=fgw(), year=2019, quarter=4, status=CaseStatus.SUBMITTED, submitted_by=reporter)
    returned = CaseFactory(source_unit=fgw(), year=2019, quarter=4, status=CaseStatus.SUBMITTED, submitted_by=reporter)
    case_services.return_case(returned, user("office"), "请补充受理时间。")
    return urge.urge_unit(fgw(), user("office"), [f"mark:{marks[1].pk}"], "请于本周五前完成。")


def add_second_request():
    """After `filled` (whose first open item has its request): the second one's, so the queue holds two."""
    submit_request(
        Mark.objects.get(unit=fgw(), indicator__order=6, indicator__scheme__year=2019),
        user("fagaiwei"),
        MarkRequest.Kind.DONE,
        "已完成。",
    )


def nothing():
    pass


# Each page in the walk's order: what to add to the data before it, who reads it, and where (a function of what the
# arrangement returned, for the pages named by what it made).
PAGES = [
    ("通知方式", nothing, "office", lambda _: "/units/notices/"),
    ("本办信息", nothing, "office", lambda _: "/office/"),
    ("催办", open_items, "office", lambda _: f"/units/{fgw().pk}/remind/"),
    ("待办·市信用办", filled, "office", lambda _: "/todo/"),
    ("待办·领导", nothing, "leader", lambda _: "/todo/"),
    ("待办·填报员", nothing, "fagaiwei", lambda _: "/todo/"),
    ("签收", nothing, "fagaiwei", lambda run: f"/units/receipts/{run.reminder.receipts.get().token}/"),
    ("签收情况", nothing, "office", lambda run: f"/units/reminders/sent/{run.reminder.pk}/"),
    ("已发送的提醒", nothing, "office", lambda _: "/units/reminders/sent/"),
    ("申请·批量审核", add_second_request, "office", lambda _: "/units/requests/"),
]


def test_no_page_has_a_serious_violation(new_context, live_server, demo_db, subtests):
    made = None
    for name, arrange, username, path_of in PAGES:
        made = arrange() or made
        path = path_of(made)
        with subtests.test(msg=name):
            page = new_context().new_page()
            browser_log_in(page, live_server.url, username, DEMO_PASSWORD)
            expect(page.locator(".site-nav .user")).to_be_visible()
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            assert violations(page) == []
            if name == "申请·批量审核":
                # and the page after the bulk review, with its message
                for box in page.locator('input[name="requests"]').all():
                    box.check()
                page.get_by_label("通过").check()
                page.get_by_role("button", name="执行").click()
                expect(page.locator(".messages")).to_contain_text("已通过 2 项申请。")
                assert violations(page) == []
            page.context.close()
