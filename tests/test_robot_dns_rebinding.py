"""DNS rebinding (issue 23): a robot's name is looked up once at sending, every address it gives is checked,
and the message goes to that address — over TLS to the name (SNI, certificate, Host) — never to what the
name says a moment later, and no redirect is followed (assessment/notify/robot_urls.py `target`,
channels.py `PinnedHTTPSConnection`).

The name service is simulated (socket.getaddrinfo answers as a rebinding DNS server would); where the
connection would leave the machine, the network is too (socket.create_connection records where it was
asked to connect and refuses), so no test touches the internet.
"""

import json
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assessment.notify import robot_urls
from assessment.notify.channels import ChannelError, Message, Robot, post_json, send_robot

from .servers import free_port

NAME = "robot.ks.gov.cn"
PUBLIC = "101.91.40.112"
MESSAGE = Message(title="提醒", text="提醒", markdown="**提醒**")

_real_getaddrinfo = socket.getaddrinfo


def _answer(address, port):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]


@pytest.fixture
def rebinding_dns(monkeypatch, settings):
    """NAME answers a public address the first time, 127.0.0.1 after; an address is its own answer."""
    settings.ROBOT_HOSTS = settings.ROBOT_HOSTS | {NAME}
    lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME:
            return _real_getaddrinfo(host, port, *args, **kwargs)  # an address, or localhost
        lookups.append(host)
        return _answer(PUBLIC if len(lookups) == 1 else "127.0.0.1", port)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_a_name_that_rebinds_to_the_machine_itself_is_never_connected_to(rebinding_dns, monkeypatch):
    connections = []

    def network(address, *args, **kwargs):  # the internet, refusing: nothing leaves the machine
        connections.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", network)
    with pytest.raises(ChannelError, match="对方拒绝连接"):
        send_robot(Robot("wecom", f"https://{NAME}/cgi-bin/webhook/send?key=k"), MESSAGE)
    assert rebinding_dns == [NAME]  # looked up once, at the check
    assert connections == [(PUBLIC, 443)]  # to the checked address, not to the name (127.0.0.1 by now)


def test_a_name_that_answers_an_inner_address_among_others_is_refused(settings, monkeypatch):
    settings.ROBOT_HOSTS = settings.ROBOT_HOSTS | {NAME}
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: _answer(PUBLIC, port) + _answer("::1", port))
    with pytest.raises(ChannelError, match="机器人地址指向本机或内网地址"):
        send_robot(Robot("wecom", f"https://{NAME}/send"), MESSAGE)


def test_a_name_that_does_not_resolve_is_said_so(settings, monkeypatch):
    settings.ROBOT_HOSTS = settings.ROBOT_HOSTS | {NAME}

    def nxdomain(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", nxdomain)
    with pytest.raises(ChannelError, match="无法解析"):
        send_robot(Robot("wecom", f"https://{NAME}/send"), MESSAGE)


# --- the connection itself: TLS to the name, at the given address


@pytest.fixture
def tls_robot(tmp_path, monkeypatch):
    """A robot over HTTPS on 127.0.0.1 with a certificate for NAME, trusted through SSL_CERT_FILE; it records
    the TLS server name the client asked for, the Host header, the path and the body."""
    cert, key = tmp_path / "robot.pem", tmp_path / "robot.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={NAME}"]
        + ["-addext", f"subjectAltName=DNS:{NAME}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    seen = {"sni": [], "requests": [], "status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen["requests"].append({"host": self.headers["Host"], "path": self.path, "json": json.loads(body)})
            answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
            self.send_response(seen["status"])
            if seen["status"] == 302:
                self.send_header("Location", "http://127.0.0.1:1/inside")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)
    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield port, seen
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def no_lookups(monkeypatch):
    def refuse(host, *args, **kwargs):
        raise AssertionError(f"the name {host} was looked up again at connecting")

    monkeypatch.setattr(
        socket, "getaddrinfo", lambda host, port, *a, **k: _answer(host, port) if host[0].isdigit() else refuse(host)
    )


def test_the_connection_is_tls_to_the_name_at_the_checked_address(tls_robot, no_lookups, settings):
    port, seen = tls_robot
    where = robot_urls.Target(NAME, port, "127.0.0.1")
    raw = post_json(where, "/cgi-bin/webhook/send?key=k", json.dumps({"msgtype": "markdown"}).encode())
    assert json.loads(raw)["errcode"] == 0
    assert seen["sni"] == [NAME]
    assert seen["requests"] == [
        {"host": f"{NAME}:{port}", "path": "/cgi-bin/webhook/send?key=k", "json": {"msgtype": "markdown"}}
    ]


def test_a_redirect_is_not_followed(tls_robot, no_lookups):
    port, seen = tls_robot
    seen["status"] = 302
    with pytest.raises(ChannelError, match="HTTP 302.*不跟随跳转"):
        post_json(robot_urls.Target(NAME, port, "127.0.0.1"), "/send", b"{}")
    assert len(seen["requests"]) == 1  # the robot's one answer; nothing was sent to where it pointed


def test_a_certificate_for_another_name_is_refused(tls_robot, no_lookups):
    port, seen = tls_robot
    with pytest.raises(ChannelError, match="无法连接"):
        post_json(robot_urls.Target("oapi.dingtalk.com", port, "127.0.0.1"), "/send", b"{}")
    assert seen["requests"] == []
