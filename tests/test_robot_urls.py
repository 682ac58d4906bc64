"""A group robot's address: https to a WeCom/DingTalk robot host (or one listed in DJANGO_ROBOT_HOSTS),
never a loopback or private address; refused at the form and again at sending (issue 23, blind SSRF)."""

import socket

import pytest

from assessment.models import Mark, Unit
from assessment.notify import robot_urls
from assessment.notify.models import Delivery, UnitRobot
from assessment.notify.reminder_kinds import mark_item
from assessment.notify.reminders import send_unit_reminders

from .servers import RobotServer


@pytest.fixture
def finance(db):
    return Unit.objects.get(name="财政局")


@pytest.fixture
def contacts(role_client, finance):
    client = role_client("staff")
    return lambda url: client.post(f"/units/{finance.pk}/contacts/", {"kind": "wecom", "url": url, "secret": ""})


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8080/robot", "机器人地址须以 https:// 开头。"),
        ("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "机器人地址须以 https:// 开头。"),
        ("https://127.0.0.1/robot", "机器人地址不能是本机或内网地址。"),
        ("https://[::1]/robot", "机器人地址不能是本机或内网地址。"),
        ("https://10.8.1.5/robot", "机器人地址不能是本机或内网地址。"),
        ("https://169.254.169.254/latest/meta-data/", "机器人地址不能是本机或内网地址。"),
        ("https://[::ffff:192.168.1.1]/robot", "机器人地址不能是本机或内网地址。"),
        (
            "https://robot.example.gov.cn/send",
            "须是政务微信/企业微信（qyapi.weixin.qq.com）或钉钉（oapi.dingtalk.com）",
        ),
        ("https://qyapi.weixin.qq.com.evil.example/send", "须是政务微信/企业微信"),
        ("https://user:pw@qyapi.weixin.qq.com/send", "机器人地址格式不正确。"),
    ],
)
def test_the_form_refuses_an_address_the_portal_may_not_post_to(contacts, url, message):
    response = contacts(url)
    assert response.status_code == 400 and message in response.content.decode()
    assert not UnitRobot.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        "https://oapi.dingtalk.com/robot/send?access_token=abc",
    ],
)
def test_wecom_and_dingtalk_robots_are_accepted(contacts, url):
    assert contacts(url).status_code == 302 and UnitRobot.objects.get().url == url


def test_a_host_listed_in_the_environment_is_accepted(contacts, settings):
    settings.ROBOT_HOSTS = settings.ROBOT_HOSTS | {"zwwx.ks.gov.cn"}
    assert contacts("https://zwwx.ks.gov.cn/cgi-bin/webhook/send?key=abc").status_code == 302


def test_a_robot_host_that_resolves_to_an_inner_address_is_refused_at_sending(settings, monkeypatch):
    settings.ROBOT_HOSTS = settings.ROBOT_HOSTS | {"robot.ks.gov.cn"}
    url = "https://robot.ks.gov.cn/send"
    assert robot_urls.problem(url) is None  # the form cannot tell: the name is looked up when sending

    def resolves_to(address):
        return lambda *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 443))]

    monkeypatch.setattr(socket, "getaddrinfo", resolves_to("192.168.10.20"))
    with pytest.raises(robot_urls.Refused, match="机器人地址指向本机或内网地址，不能使用。"):
        robot_urls.target(url)
    monkeypatch.setattr(socket, "getaddrinfo", resolves_to("101.91.40.112"))
    assert robot_urls.target(url) == robot_urls.Target("robot.ks.gov.cn", 443, "101.91.40.112")


def test_a_stored_or_environment_address_inside_the_network_is_never_posted_to(finance, settings):
    """The robot listens on 127.0.0.1: stored in the table (as before the rule) or in DJANGO_WEBHOOK_URL, the
    reminder is refused at sending, and the robot receives nothing."""
    server = RobotServer()
    server.start()
    try:
        marks = Mark.objects.filter(unit=finance, indicator__scheme__year=2019, state="*").exclude(
            indicator__accepts_count=True
        )
        items = [mark_item(m) for m in marks.select_related("unit", "indicator")]
        UnitRobot.objects.create(unit=finance, kind="wecom", url=server.url())
        send_unit_reminders(items, year=2019)
        UnitRobot.objects.all().delete()
        settings.WEBHOOK_URL = server.url()
        send_unit_reminders(items, year=2019, force=True)
    finally:
        server.stop()
    assert server.requests == []
    deliveries = list(Delivery.objects.filter(channel="wecom"))
    assert deliveries and {d.status for d in deliveries} == {"failed"}
    assert all("机器人地址须以 https:// 开头" in d.error for d in deliveries)
