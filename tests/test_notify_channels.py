"""The channels against real servers: e-mail over SMTP (aiosmtpd) and WeCom/DingTalk robots (http.server)."""

import base64
import datetime
import hashlib
import hmac
import io

import pytest
from django.core.management import call_command

from assessment.models import Mark, Reporter
from assessment.notify import digests
from assessment.notify.deliveries import deliver_pending
from assessment.notify.models import Delivery, Stage, UnitRobot
from assessment.notify.reminder_kinds import mark_item
from assessment.notify.reminders import send_unit_reminders
from cases.models import CaseStatus
from cases.services import accept_case
from core.office.models import Office

from .factories import CaseFactory, UserFactory, unit_without_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance():
    """A unit with 财政局's cells and no contact: each test gives it the channel it is about."""
    return unit_without_contact("财政局", "财政分局")


@pytest.fixture
def items(finance):
    # Its three * cells (the 奖惩案例 cell stores * but shows the cases counted: not open).
    marks = (
        Mark.objects.filter(unit=finance, indicator__scheme__year=2019, state="*")
        .exclude(indicator__accepts_count=True)
        .select_related("unit", "indicator")
    )
    return [mark_item(m) for m in marks.order_by("indicator__order")]


def test_email_reaches_the_smtp_server_with_an_absolute_link(smtp_server, finance, items, settings):
    settings.SITE_URL = "https://credit.ks.gov.cn"
    Reporter.objects.create(user=UserFactory(username="caizheng", email="caizheng@ks.gov.cn"), unit=finance)
    run = send_unit_reminders(items, year=2019)
    assert [d.status for d in run.delivered] == ["ok"]
    [received] = smtp_server.messages
    assert received["to"] == ["caizheng@ks.gov.cn"] and received["from"] == settings.DEFAULT_FROM_EMAIL
    assert received["subject"] == "【昆山信用】2019年度信用体系建设考核未完成事项提醒（财政分局）"
    assert "1. 配合推进国家守信激励创新试点项目 (0.1分)" in received["body"]
    assert f"本单位页面：https://credit.ks.gov.cn/units/{finance.pk}/" in received["body"]
    delivery = Delivery.objects.get()
    assert (delivery.attempts, delivery.error, delivery.sent_at is not None) == (1, "", True)
    assert [i["stage"] for i in delivery.items] == ["pending"] * 3


def test_wecom_robot_gets_a_markdown_message(robot_server, finance, items):
    UnitRobot.objects.create(unit=finance, kind="wecom", url=robot_server.url())
    run = send_unit_reminders(items, year=2019)
    assert [(d.channel, d.status) for d in run.delivered] == [("wecom", "ok")]
    [request] = robot_server.requests
    assert request["path"] == "/cgi-bin/webhook/send" and request["query"] == {"key": "unit-key"}
    assert request["content_type"].startswith("application/json")
    body = request["json"]
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"content"}
    content = body["markdown"]["content"]
    assert "**财政分局**" in content and "1. 配合推进国家守信激励创新试点项目 (0.1分)" in content
    assert f"[打开本单位页面](http://127.0.0.1:8000/units/{finance.pk}/)" in content


def test_dingtalk_robot_gets_title_and_text_and_a_valid_signature(robot_server, finance, items):
    secret = "SEC0123456789abcdef"
    UnitRobot.objects.create(unit=finance, kind="dingtalk", url=robot_server.url("/robot/send?access_token=t0k"))
    UnitRobot.objects.filter(unit=finance).update(secret=secret)
    send_unit_reminders(items, year=2019)
    [request] = robot_server.requests
    body = request["json"]
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"title", "text"}
    assert body["markdown"]["title"] == "【昆山信用】2019年度信用体系建设考核未完成事项提醒（财政分局）"
    assert "诚信专题宣传任务" in body["markdown"]["text"]
    query = request["query"]
    assert query["access_token"] == "t0k"
    expected = hmac.new(secret.encode(), f"{query['timestamp']}\n{secret}".encode(), hashlib.sha256).digest()
    # parse_qs already unquoted the sign once: it is the base64 of the HMAC.
    assert base64.b64decode(query["sign"]) == expected


