"""A server error (500) reaches the administrators: one e-mail (a real SMTP server) and one robot message per
distinct error and window, the repeats counted in the next one, no secret of the request in either; the user
still gets the Chinese 500 page."""

import pytest
from django.urls import path

from kunshan_credit import urls as portal_urls

from .conftest import log_in

pytestmark = pytest.mark.urls(__name__)

SECRET_PASSWORD = "hunter2-不可外泄-0123"


def _failing_total(request):
    raise RuntimeError("统计表第 3 行无法计算")


def _failing_export(request):
    raise ValueError("导出失败")


# The portal's routes (the login gate reverses them) and two views that fail as a bug would.
urlpatterns = [
    path("failing/total/", _failing_total, name="failing_total"),
    path("failing/export/", _failing_export, name="failing_export"),
    *portal_urls.urlpatterns,
]


@pytest.fixture
def reported(settings, smtp_server, robot_server, monkeypatch, staff_user, client):
    """The administrators and the office's robot configured; the clock at a fixed moment; an office login."""
    settings.ADMINS = [("信息科 王工", "wang@example.gov.cn")]
    settings.SERVER_EMAIL = "portal@example.gov.cn"
    settings.ERROR_WEBHOOK_URL = robot_server.url("/cgi-bin/webhook/send?key=office-key")
    settings.ERROR_WEBHOOK_KIND = "wecom"
    settings.SERVER_ERROR_REPORT_MINUTES = 30
    now = {"t": 1_800_000_000.0}
    monkeypatch.setattr("kunshan_credit.server_errors.clock", lambda: now["t"])
    log_in(client, staff_user)
    client.raise_request_exception = False

    def move(minutes):
        now["t"] += minutes * 60

    return move


def _fail(client, url="/failing/total/"):
    response = client.post(url, {"password": SECRET_PASSWORD, "note": "第三季度", "otp_token": "123456"})
    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()
    return response


def test_an_error_sends_one_mail_and_one_robot_message_then_waits_for_the_window(
    reported, client, smtp_server, robot_server, staff_user
):
    _fail(client)
    [mail] = smtp_server.messages
    [post] = robot_server.requests
    assert mail["to"] == ["wang@example.gov.cn"] and mail["from"] == "portal@example.gov.cn"
    assert mail["subject"].startswith("【") and "服务器错误：RuntimeError（failing_total）" in mail["subject"]
    body = mail["body"]
    assert "统计表第 3 行无法计算" in body and "POST /failing/total/" in body and f"账号：{staff_user.username}" in body
    assert "调用栈" in body and "_failing_total" in body
    assert "第三季度" in body and "'password': '********************'" in body  # hidden, not left out
    robot_text = post["json"]["markdown"]["content"]
    assert post["query"] == {"key": "office-key"} and "服务器错误" in robot_text and "RuntimeError" in robot_text
    # No secret of the request: the password and the code typed, the session and CSRF cookies.
    secrets = [SECRET_PASSWORD, "123456", client.cookies["sessionid"].value]
    secrets += [client.cookies["csrftoken"].value] if "csrftoken" in client.cookies else []
    for text in (body, mail["subject"], robot_text):
        assert not [s for s in secrets if s in text]

    for _ in range(10):
        _fail(client)
    reported(29)
    _fail(client)
    assert len(smtp_server.messages) == 1 and len(robot_server.requests) == 1

    reported(2)  # the window since the report has passed
    _fail(client)
    assert len(smtp_server.messages) == 2 and len(robot_server.requests) == 2
    assert "同一错误另发生 11 次" in smtp_server.messages[1]["body"]
    assert "另发生 11 次" in robot_server.requests[1]["json"]["markdown"]["content"]

    reported(31)  # a window without repeats: the next report counts none
    _fail(client)
    assert len(smtp_server.messages) == 3 and "另发生" not in smtp_server.messages[2]["body"]


def test_each_distinct_error_is_reported_on_its_own(reported, client, smtp_server, robot_server):
    _fail(client)
    _fail(client, "/failing/export/")
    _fail(client, "/failing/export/")
    subjects = [m["subject"] for m in smtp_server.messages]
    assert len(subjects) == 2 and "RuntimeError" in subjects[0] and "ValueError（failing_export）" in subjects[1]
    assert len(robot_server.requests) == 2


def test_without_administrators_or_robot_nothing_is_sent_and_the_page_is_the_same(
    settings, smtp_server, client, staff_user
):
    settings.ADMINS, settings.ERROR_WEBHOOK_URL = [], ""
    log_in(client, staff_user)
    client.raise_request_exception = False
    _fail(client)
    assert smtp_server.messages == []


def test_an_unreachable_mail_server_or_robot_leaves_the_500_page_as_it_is(
    reported, client, smtp_server, settings, caplog
):
    smtp_server.stop()
    settings.ERROR_WEBHOOK_URL = "https://oapi.dingtalk.com.invalid/robot/send?access_token=x"
    _fail(client)
    said = [r.getMessage() for r in caplog.records if r.name == "kunshan_credit.server_errors"]
    assert "服务器错误通知邮件未能发出" in said[0] and "未能发到群机器人：群机器人：机器人地址须是" in said[1]


def test_admins_come_from_the_environment():
    from .test_settings import _run

    listed = _run(
        ["shell", "-c", "from django.conf import settings; print(settings.ADMINS)"],
        DJANGO_DEBUG="1",
        DJANGO_ADMINS="信息科 王工 <wang@example.gov.cn>, li@example.gov.cn",
    )
    assert "[('信息科 王工', 'wang@example.gov.cn'), ('', 'li@example.gov.cn')]" in listed.stdout
    bad = _run(["check"], DJANGO_DEBUG="1", DJANGO_ADMINS="王工 wang")
    assert bad.returncode != 0 and "DJANGO_ADMINS must be addresses" in bad.stderr
