"""Logging in as the office in a real browser: enrol the authenticator, then password + code every time."""

import base64
import re

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from playwright.sync_api import expect

from assessment import access

from .factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "pw-secret-123"


def _password(page, base, next_url):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_username", "t_office")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_office_enrol_then_log_in_with_a_backup_code(page, live_server, demo_db):
    UserFactory(username="t_office").groups.add(Group.objects.get(name=access.STAFF_GROUP))
    base, grid = live_server.url, "/assessment/2019/departments/"
    _password(page, base, grid)
    expect(page.locator("h1")).to_have_text("绑定身份验证器")
    expect(page.locator("figure.otp-qr svg")).to_be_visible()
    # The phone's part: the key under the QR code gives the current six digits.
    secret = page.locator("code.otp-secret").inner_text().replace(" ", "")
    code = f"{totp(base64.b32decode(secret)):06d}"
    page.fill("input[name=token]", code)
    page.get_by_role("button", name="完成绑定").click()
    expect(page.locator("h1")).to_have_text("备用码")
    codes = page.locator("ol.backup-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(f"{base}{grid}")
    page.get_by_role("button", name="退出").click()

    _password(page, base, grid)
    expect(page.locator("h1")).to_have_text("双因素验证")
    page.fill("input[name=token]", codes[0])
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{base}{grid}")
    expect(page.locator(".messages")).to_contain_text("还剩 9 个")


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused_then(page, live_server, demo_db):
    """A leader mistypes five times: the fifth locks the account, and then even the right password gets the
    Chinese lockout page."""
    base = live_server.url

    def attempt(password):
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "leader")
        page.fill("#id_password", password)
        page.get_by_role("button", name="登录").click()

    for _ in range(4):
        attempt("wrong-password")
        expect(page.locator(".form-error")).to_contain_text("用户名或密码不正确")
    attempt("wrong-password")
    expect(page.locator("h1")).to_have_text("账号已锁定")
    attempt("kunshan-demo-2019")
    expect(page.locator("h1")).to_have_text("账号已锁定")
    expect(page.locator("main")).to_contain_text("30 分钟")
    page.goto(f"{base}/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # not logged in
