"""The channels a message leaves by: e-mail (Django's configured backend) and group robots.

Robots: 政务微信/企业微信 group robots take {"msgtype": "markdown", "markdown": {"content": …}};
钉钉 robots take {"msgtype": "markdown", "markdown": {"title": …, "text": …}}, with the optional
“加签” signature (timestamp + HMAC-SHA256 of "timestamp\\nsecret", base64, in the query string).
Both answer {"errcode": 0, "errmsg": "ok"} on success. Every failure is a ChannelError in Chinese.
"""

import base64
import contextlib
import hashlib
import hmac
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from . import robot_urls
from .models import Channel

# The robots refuse longer messages (WeCom: 4096 bytes of content; DingTalk: about 20000).
MAX_BYTES = {Channel.WECOM: 4000, Channel.DINGTALK: 18000}
CUT_NOTE = "\n\n……（内容较长，请在门户中查看全部）"


class ChannelError(Exception):
    """A sending failed; the message says why, in Chinese."""


@dataclass(frozen=True)
class Message:
    title: str
    text: str  # plain text: the e-mail body
    markdown: str  # the robots' body


@dataclass(frozen=True)
class Robot:
    kind: str
    url: str
    secret: str = ""


def _cut(text, limit):
    data = text.encode()
    if len(data) <= limit:
        return text
    room = limit - len(CUT_NOTE.encode())
    return data[:room].decode(errors="ignore") + CUT_NOTE


def robot_payload(kind, message):
    body = _cut(message.markdown, MAX_BYTES[kind])
    if kind == Channel.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": body}}
    return {"msgtype": "markdown", "markdown": {"content": body}}


def dingtalk_signed_url(url, secret, timestamp_ms=None):
    """The URL with DingTalk's `timestamp` and `sign` parameters (the robot's 加签 setting)."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def _reason(exc):
    if isinstance(exc, TimeoutError | socket.timeout):
        return "连接超时"
    if isinstance(exc, ConnectionRefusedError):
        return "对方拒绝连接"
    return f"无法连接（{exc}）"


def send_robot(robot, message):
    """POST the message to a group robot; raises ChannelError unless the robot says errcode 0."""
    url = robot.url
    refused = robot_urls.problem(url, resolve=True)  # checked again at sending: the environment's, a DNS change
    if refused:
        raise ChannelError(f"群机器人：{refused}")
    if robot.kind == Channel.DINGTALK and robot.secret:
        url = dingtalk_signed_url(url, robot.secret)
    data = json.dumps(robot_payload(robot.kind, message), ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_TIMEOUT) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"群机器人地址返回 HTTP {exc.code}") from exc
    except urllib.error.URLError as exc:
        raise ChannelError(f"群机器人：{_reason(exc.reason)}") from exc
    except OSError as exc:
        raise ChannelError(f"群机器人：{_reason(exc)}") from exc
    try:
        answer = json.loads(raw)
    except ValueError as exc:
        raise ChannelError("群机器人的回复无法识别") from exc
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        detail = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise ChannelError(f"群机器人拒收（错误码 {code}{'：' + str(detail) if detail else ''}）")


class Mailer:
    """One connection to the mail server for a run; opened at the first e-mail, closed at the end."""

    def __init__(self):
        self.connection = None

    def send(self, addresses, message):
        try:
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
                self.connection.open()
            sent = self.connection.send_messages(
                [EmailMessage(subject=message.title, body=message.text, to=list(addresses))]
            )
        except Exception as exc:  # smtplib, socket and backend errors alike: this one e-mail failed
            self.close()
            if isinstance(exc, OSError) and not hasattr(exc, "smtp_code"):
                raise ChannelError(f"邮件服务器：{_reason(exc)}") from exc
            raise ChannelError(f"邮件服务器拒收（{exc}）") from exc
        if not sent:
            raise ChannelError("邮件服务器未接收该邮件")

    def close(self):
        if self.connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection: nothing left to save
                self.connection.close()
            self.connection = None
