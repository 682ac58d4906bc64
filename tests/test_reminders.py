"""The office's manual reminder: every unit that still has * is sent its open items, queued then delivered.

The page only records the sendings (no network call during a request); `send_queued` delivers them.
"""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Mark, MarkRequest, Reporter, SchemeUnit, Unit
from assessment.notify.models import Delivery

from .factories import UnitFactory, UserFactory, reporter_address, unit_without_contact

URL = "/units/reminders/"


@pytest.fixture
def reporters(reporter_user, db):
    """财政局 and 人武部 are reached at their demo reporters' addresses (every demo unit has one); 无联系单位,
    with 统战部's cells, has no contact at all."""
    unit_without_contact("统战部", "无联系单位")
    return {name: Reporter.objects.get(unit__name=name, user__email=reporter_address(name)).user for name in TWO}


TWO = ("财政局", "人武部")


def _confirm_page(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response


def _reached(response):
    """The names of the units the confirmation page says will be reached."""
    return {p.unit.name for p in response.context["plan"] if p.reached}


def _to_the_two():
    addresses = {reporter_address(name) for name in TWO}
    return [m for m in mail.outbox if set(m.to) & addresses]


def test_page_lists_each_unit_with_star_and_who_is_reached(role_client, reporters):
    response = _confirm_page(role_client("staff"))
    plan = {e.unit.name: e for e in response.context["plan"]}
    assert {"昆山开发区", "柏庐城市管理办事处", "财政局", "人武部"} <= set(plan)
    assert not {"发改委", "昆山高新区", "科技局"} & set(plan)  # nothing left to do
    # What shows *: its 奖惩案例 cell stores * but shows the 5 cases counted (assessment.cells).
    finance = (
        Mark.objects.filter(unit__name="财政局", indicator__scheme__year=2019, state="*")
        .exclude(indicator__accepts_count=True)
        .order_by("indicator__order")
    )
    assert [m.indicator.order for m in finance] == [2, 7, 9]
    assert [i.cell for i in plan["财政局"].items] == [f"mark:{m.pk}" for m in finance]
    assert plan["财政局"].emails == [reporter_address("财政局")]
    assert plan["无联系单位"].emails == [] and "无法送达" in response.content.decode()
    assert set(TWO) <= _reached(response) and "无联系单位" not in _reached(response)
    assert not mail.outbox and not Delivery.objects.exists()


def test_sending_queues_then_mails_each_reached_unit_its_open_items(role_client, reporters, settings, on_day):
    on_day(datetime.date(2019, 11, 26))
    settings.SITE_URL = "https://credit.ks.gov.cn"
    mark = Mark.objects.get(unit__name="人武部", indicator__order=4, indicator__scheme__year=2019)
    MarkRequest.objects.create(mark=mark, kind="done", text="已完成", submitted_by=reporters["人武部"])
    client = role_client("staff")
    confirm = _confirm_page(client)
    reached = _reached(confirm)
    response = client.post(URL, {"nonce": confirm.context["nonce"]}, follow=True)
    assert not mail.outbox  # only recorded: nothing leaves during the request
    page = response.content.decode()
    assert f"已安排向 {len(reached)} 家单位发送提醒" in page and "未能送达" in page and "无联系单位" in page
    assert Delivery.objects.filter(status="queued").count() == len(reached)
    assert Delivery.objects.get(status="unreachable", unit__name="无联系单位").created_by.username == "t_staff"

    call_command("send_queued", stdout=io.StringIO())
    assert len(mail.outbox) == len(reached)
    by_unit = {m.to[0]: m for m in mail.outbox}
    finance = by_unit[reporter_address("财政局")]
    assert "财政局" in finance.subject and "2019年度" in finance.subject
    # Not due yet (by the year-end assessment): listed as still *, each with its date (assessment.due).
    assert "1. 配合推进国家守信激励创新试点项目 (0.1分)（截止 2019-12-31，还有 35 天）" in finance.body
    assert "2. 奖惩措施和信用应用成效反馈 (0.3分)" in finance.body
    assert "3. 诚信专题宣传任务 (0.2分)" in finance.body
    assert f"https://credit.ks.gov.cn/units/{Unit.objects.get(name='财政局').pk}/" in finance.body
    army = by_unit[reporter_address("人武部")].body
    assert "(参照条线) 应用信用承诺 (0.1分)（截止 2019-12-31，还有 35 天）（已提交申请，待市信用办审核）" in army
    assert set(Delivery.objects.filter(status="ok").values_list("unit__name", flat=True)) == reached


def test_the_manual_reminder_sends_again_what_the_daily_run_already_sent(role_client, reporters):
    call_command("send_reminders", "--date", "2019-12-20", stdout=io.StringIO())  # all due soon
    assert len(_to_the_two()) == 2
    client = role_client("staff")
    client.post(URL, {"nonce": _confirm_page(client).context["nonce"]})
    call_command("send_queued", stdout=io.StringIO())
    assert len(_to_the_two()) == 4


def test_a_second_post_sends_nothing_more(role_client, reporters):
    client = role_client("staff")
    confirm = _confirm_page(client)
    nonce = confirm.context["nonce"]
    client.post(URL, {"nonce": nonce})
    response = client.post(URL, {"nonce": nonce}, follow=True)
    assert "已经发送过了" in response.content.decode()
    assert client.post(URL, {}).status_code == 302
    assert Delivery.objects.filter(status="queued").count() == len(_reached(confirm))


def test_only_the_office_sends_reminders(role_client, reporters):
    for role, status in (("leader", 403), ("reporter", 404), ("anonymous", 302)):
        assert role_client(role).post(URL, {"nonce": "x"}).status_code == status
    assert not Delivery.objects.exists()


def test_reminder_page_queries_stay_flat(role_client, reporters):
    client = role_client("staff")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            _confirm_page(client)
        return len(ctx.captured_queries)

    few = queries()
    scheme = SchemeUnit.objects.filter(scheme__year=2019, scheme__category__slug="towns").first().scheme
    for n in range(20):
        unit = UnitFactory(category=scheme.category)
        SchemeUnit.objects.create(scheme=scheme, unit=unit, order=100 + n)
        for indicator in scheme.indicators.all():
            Mark.objects.create(unit=unit, indicator=indicator, state="*" if "*" in indicator.allowed_states else "无")
        user = UserFactory(username=f"town{n}", email=f"town{n}@ks.gov.cn")
        Reporter.objects.create(user=user, unit=unit)
    assert queries() == few


def test_a_reminder_reaches_the_demo_reporter(role_client, staff_user):
    """The demo's 发改委 reporter has fagaiwei@example.gov.cn: once 发改委 has a *, the office's reminder reaches it."""
    from assessment.marks.services import set_mark

    mark = Mark.objects.get(unit__name="发改委", indicator__order=3, indicator__scheme__year=2019)
    set_mark(mark, "*", staff_user)
    client = role_client("staff")
    client.post(URL, {"nonce": _confirm_page(client).context["nonce"]})
    call_command("send_queued", stdout=io.StringIO())  # the page queues; the queue runner sends
    to_fagaiwei = [m for m in mail.outbox if m.to == ["fagaiwei@example.gov.cn"]]
    assert len(to_fagaiwei) == 1 and "发改委" in to_fagaiwei[0].subject