def test_one_robot_for_all_units_when_a_unit_has_none(robot_server, finance, items, settings):
    settings.WEBHOOK_URL, settings.WEBHOOK_KIND = robot_server.url("/all"), "wecom"
    send_unit_reminders(items, year=2019)
    assert [r["path"] for r in robot_server.requests] == ["/all"]
    assert Delivery.objects.get().unit == finance


def test_a_robot_refusal_is_a_failure_with_its_code(robot_server, finance, items):
    robot_server.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    UnitRobot.objects.create(unit=finance, kind="wecom", url=robot_server.url())
    send_unit_reminders(items, year=2019)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "错误码 93000" in delivery.error and delivery.attempts == 1


def test_mail_server_down_is_a_failure_in_chinese(smtp_server, finance, items):
    Reporter.objects.create(user=UserFactory(username="caizheng", email="caizheng@ks.gov.cn"), unit=finance)
    smtp_server.stop()
    send_unit_reminders(items, year=2019)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.error == "邮件服务器：对方拒绝连接"


def test_long_messages_are_cut_to_what_the_robot_accepts(robot_server, finance):
    UnitRobot.objects.create(unit=finance, kind="wecom", url=robot_server.url())
    mark = Mark.objects.filter(unit=finance, state="*").select_related("unit", "indicator").first()
    many = []
    for n in range(300):
        item = mark_item(mark)
        many.append(type(item)(item.unit, f"x:{n}", f"事项{n} " + "很长的标题" * 5, None, Stage.PENDING, ""))
    send_unit_reminders(many)
    content = robot_server.requests[0]["json"]["markdown"]["content"]
    assert len(content.encode()) <= 4000 and content.endswith("请在门户中查看全部）")
    assert Delivery.objects.get().status == "ok"


def test_deliveries_left_sending_by_a_dead_run_are_tried_again(smtp_server, finance, items):
    from datetime import timedelta

    from django.utils import timezone

    Reporter.objects.create(user=UserFactory(username="caizheng", email="caizheng@ks.gov.cn"), unit=finance)
    send_unit_reminders(items, year=2019, defer=True)
    Delivery.objects.update(status="sending", attempts=1, last_attempt_at=timezone.now() - timedelta(hours=1))
    assert [d.status for d in deliver_pending()] == ["ok"]
    assert Delivery.objects.get().attempts == 2 and len(smtp_server.messages) == 1


def test_a_robot_address_that_is_not_https_is_refused(finance, items, settings):
    settings.WEBHOOK_URL = ""
    UnitRobot.objects.create(unit=finance, kind="wecom", url="ftp://127.0.0.1/robot")
    send_unit_reminders(items, year=2019)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "https://" in delivery.error


def test_every_message_carries_the_one_tag_of_the_office_row(finance, items, staff_user, reporter_user, mailoutbox):
    """Reminders, digests and case notices alike: 【…】 is the office's 邮件标题前缀, as set at /office/."""
    office = Office.objects.get(pk=1)
    office.mail_tag = "苏州信用"
    office.save()
    Reporter.objects.create(user=UserFactory(username="caizheng", email="caizheng@ks.gov.cn"), unit=finance)
    send_unit_reminders(items, year=2019)
    reporter_user.email = "fgw@ks.gov.cn"
    reporter_user.save()
    case = CaseFactory(year=2019, quarter=4, status=CaseStatus.SUBMITTED, submitted_by=reporter_user)
    accept_case(case, staff_user)
    call_command("send_queued", stdout=io.StringIO())  # the case's notice goes out with the queue
    digest_title = digests.compose(staff_user, [], datetime.date(2019, 12, 2))[0]
    subjects = [m.subject for m in mailoutbox] + [digest_title]
    assert len(subjects) == 3 and all(s.startswith("【苏州信用】") for s in subjects), subjects
