"""Notices both ways: the office hears of a case or request that arrives (at once, or once a day, per person);
the submitter hears that it was accepted or returned, with the reason. Real SMTP server and robot catcher."""

import io

import pytest
from django.core.management import call_command

from assessment.marks.services import set_mark
from assessment.models import Mark, MarkRequest
from assessment.notify.models import Delivery, NoticePreference, OfficeRobot, UnitRobot
from cases.models import Case, CaseStatus
from core.audit.models import AuditEntry

from .factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(staff_user, reporter_user, settings):
    settings.SITE_URL = "https://credit.ks.gov.cn"
    staff_user.email, reporter_user.email = "staff@ks.gov.cn", "fgw@ks.gov.cn"
    staff_user.save()
    reporter_user.save()
    return staff_user, reporter_user


def _draft(unit, reporter, **fields):
    """A draft case of the reporter's unit, as its form leaves it before 报送."""
    defaults = {"source_label": "市发改委", "year": 2019, "quarter": 4, "status": CaseStatus.DRAFT}
    return CaseFactory(source_unit=unit, created_by=reporter, **{**defaults, **fields})


def send_queued():
    call_command("send_queued", stdout=io.StringIO())


def mail_to(smtp_server, address):
    return [m for m in smtp_server.messages if m["to"] == [address]]


def test_a_case_goes_round_and_each_side_is_told(role_client, people, smtp_server, robot_server, reporter_unit):
    UnitRobot.objects.create(unit=reporter_unit, kind="wecom", url=robot_server.url())
    staff, reporter = people
    case = _draft(reporter_unit, reporter)
    link = f"https://credit.ks.gov.cn/cases/case/{case.pk}/"

    role_client("reporter").post(f"/cases/case/{case.pk}/submit/")
    send_queued()
    [arrived] = mail_to(smtp_server, "staff@ks.gov.cn")
    assert arrived["subject"] == f"【昆山信用】发改委报送了奖惩案例：{case.title}"
    assert f"办理页面：{link}" in arrived["body"]
    assert not mail_to(smtp_server, "fgw@ks.gov.cn")  # the reporter is not told of their own step

    role_client("staff").post(f"/cases/case/{case.pk}/return/", {"reason": "请补充处罚决定书的文号。"})
    send_queued()
    [returned] = mail_to(smtp_server, "fgw@ks.gov.cn")
    assert returned["subject"] == f"【昆山信用】您报送的案例被退回：{case.title}"
    assert "退回理由：\n请补充处罚决定书的文号。" in returned["body"] and f"办理页面：{link}" in returned["body"]
    # the unit's group robot hears it too
    assert "请补充处罚决定书的文号。" in robot_server.requests[-1]["json"]["markdown"]["content"]

    role_client("reporter").post(f"/cases/case/{case.pk}/submit/")
    send_queued()
    assert mail_to(smtp_server, "staff@ks.gov.cn")[-1]["subject"].startswith("【昆山信用】发改委重新报送了奖惩案例")
    role_client("staff").post(f"/cases/case/{case.pk}/accept/")
    send_queued()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED
    assert mail_to(smtp_server, "fgw@ks.gov.cn")[-1]["subject"] == f"【昆山信用】您报送的案例已采用：{case.title}"
    assert not Delivery.objects.exclude(status=Delivery.Status.OK).filter(kind=Delivery.Kind.NOTICE).exists()


def _pending_mark(staff):
    return set_mark(Mark.objects.get(unit__name="发改委", indicator__order=5, indicator__scheme__year=2019), "*", staff)


def test_a_request_arrives_and_its_acceptance_is_told(role_client, people, smtp_server):
    staff, reporter = people
    mark = _pending_mark(staff)
    role_client("reporter").post(
        f"/units/{mark.unit_id}/marks/{mark.pk}/request/", {"kind": "done", "text": "已在行政审批中开展信用审查。"}
    )
    send_queued()
    [arrived] = mail_to(smtp_server, "staff@ks.gov.cn")
    assert "发改委提交了" in arrived["subject"] and "说明：已在行政审批中开展信用审查。" in arrived["body"]
    assert "办理页面：https://credit.ks.gov.cn/units/requests/" in arrived["body"]

    request = MarkRequest.objects.get(mark=mark)
    role_client("staff").post(f"/units/requests/{request.pk}/accept/")
    send_queued()
    [accepted] = mail_to(smtp_server, "fgw@ks.gov.cn")
    assert "已通过" in accepted["subject"] and mark.indicator.title in accepted["subject"]
    assert f"办理页面：https://credit.ks.gov.cn/units/{mark.unit_id}/" in accepted["body"]


