"""The office's record of sendings: failures first, filters, staff only, a bounded number of queries."""

import pytest
from django.utils import timezone

from assessment.models import Unit
from assessment.notify.models import Delivery

from .conftest import MENU_TODO_QUERIES

URL = "/units/reminders/log/"
pytestmark = pytest.mark.django_db


def delivery(unit, status, channel="email", **extra):
    return Delivery.objects.create(
        kind=extra.pop("kind", "reminder"),
        channel=channel,
        unit=unit,
        recipient=extra.pop("recipient", "a@ks.gov.cn"),
        title=f"提醒（{unit.name}）",
        text="正文",
        items=[{"cell": "mark:1", "stage": "pending", "title": "诚信专题宣传任务 (0.2分)", "due": None}],
        status=status,
        run_date=timezone.localdate(),
        **extra,
    )


@pytest.fixture
def rows():
    finance, army, town = (Unit.objects.get(name=n) for n in ("财政局", "人武部", "昆山开发区"))
    return {
        "ok": delivery(finance, "ok", attempts=1),
        "failed": delivery(army, "failed", attempts=3, error="邮件服务器：对方拒绝连接"),
        "robot": delivery(town, "ok", channel="wecom", recipient="https://qyapi.weixin.qq.com/send?key=SECRETKEY1234"),
        "unreachable": delivery(town, "unreachable", error="没有填报账号邮箱，也没有群机器人，无法送达"),
    }


def shown(response):
    return [d.pk for d in response.context["page"].object_list]


def test_failures_come_first_with_their_reason(role_client, rows):
    response = role_client("staff").get(URL)
    assert response.status_code == 200
    order = shown(response)
    assert order[:2] == [rows["failed"].pk, rows["unreachable"].pk]
    page = response.content.decode()
    assert "邮件服务器：对方拒绝连接" in page and "下次运行时重发" in page and "目前有 1 条发送失败" in page
    assert "qyapi.weixin.qq.com…1234" in page and "SECRETKEY" not in page  # the robot's key stays hidden


def test_filters_by_result_channel_and_unit(role_client, rows):
    client = role_client("staff")
    assert shown(client.get(URL, {"status": "failed"})) == [rows["failed"].pk]
    assert shown(client.get(URL, {"channel": "wecom"})) == [rows["robot"].pk]
    town = rows["robot"].unit_id
    assert set(shown(client.get(URL, {"unit": town}))) == {rows["robot"].pk, rows["unreachable"].pk}
    assert set(shown(client.get(URL, {"status": "bogus"}))) == {r.pk for r in rows.values()}


def test_only_the_office_reads_the_log(role_client, rows):
    for role, status in (("leader", 403), ("reporter", 404), ("anonymous", 302)):
        assert role_client(role).get(URL).status_code == status


def test_the_log_queries_stay_bounded(role_client, rows, staff_user, django_assert_max_num_queries):
    units = list(Unit.objects.all()[:60])
    for unit in units:
        delivery(unit, "failed", created_by=staff_user, error="连接超时")
        delivery(unit, "ok", channel="dingtalk", recipient="https://oapi.dingtalk.com/robot/send?access_token=x")
    client = role_client("staff")
    with django_assert_max_num_queries(
        11 + MENU_TODO_QUERIES["staff"]
    ):  # 10, the second factor's device, the menu's 待办
        response = client.get(URL)
    assert len(shown(response)) == 50 and response.context["page"].paginator.count == 124
    with django_assert_max_num_queries(11 + MENU_TODO_QUERIES["staff"]):
        assert len(shown(client.get(URL, {"page": 3}))) == 24
