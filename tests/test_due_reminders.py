"""The daily `send_reminders --date`, fed by the cells' due dates: before the date (due soon) and after it
(overdue, again every DJANGO_REMINDER_REPEAT_DAYS), each (cell, stage) once; nothing for what is not due."""

import datetime
import io

import pytest
from django.core.management import call_command

from assessment.notify.models import CellReminder

from .factories import reporter_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(db):
    """统战部 (no case this year) and 财政局 (cases reported; three * by the year end) are reached at their demo
    reporters' addresses: {unit name: address}."""
    return {name: reporter_address(name) for name in ("统战部", "财政局")}


def run(day):
    out = io.StringIO()
    call_command("send_reminders", "--date", day, stdout=out)
    return out.getvalue()


def mails(smtp_server, unit_name):
    return [m for m in smtp_server.messages if m["to"] == [reporter_address(unit_name)]]


def test_the_case_duty_presses_after_the_quarter_and_repeats(smtp_server, contacts, settings):
    settings.REMINDER_REPEAT_DAYS = 7
    out = run("2019-11-26")
    assert f"统战部（1 项）→ {contacts['统战部']}" in out
    assert "[已逾期] 奖惩案例" in out and "截止 2019-03-31" in out
    assert "财政局" not in out  # its items are due by the year end, 35 days away
    [message] = mails(smtp_server, "统战部")
    assert "已逾期：\n1. 奖惩案例" in message["body"] and "已逾期 240 天" in message["body"]
    assert run("2019-11-27").count("统战部") == 0
    assert "统战部" not in run("2019-12-02")  # six days later
    assert "统战部（1 项）" in run("2019-12-03")  # seven days later: pressed again
    assert len(mails(smtp_server, "统战部")) == 2
    reminder = CellReminder.objects.get(unit__name="统战部")
    assert (reminder.stage, reminder.times) == ("overdue", 2)


def test_year_end_items_are_reminded_before_the_date_then_explained_once_after_it(smtp_server, contacts, settings):
    settings.REMINDER_REPEAT_DAYS = 7
    assert "财政局" not in run("2019-12-16")  # 15 days left
    out = run("2019-12-17")  # 14 days left (DJANGO_DUE_SOON_DAYS)
    assert "财政局（3 项）" in out and "[即将到期] 诚信专题宣传任务 (0.2分) 截止 2019-12-31" in out
    assert "（截止 2019-12-31，还有 14 天）" in mails(smtp_server, "财政局")[-1]["body"]
    assert "财政局" not in run("2019-12-18")  # due soon: once
    # The year has ended: the unit is asked once for its year-end explanation, no days are counted.
    out = run("2020-01-01")
    assert "财政局（3 项）" in out and "[年终情况说明] 诚信专题宣传任务" in out
    body = mails(smtp_server, "财政局")[-1]["body"]
    assert "请提交年终情况说明" in body and "3. 诚信专题宣传任务 (0.2分)\n" in body and "逾期" not in body
    assert "财政局" not in run("2020-01-08") and "财政局" not in run("2020-02-01")  # once, not repeated
    assert len(mails(smtp_server, "财政局")) == 2
    stages = sorted(CellReminder.objects.filter(unit__name="财政局").values_list("stage", flat=True))
    assert stages == ["due_soon"] * 3 + ["year_end"] * 3


def test_a_closed_year_sends_no_reminder(smtp_server, contacts, staff_user):
    from assessment.scoring.services import close_year

    close_year(2019, staff_user, reason="")
    out = run("2020-01-01")
    assert "财政局" not in out and "统战部" not in out and smtp_server.messages == []


def test_a_changed_date_brings_the_reminder_forward(smtp_server, contacts, staff_user):
    from assessment.marks.services import set_due_override
    from assessment.models import Mark

    mark = Mark.objects.select_related("indicator__scheme").get(
        unit__name="财政局", indicator__scheme__year=2019, indicator__order=9
    )
    set_due_override(mark, datetime.date(2019, 11, 30), "配合省里提前验收", staff_user)
    out = run("2019-11-26")
    assert "财政局（1 项）" in out and "[即将到期] 诚信专题宣传任务 (0.2分) 截止 2019-11-30" in out
