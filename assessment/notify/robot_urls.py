"""Where the portal may post a group robot's message: the one rule the robot form and the sending share.

A robot's address is typed by the office, or set in the environment (DJANGO_WEBHOOK_URL), and the server
then posts to it: an address inside the network would make the portal a way in (blind SSRF, issue 23).
So an address must be:

- https;
- on a robot host: 政务微信/企业微信 (qyapi.weixin.qq.com), 钉钉 (oapi.dingtalk.com), or a host listed in
  DJANGO_ROBOT_HOSTS (a 政务微信 private deployment, for instance);
- never a loopback, private, link-local or otherwise reserved address, whether typed as such or what the
  host name resolves to when the message is sent.

Each refusal is a sentence in Chinese.
"""

import ipaddress
import socket
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


def problem(url, *, resolve=False):
    """Why the portal may not post to `url` (a Chinese sentence), or None when it may.

    resolve: also look the host name up and refuse it if any of its addresses is inner (at sending; the
    form does not, so that an address can be saved while the name service is unreachable)."""
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
    if resolve and literal is None:
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return None  # not found: the sending itself fails and says so
        if any(_inner(info[4][0]) for info in infos):
            return "机器人地址指向本机或内网地址，不能使用。"
    return None


def shown(url):
    """A robot address as pages and the audit log show it: its host and the access token's last characters
    (the address is the robot's password)."""
    netloc = urlsplit(url).netloc
    return f"{netloc}…{url[-4:]}" if netloc else ""
