"""The office sets a unit's group robot in the browser; the reminders then reach that group too."""

from assessment.models import Unit
from assessment.notify.models import UnitRobot
from assessment.notify.reminder_kinds import open_items
from assessment.notify.reminders import plan


def test_staff_set_change_and_remove_a_units_robot(role_client):
    client = role_client("staff")
    unit = Unit.objects.get(name="财政局")
    url = f"/units/{unit.pk}/contacts/"
    page = client.get(url)
    assert page.status_code == 200 and "提醒发给谁" in page.content.decode()
    bad = client.post(url, {"kind": "wecom", "url": "ftp://robot.example.gov.cn/x", "secret": ""})
    assert bad.status_code == 400 and "机器人地址须以 https:// 开头。" in bad.content.decode()
    assert not UnitRobot.objects.exists()
    hook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    assert client.post(url, {"kind": "wecom", "url": hook, "secret": "", "is_active": "on"}).status_code == 302
    robot = UnitRobot.objects.get(unit=unit)
    assert (robot.kind, robot.url, robot.is_active) == ("wecom", hook, True)
    [finance] = [p for p in plan(open_items(2019), force=True) if p.unit == unit]
    assert finance.robot.url == hook and finance.reached  # the next reminder goes to the group too
    # Removing asks first; only the confirmation removes it.
    ask = client.post(url, {"remove": "1"})
    assert "确定删除吗" in ask.content.decode() and UnitRobot.objects.filter(unit=unit).exists()
    client.post(url, {"remove": "1", "confirm": "1"})
    assert not UnitRobot.objects.filter(unit=unit).exists()


def test_the_unit_page_links_the_contacts_for_the_office_only(role_client, reporter_unit):
    link = f"/units/{reporter_unit.pk}/contacts/"
    assert link in role_client("staff").get(f"/units/{reporter_unit.pk}/").content.decode()
    assert link not in role_client("leader").get(f"/units/{reporter_unit.pk}/").content.decode()