def test_a_returned_request_tells_the_reason(role_client, people, smtp_server):
    staff, reporter = people
    mark = _pending_mark(staff)
    request = MarkRequest.objects.create(mark=mark, kind="done", text="已完成。", submitted_by=reporter)
    role_client("staff").post(f"/units/requests/{request.pk}/return/", {"reason": "证明材料不清楚。"})
    send_queued()
    [returned] = mail_to(smtp_server, "fgw@ks.gov.cn")
    assert "被退回" in returned["subject"] and "退回理由：\n证明材料不清楚。" in returned["body"]


def test_daily_readers_get_one_summary_and_others_nothing(role_client, people, smtp_server, reporter_unit):
    staff, reporter = people
    client = role_client("staff")
    assert "即时通知" in client.get("/units/notices/").content.decode()
    client.post("/units/notices/", {"mode": "daily"})
    assert NoticePreference.objects.get(user=staff).mode == "daily"
    for n in range(2):
        case = _draft(reporter_unit, reporter, title=f"信用承诺第{n + 1}例")
        role_client("reporter").post(f"/cases/case/{case.pk}/submit/")
    send_queued()
    assert not mail_to(smtp_server, "staff@ks.gov.cn")  # held for the day's summary
    call_command("send_digests", stdout=io.StringIO())
    [summary] = mail_to(smtp_server, "staff@ks.gov.cn")
    assert summary["subject"] == "【昆山信用】今日收到的报送（2 件）"
    assert "信用承诺第1例" in summary["body"] and "信用承诺第2例" in summary["body"]
    call_command("send_digests", stdout=io.StringIO())
    assert len(mail_to(smtp_server, "staff@ks.gov.cn")) == 1  # summarised once

    role_client("staff").post("/units/notices/", {"mode": "off"})
    case = _draft(reporter_unit, reporter)
    role_client("reporter").post(f"/cases/case/{case.pk}/submit/")
    assert not Delivery.objects.filter(user=staff, title__contains=case.title).exists()


def test_the_offices_group_robot_hears_each_arrival_at_once(
    role_client, people, smtp_server, robot_server, reporter_unit
):
    staff, reporter = people
    NoticePreference.objects.create(user=staff, mode=NoticePreference.Mode.DAILY)  # the member reads once a day
    office = role_client("staff")
    # Set on its page as the office would; the address rule is the units' (tests/test_robot_urls.py).
    refused = office.post("/units/notices/robot/", {"kind": "wecom", "url": "http://10.0.0.8/robot"})
    assert refused.status_code == 400 and "机器人地址须以 https:// 开头。" in refused.content.decode()
    saved = office.post("/units/notices/robot/", {"kind": "wecom", "url": robot_server.url(), "is_active": "on"})
    assert saved.status_code == 302 and OfficeRobot.objects.get().url == robot_server.url()
    entry = AuditEntry.objects.filter(action="robot_change").get()
    assert entry.actor == staff and robot_server.url() not in entry.detail  # the address is the robot's password

    case = _draft(reporter_unit, reporter)
    role_client("reporter").post(f"/cases/case/{case.pk}/submit/")
    send_queued()
    [posted] = robot_server.requests
    content = posted["json"]["markdown"]["content"]
    assert f"发改委报送了奖惩案例：{case.title}" in content
    assert f"https://credit.ks.gov.cn/cases/case/{case.pk}/" in content
    assert not mail_to(smtp_server, "staff@ks.gov.cn")  # the member's own e-mail waits for the day's summary

    # Removed after a confirmation: the next arrival reaches e-mail only.
    office = role_client("staff")
    asked = office.post("/units/notices/robot/", {"remove": "1"})
    assert "确定删除吗" in asked.content.decode() and OfficeRobot.objects.exists()
    office.post("/units/notices/robot/", {"remove": "1", "confirm": "1"})
    assert not OfficeRobot.objects.exists()
    assert AuditEntry.objects.filter(action="robot_delete", actor=staff).count() == 1
    mark = _pending_mark(staff)
    role_client("reporter").post(
        f"/units/{mark.unit_id}/marks/{mark.pk}/request/", {"kind": "done", "text": "已在行政审批中开展信用审查。"}
    )
    send_queued()
    assert MarkRequest.objects.filter(mark=mark).exists() and len(robot_server.requests) == 1
