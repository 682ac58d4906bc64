"""The channels a message leaves by: e-mail (Django's configured backend) and group robots.

Robots: 政务微信/企业微信 group robots take {"msgtype": "markdown", "markdown": {"content": …}};
钉钉 robots take {"msgtype": "markdown", "markdown": {"title": …, "text": …}}, with the optional
“加签” signature (timestamp + HMAC-SHA256 of "timestamp\\nsecret", base64, in the query string).
Both answer {"errcode": 0, "errmsg": "ok"} on success. Every failure is a ChannelError in Chinese.
A robot's message goes to the address its name gave when it was checked (robot_urls.target), over TLS
to that name, and no redirect is followed (DNS rebinding, issue 23).
"""

import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import time
import urllib.parse
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


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to `host` (SNI, the certificate's name, the Host header) over a connection to `address`, the one
    the name gave when it was checked (robot_urls.target): the name is not looked up again."""

    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        try:
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _connection(where):
    if where.address is None:  # the tests' stand-in robot, over http on its own origin
        return http.client.HTTPConnection(where.host, where.port, timeout=settings.NOTIFY_TIMEOUT)
    return PinnedHTTPSConnection(
        where.host,
        where.port,
        address=where.address,
        timeout=settings.NOTIFY_TIMEOUT,
        context=ssl.create_default_context(),
    )


def post_json(where, path, data):
    """POST `data` to `path` at the checked target; the answer's body (at most 64 KB). No redirect is followed:
    a robot that answers 3xx points elsewhere, which was never checked."""
    connection = _connection(where)
    try:
        connection.request("POST", path, body=data, headers={"Content-Type": "application/json; charset=utf-8"})
        response = connection.getresponse()
        if 300 <= response.status < 400:
            raise ChannelError(f"群机器人地址返回 HTTP {response.status}，要求转到别的地址；门户不跟随跳转")
        if response.status >= 400:
            raise ChannelError(f"群机器人地址返回 HTTP {response.status}")
        return response.read(65536)
    except (OSError, http.client.HTTPException) as exc:
        raise ChannelError(f"群机器人：{_reason(exc)}") from exc
    finally:
        connection.close()


def send_robot(robot, message):
    """POST the message to a group robot; raises ChannelError unless the robot says errcode 0."""
    try:
        where = robot_urls.target(robot.url)  # checked at sending: the environment's address, the name's now
    except robot_urls.Refused as exc:
        raise ChannelError(f"群机器人：{exc}") from exc
    url = robot.url.strip()
    if robot.kind == Channel.DINGTALK and robot.secret:
        url = dingtalk_signed_url(url, robot.secret)
    parts = urllib.parse.urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    data = json.dumps(robot_payload(robot.kind, message), ensure_ascii=False).encode()
    raw = post_json(where, path, data)
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
