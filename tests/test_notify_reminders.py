"""`manage.py send_reminders`: once per (cell, stage), overdue again at the interval, failures retried, dry run."""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command

from assessment.models import Mark, Reporter, Unit
from assessment.notify import reminder_kinds
from assessment.notify.models import CellReminder, Delivery, Stage, UnitRobot
from assessment.notify.reminder_kinds import ReminderItem, mark_item
from assessment.notify.reminders import send_unit_reminders

from .factories import UserFactory, reporter_address, unit_without_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(db):
    """财政局, reached at its demo reporter's address."""
    return Unit.objects.get(name="财政局")


@pytest.fixture
def nobody(db):
    """A unit with 统战部's cells and no contact at all."""
    return unit_without_contact("统战部", "无联系单位")


def run(*args):
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def finance_mail(smtp_server):
    return [m for m in smtp_server.messages if m["to"] == [reporter_address("财政局")]]


def test_each_cell_due_soon_is_reminded_once(smtp_server, finance, nobody):
    # 财政局 has reported cases; its three * items are due by the year-end assessment (2019-12-31).
    assert "财政局" not in run("--date", "2019-11-26")  # 35 days left: not due yet, nothing sent
    out = run("--date", "2019-12-20")
    assert f"财政局（3 项）→ {reporter_address('财政局')}" in out
    assert "[即将到期] 诚信专题宣传任务 (0.2分) 截止 2019-12-31" in out
    assert len(finance_mail(smtp_server)) == 1
    assert Delivery.objects.filter(unit=finance, status="ok").count() == 1
    # units without any contact are recorded as unreachable, and their cells stay unreminded
    unreachable = Delivery.objects.filter(status="unreachable")
    assert unreachable.filter(unit=nobody).exists()
    assert not CellReminder.objects.filter(unit=nobody).exists()
    assert CellReminder.objects.filter(unit=finance, stage="due_soon").count() == 3

    out = run("--date", "2019-12-21")
    assert "财政局" not in out
    assert len(finance_mail(smtp_server)) == 1  # nothing new for 财政局
    assert not unreachable.filter(run_date=date(2019, 12, 21)).exists()  # not recorded again every day


def test_a_unit_given_an_address_is_reminded_on_the_next_run(smtp_server, finance, nobody):
    run("--date", "2019-12-20")
    Reporter.objects.create(user=UserFactory(username="tongzhan", email="tz@ks.gov.cn"), unit=nobody)
    run("--date", "2019-12-21")
    assert [m["to"] for m in smtp_server.messages].count(["tz@ks.gov.cn"]) == 1


def test_overdue_repeats_at_the_interval_and_each_stage_is_sent_once(smtp_server, finance, settings):
    settings.REMINDER_REPEAT_DAYS = 7
    mark = Mark.objects.select_related("unit", "indicator").get(unit=finance, indicator__order=9, state="*")
    due = date(2019, 12, 31)

    def remind(today, stage):
        return send_unit_reminders([mark_item(mark, stage, due)], year=2019, today=today).delivered

    assert len(remind(date(2019, 12, 24), Stage.DUE_SOON)) == 1
    assert "（截止 2019-12-31，还有 7 天）" in finance_mail(smtp_server)[-1]["body"]
    assert remind(date(2019, 12, 25), Stage.DUE_SOON) == []  # due soon: once
    assert len(remind(date(2020, 1, 2), Stage.OVERDUE)) == 1
    overdue_text = "已逾期：\n1. 诚信专题宣传任务 (0.2分)（截止 2019-12-31，已逾期 2 天）"
    assert overdue_text in finance_mail(smtp_server)[-1]["body"]
    assert remind(date(2020, 1, 3), Stage.OVERDUE) == []
    assert remind(date(2020, 1, 8), Stage.OVERDUE) == []  # six days later
    assert len(remind(date(2020, 1, 9), Stage.OVERDUE)) == 1  # seven days later
    assert len(finance_mail(smtp_server)) == 3
    overdue = CellReminder.objects.get(cell=f"mark:{mark.pk}", stage="overdue")
    assert (overdue.first_sent_on, overdue.last_sent_on, overdue.times) == (date(2020, 1, 2), date(2020, 1, 9), 2)


