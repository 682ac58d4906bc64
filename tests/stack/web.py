"""A person at a browser, for tests/stack: cookies kept, forms posted with their CSRF token, the office's
second factor answered with the backup codes .ci/stack made. Optionally from another client address: the whole
127.0.0.0/8 is this machine's loopback, so a connection from 127.0.0.2 reaches nginx as a different client
(nginx's $remote_addr), the way a second office would."""

import os
from html.parser import HTMLParser

import requests
from requests.adapters import HTTPAdapter

NGINX, A, B = (os.environ.get(name, "") for name in ("STACK_URL", "STACK_A", "STACK_B"))
# Backup codes .ci/stack made for the accounts that log in with a second factor: "office=c1,c2;security=c3,…".
OTP_CODES = {
    user: codes.split(",")
    for user, _, codes in (entry.partition("=") for entry in os.environ.get("STACK_OTP_CODES", "").split(";"))
    if codes
}
STACK = bool(NGINX and A and B)
PASSWORD = "kunshan-demo-2019"  # bulletins/management/commands/load_demo.py, loaded by .ci/stack
TIMEOUT = 60


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            checked = attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs
            if checked:
                self.values.setdefault(attrs["name"], attrs.get("value") or "")


def inputs(html):
    parser = _Inputs()
    parser.feed(html)
    return parser.values


class _FromAddress(HTTPAdapter):
    """Connections leave from `address` (a loopback address other than 127.0.0.1)."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Browser:
    """One person's cookies, sent to whichever server the step names (cookies do not depend on the port);
    `address`: the client's own address (default 127.0.0.1)."""

    def __init__(self, address=None):
        self.cookies = {}
        self.session = requests.Session()
        if address:
            self.session.mount("http://", _FromAddress(address))

    def request(self, method, base, path, **kwargs):
        response = self.session.request(
            method, base + path, cookies=self.cookies, allow_redirects=False, timeout=TIMEOUT, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        self.session.cookies.clear()  # the cookies above are the only ones sent
        return response

    def get(self, base, path, **kwargs):
        return self.request("GET", base, path, **kwargs)

    def post(self, base, path, data=None, headers=None, **kwargs):
        """A form POST with the CSRF token from the cookie, as the page's form would send it."""
        data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **(data or {})}
        headers = {"Referer": base + path, **(headers or {})}
        return self.request("POST", base, path, data=data, headers=headers, **kwargs)

    def log_in(self, base, username, password=PASSWORD, headers=None):
        assert self.get(base, "/accounts/login/", headers=headers).status_code == 200
        response = self.post(base, "/accounts/login/", {"username": username, "password": password}, headers=headers)
        if response.status_code == 302 and self.get(base, "/accounts/otp/").status_code == 200:
            # The office's and the security administrator's second step (others are sent on): a backup code.
            response = self.post(base, "/accounts/otp/", {"token": OTP_CODES[username].pop()})
        return response


def signed_in(base, username, address=None):
    browser = Browser(address)
    response = browser.log_in(base, username)
    assert response.status_code == 302, response.text[:500]
    assert "sessionid" in browser.cookies
    return browser
