"""催办 of one unit with its items and a message; the 签收 link records once, only for the unit's account; the
office sees who has acknowledged and presses again those who have not."""

import io
import re

import pytest
from django.core.management import call_command

from assessment.marks.services import set_mark
from assessment.models import Mark, Unit
from assessment.notify.models import Delivery, Receipt, Reminder
from core.office.models import get_office

from .factories import reporter_address

pytestmark = pytest.mark.django_db
LINK = re.compile(r"签收（需登录本单位填报账号）：https://credit\.ks\.gov\.cn(/units/receipts/[\w-]+/)")


@pytest.fixture
def fgw(reporter_user, reporter_unit, staff_user, settings):
    """发改委 with two items set back to * and its reporter's e-mail."""
    settings.SITE_URL = "https://credit.ks.gov.cn"
    reporter_user.email = "fgw@ks.gov.cn"
    reporter_user.save()
    for order in (5, 6):
        set_mark(
            Mark.objects.get(unit=reporter_unit, indicator__order=order, indicator__scheme__year=2019), "*", staff_user
        )
    return reporter_unit


def send_queued():
    call_command("send_queued", stdout=io.StringIO())


def test_one_unit_is_pressed_with_chosen_items_and_a_message(role_client, fgw, smtp_server):
    client = role_client("staff")
    # the unit's row in the grid, its page and the overview's overdue list lead here
    assert f"/units/{fgw.pk}/remind/" in client.get(f"/units/{fgw.pk}/").content.decode()
    assert f"/units/{fgw.pk}/remind/" in client.get("/assessment/2019/departments/").content.decode()
    page = client.get(f"/units/{fgw.pk}/remind/").content.decode()
    cells = re.findall(r'name="cell" value="([^"]+)"', page)
    assert len(cells) >= 2, page
    response = client.post(f"/units/{fgw.pk}/remind/", {"cell": cells[:1], "message": "请于本周五前完成。"})
    reminder = Reminder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/units/reminders/sent/{reminder.pk}/"
    assert reminder.single and reminder.message == "请于本周五前完成。"
    [receipt] = reminder.receipts.all()
    assert receipt.unit == fgw and len(receipt.items) == 1

    send_queued()
    [mail] = smtp_server.messages
    assert mail["to"] == ["fagaiwei@example.gov.cn", "fgw@ks.gov.cn"]  # the demo's reporter and the test's
    assert mail["subject"] == "【昆山信用】2019年度信用体系建设考核未完成事项催办（发改委）"  # the office row's one tag
    assert "市信用办留言：请于本周五前完成。" in mail["body"]
    assert receipt.items[0]["title"] in mail["body"]
    assert LINK.search(mail["body"]).group(1) == f"/units/receipts/{receipt.token}/"
    assert not Delivery.objects.exclude(unit=fgw).exists()  # no other unit


def test_the_message_is_headed_with_the_offices_own_short_name(role_client, fgw, reporter_user, smtp_server):
    """Another city's office (its row, /office/) signs its words with its own name, in the mail and on 签收."""
    office = get_office()
    office.short_name = "苏州市信用办"
    office.save()
    client = role_client("staff")
    cells = re.findall(r'name="cell" value="([^"]+)"', client.get(f"/units/{fgw.pk}/remind/").content.decode())
    client.post(f"/units/{fgw.pk}/remind/", {"cell": cells[:1], "message": "请尽快。"})
    send_queued()
    [mail] = smtp_server.messages
    assert "苏州市信用办留言：请尽快。" in mail["body"]
    link = LINK.search(mail["body"]).group(1)
    page = role_client("reporter").get(link).content.decode()
    assert "苏州市信用办留言：请尽快。" in page


def test_nothing_chosen_is_refused_in_chinese(role_client, fgw):
    response = role_client("staff").post(f"/units/{fgw.pk}/remind/", {"message": "请尽快。"})
    assert response.status_code == 400 and "请至少选择一项需要催办的事项。" in response.content.decode()
    assert not Reminder.objects.exists()