def test_one_message_lists_the_units_cells_by_stage(smtp_server, finance):
    marks = (
        Mark.objects.select_related("unit", "indicator")
        .filter(unit=finance, state="*")
        .exclude(indicator__accepts_count=True)  # stores * but shows the cases counted
        .order_by("indicator__order")
    )
    first, second, third = marks
    items = [
        mark_item(third, Stage.PENDING),
        mark_item(first, Stage.DUE_SOON, date(2019, 11, 30)),
        mark_item(second, Stage.OVERDUE, date(2019, 9, 30)),
    ]
    send_unit_reminders(items, today=date(2019, 11, 26))
    [message] = finance_mail(smtp_server)
    body = message["body"]
    assert body.index("已逾期：") < body.index("即将到期：") < body.index("仍标记为“*”")
    assert "1. 奖惩措施和信用应用成效反馈 (0.3分)（截止 2019-09-30，已逾期 57 天）" in body
    assert "2. 配合推进国家守信激励创新试点项目 (0.1分)（截止 2019-11-30，还有 4 天）" in body
    assert "3. 诚信专题宣传任务 (0.2分)" in body
    delivery = Delivery.objects.get(unit=finance)
    assert [(i["stage"], i["due"]) for i in delivery.items] == [
        ("pending", None),
        ("due_soon", "2019-11-30"),
        ("overdue", "2019-09-30"),
    ]


def test_a_failed_sending_is_retried_on_the_next_run_and_not_duplicated(smtp_server, robot_server, finance):
    UnitRobot.objects.create(unit=finance, kind="wecom", url=robot_server.url())
    smtp_server.stop()
    robot_server.stop()
    out = run("--date", "2019-12-20")
    assert f"失败 {Delivery.objects.filter(status='failed').count()} 条" in out
    failed = Delivery.objects.filter(unit=finance)
    assert sorted(failed.values_list("channel", "status")) == [("email", "failed"), ("wecom", "failed")]
    assert "对方拒绝连接" in failed.get(channel="wecom").error

    smtp_server.start()
    robot_server.start()
    out = run("--date", "2019-12-21")
    assert sorted(failed.values_list("channel", "status", "attempts")) == [("email", "ok", 2), ("wecom", "ok", 2)]
    assert failed.count() == 2  # retried, not sent anew
    assert len(finance_mail(smtp_server)) == 1 and len(robot_server.requests) == 1
    assert "财政局" in robot_server.requests[0]["json"]["markdown"]["content"]


def test_dry_run_prints_and_sends_nothing(smtp_server, finance, nobody):
    out = run("--dry-run", "--date", "2019-12-20")
    assert f"财政局（3 项）→ {reporter_address('财政局')}" in out and re.search(r"无联系单位（\d+ 项）→ 无法送达", out)
    assert "试运行" in out
    assert smtp_server.messages == []
    assert not Delivery.objects.exists() and not CellReminder.objects.exists()


def test_dry_run_counts_what_would_be_retried(smtp_server, finance):
    smtp_server.stop()
    run("--date", "2019-12-20")
    smtp_server.start()
    out = run("--dry-run", "--date", "2019-12-21")
    assert "将重发" in out and smtp_server.messages == []
    assert Delivery.objects.get(unit=finance).status == "failed"


def test_a_bad_date_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--date", "26.11.2019")


def test_send_queued_as_a_worker_delivers_what_arrives_between_rounds(smtp_server, finance):
    send_unit_reminders(
        [mark_item(m) for m in Mark.objects.select_related("unit", "indicator").filter(unit=finance, state="*")],
        defer=True,
    )
    out = io.StringIO()
    call_command("send_queued", "--every", "0", "--rounds", "2", stdout=out)
    assert out.getvalue().count("发送 1 条，成功 1 条") == 1  # quiet rounds print nothing
    assert len(finance_mail(smtp_server)) == 1


def test_another_kind_of_reminder_is_sent_with_the_cells(smtp_server, finance, monkeypatch):
    """A kind registered beside the marks' (as a higher app would in its ready()) is planned, sent, recorded
    and not sent twice like a cell, by the same rule."""
    monkeypatch.setattr(reminder_kinds, "KINDS", dict(reminder_kinds.KINDS))  # the registry as it was, after the test

    def self_reports(year, stage, as_of):
        return [ReminderItem(finance, f"report:{year}", "年度自评报告", date(year, 12, 25), Stage.DUE_SOON)]

    reminder_kinds.register_reminder_kind("report", self_reports)
    reminder_kinds.register_reminder_kind("report", self_reports)  # twice: kept once
    assert list(reminder_kinds.KINDS) == ["mark", "report"]
    with pytest.raises(ValueError, match="report"):
        reminder_kinds.register_reminder_kind("report", lambda year, stage, as_of: [])

    out = run("--date", "2019-12-20")
    assert f"财政局（4 项）→ {reporter_address('财政局')}" in out
    assert "[即将到期] 年度自评报告 截止 2019-12-25" in out
    [message] = finance_mail(smtp_server)
    assert "年度自评报告（截止 2019-12-25，还有 5 天）" in message["body"]
    assert CellReminder.objects.filter(unit=finance, cell="report:2019", stage="due_soon").exists()
    assert "财政局" not in run("--date", "2019-12-21")  # reminded once, as a cell is
