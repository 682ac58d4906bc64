"""Where the portal may post a group robot's message: the one rule the robot form and the sending share.

A robot's address is typed by the office, or set in the environment (DJANGO_WEBHOOK_URL), and the server
then posts to it: an address inside the network would make the portal a way in (blind SSRF, issue 23).
So an address must be:

- https;
- on a robot host: 政务微信/企业微信 (qyapi.weixin.qq.com), 钉钉 (oapi.dingtalk.com), or a host listed in
  DJANGO_ROBOT_HOSTS (a 政务微信 private deployment, for instance);
- never a loopback, private, link-local or otherwise reserved address, whether typed as such or what the
  host name resolves to when the message is sent: the name is looked up once, every address it gives is
  checked, and the message is sent to that address (`target`), never to what the name says a moment later.

Each refusal is a sentence in Chinese.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

HOSTS_TEXT = "政务微信/企业微信（qyapi.weixin.qq.com）或钉钉（oapi.dingtalk.com）"


def _inner(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _literal(host):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def problem(url):
    """Why the portal may not post to `url` (a Chinese sentence), or None when it may, as far as the address
    itself tells (the form: an address can be saved while the name service is unreachable)."""
    parts = urlsplit(url.strip())
    origin = f"{parts.scheme}://{parts.netloc}"
    if origin in settings.ROBOT_STAND_IN_ORIGINS:  # tests only: the stand-in robot (tests/servers.py)
        return None
    if parts.scheme != "https":
        return "机器人地址须以 https:// 开头。"
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.username or parts.password or not host:
        return "机器人地址格式不正确。"
    literal = _literal(host)
    if literal is not None and _inner(host):
        return "机器人地址不能是本机或内网地址。"
    if host not in settings.ROBOT_HOSTS:
        return f"机器人地址须是{HOSTS_TEXT}的群机器人地址，或 DJANGO_ROBOT_HOSTS 中列出的主机。"
    return None


class Refused(Exception):
    """The portal may not post to this address now; the message says why, in Chinese."""


@dataclass(frozen=True)
class Target:
    """Where a message goes: the name (for TLS's SNI, the certificate and the Host header), the port, and the
    one address, looked up and checked at sending, that the connection is made to (None: the tests' stand-in,
    reached by its own origin over http)."""

    host: str
    port: int
    address: str | None


def target(url):
    """The address to post `url` to, checked: the rule above, then the name looked up once and refused if
    any of its addresses is inner. The caller connects to `address` and nowhere else, so a name that
    answers differently a moment later (DNS rebinding) cannot lead the message inside the network."""
    parts = urlsplit(url.strip())
    refused = problem(url)
    if refused:
        raise Refused(refused)
    if f"{parts.scheme}://{parts.netloc}" in settings.ROBOT_STAND_IN_ORIGINS:
        return Target(parts.hostname, parts.port or 80, None)
    host, port = parts.hostname.rstrip(".").lower(), parts.port or 443
    if _literal(host) is not None:
        return Target(host, port, host)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"机器人地址的主机名“{host}”无法解析，请检查地址或网络。") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise Refused(f"机器人地址的主机名“{host}”无法解析，请检查地址或网络。")
    if any(_inner(address) for address in addresses):
        raise Refused("机器人地址指向本机或内网地址，不能使用。")
    return Target(host, port, addresses[0])


def shown(url):
    """A robot address as pages and the audit log show it: its host and the access token's last characters
    (the address is the robot's password)."""
    netloc = urlsplit(url).netloc
    return f"{netloc}…{url[-4:]}" if netloc else ""