def test_the_link_records_once_only_for_its_units_account_and_the_office_sees_it(
    role_client, fgw, reporter_user, smtp_server
):
    client = role_client("staff")
    cells = re.findall(r'name="cell" value="([^"]+)"', client.get(f"/units/{fgw.pk}/remind/").content.decode())
    client.post(f"/units/{fgw.pk}/remind/", {"cell": cells})
    receipt = Receipt.objects.get()
    url = f"/units/receipts/{receipt.token}/"
    status_page = f"/units/reminders/sent/{receipt.reminder_id}/"

    page = client.get(status_page).content.decode()
    assert "未签收（1 家）" in page and "已签收（0 家）" in page
    # anyone else: 404, nothing recorded
    for role in ("staff", "other_reporter", "leader"):
        assert role_client(role).get(url).status_code == 404
    assert role_client("anonymous").get(url).status_code == 302
    assert Receipt.objects.get().acknowledged_at is None

    unit_page = role_client("reporter").get(f"/units/{fgw.pk}/").content.decode()
    assert "待签收的提醒（1）" in unit_page and url in unit_page
    opened = role_client("reporter").get(url).content.decode()
    assert "已签收，市信用办可以看到贵单位已收到这份催办。" in opened
    first = Receipt.objects.get()
    assert first.acknowledged_by == reporter_user and first.acknowledged_at is not None
    assert "待签收的提醒" not in role_client("reporter").get(f"/units/{fgw.pk}/").content.decode()
    again = role_client("reporter").get(url).content.decode()
    assert "已于" in again and Receipt.objects.get().acknowledged_at == first.acknowledged_at  # once

    page = role_client("staff").get(status_page).content.decode()
    assert "未签收（0 家）" in page and "已签收（1 家）" in page and "所有单位都已签收。" in page
    listing = role_client("staff").get("/units/reminders/sent/").content.decode()
    assert "催办" in listing and status_page in listing


def test_pressing_again_goes_only_to_those_who_have_not_acknowledged(role_client, fgw, smtp_server):
    finance = Unit.objects.get(name="财政局")
    cz = [reporter_address("财政局")]  # its demo reporter
    client = role_client("staff")
    page = client.get("/units/reminders/").content.decode()
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    client.post("/units/reminders/", {"nonce": nonce})
    reminder = Reminder.objects.get()
    send_queued()
    reached = [m["to"] for m in smtp_server.messages]
    assert cz in reached and ["fagaiwei@example.gov.cn", "fgw@ks.gov.cn"] in reached
    sent_before = len(smtp_server.messages)
    role_client("reporter").get(f"/units/receipts/{reminder.receipts.get(unit=fgw).token}/")

    response = role_client("staff").post(f"/units/reminders/sent/{reminder.pk}/", follow=True)
    assert "已安排再次催办" in response.content.decode()
    send_queued()
    pressed = smtp_server.messages[sent_before:]
    # only the units that have not acknowledged: 财政局 among them, never 发改委
    assert cz in [m["to"] for m in pressed]
    assert all("fgw@ks.gov.cn" not in m["to"] and m["subject"].startswith("【再次催办】") for m in pressed)
    [pressed] = [m for m in pressed if m["to"] == cz]
    assert f"/units/receipts/{reminder.receipts.get(unit=finance).token}/" in pressed["body"]
    assert reminder.receipts.get(unit=finance).pressed == 1


def test_a_reminder_not_acknowledged_waits_in_the_units_todo_until_its_link_is_opened(role_client, fgw, smtp_server):
    client = role_client("staff")
    cells = re.findall(r'name="cell" value="([^"]+)"', client.get(f"/units/{fgw.pk}/remind/").content.decode())
    client.post(f"/units/{fgw.pk}/remind/", {"cell": cells, "message": "请于本周五前完成。"})
    url = f"/units/receipts/{Receipt.objects.get().token}/"
    reporter = role_client("reporter")
    todo = reporter.get("/todo/").content.decode()
    assert "待签收的提醒" in todo and url in todo and "请于本周五前完成。" in todo
    assert url not in role_client("other_reporter").get("/todo/").content.decode()  # its own unit's only
    reporter.get(url)
    assert "待签收的提醒" not in reporter.get("/todo/").content.decode()
