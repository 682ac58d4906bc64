"""The second factor: staff and admin accounts enrol an authenticator, then give its code at every login."""

import re

from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import log_in
from .factories import UserFactory

PASSWORD = "pw-secret-123"
GRID = "/assessment/2019/departments/"


def _password_step(client, username, next_url=GRID):
    response = client.post(f"/accounts/login/?next={next_url}", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client.get(response["Location"])


def _code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _a_moment_later(*devices):
    """A failed code makes the device wait (1 s, doubling); the next try comes after that pause."""
    for device in devices:
        device.refresh_from_db()
        device.throttle_reset()


def test_a_wrong_code_makes_the_next_try_wait(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="手机", confirmed=True)
    step = _password_step(client, "t_staff")
    client.post(step["Location"], {"token": "abcdefgh"})
    client.post(step["Location"], {"token": "123456" if _code(device) != "123456" else "654321"})
    # The right code, but within the pause after a failure: refused.
    refused = client.post(step["Location"], {"token": _code(device)})
    assert refused.status_code == 200 and "多次输错需等待片刻再试" in refused.content.decode()


def test_staff_enrol_at_their_first_login_and_get_backup_codes_once(client, staff_user):
    enrol = _password_step(client, "t_staff")
    assert enrol.status_code == 302 and enrol["Location"].startswith("/accounts/otp/enrol/?next=")
    page = client.get(enrol["Location"])
    html = page.content.decode()
    assert "绑定身份验证器" in html and "<svg" in html and "<img" not in html
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    secret = re.search(r'class="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert secret.replace(" ", "") in device.config_url
    # Until enrolled, nothing else opens.
    assert client.get(GRID)["Location"].startswith("/accounts/otp/enrol/")
    wrong = client.post(enrol["Location"], {"token": "000000" if _code(device) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode()
    _a_moment_later(device)
    done = client.post(enrol["Location"], {"token": _code(device), "next": GRID})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10 and "只显示这一次" in done.content.decode()
    assert client.get(GRID).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    # The codes are not shown again: the status page counts them.
    status = client.get("/accounts/otp/backup-codes/").content.decode()
    assert "剩余备用码：10 个" in status and codes[0] not in status


def test_every_later_login_asks_for_the_code_and_a_backup_code_works_once(client, staff_user):
    TOTPDevice.objects.create(user=staff_user, name="手机", confirmed=True)
    from core.security.otp import new_backup_codes

    code = new_backup_codes(staff_user)[0]
    step = _password_step(client, "t_staff")
    assert step["Location"] == f"/accounts/otp/?next={GRID.replace('/', '%2F')}"
    page = client.get(step["Location"])
    assert "双因素验证" in page.content.decode()
    refused = client.post(step["Location"], {"token": "abcdefgh"})
    assert refused.status_code == 200 and "验证码不正确" in refused.content.decode()
    assert client.get(GRID).status_code == 302
    _a_moment_later(*staff_user.staticdevice_set.all())
    passed = client.post(step["Location"], {"token": code, "next": GRID})
    assert passed.status_code == 302 and passed["Location"] == GRID
    assert client.get(GRID).status_code == 200
    assert not StaticToken.objects.filter(token=code).exists()
    client.logout()
    step = _password_step(client, "t_staff")
    assert "验证码不正确" in client.post(step["Location"], {"token": code}).content.decode()


def test_the_authenticator_code_passes_the_second_step(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="手机", confirmed=True)
    step = _password_step(client, "t_staff")
    assert client.post(step["Location"], {"token": _code(device), "next": GRID})["Location"] == GRID
    assert client.get(GRID).status_code == 200


def test_reporters_and_leaders_log_in_with_the_password_alone(client, reporter_user, leader_user):
    assert _password_step(client, "t_leader").status_code == 200
    client.logout()
    assert _password_step(client, "t_reporter", next_url="/cases/").status_code == 200
    assert client.get("/accounts/otp/enrol/").status_code == 404


def test_an_admin_account_outside_the_office_needs_it_too(client, db):
    admin = UserFactory(username="t_admin", is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/enrol/")


def test_the_admin_requires_a_verified_device(client, db):
    admin = UserFactory(username="t_admin", is_staff=True, is_superuser=True)
    log_in(client, admin)
    assert client.get("/admin/").status_code == 200
    from django.contrib.admin import site
    from django_otp.admin import OTPAdminSite

    assert isinstance(site, OTPAdminSite)


def test_the_api_refuses_a_browser_session_without_the_second_factor(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/api/v1/units/")
    assert response.status_code == 403 and response.json()["detail"] == "请先在门户完成双因素验证。"


def test_api_tokens_are_not_asked_for_a_code(api_client):
    assert api_client("staff").get("/api/v1/units/").status_code == 200


def test_a_new_phone_replaces_the_old_one(client, staff_user):
    old = TOTPDevice.objects.create(user=staff_user, name="旧手机", confirmed=True)
    log_in(client, staff_user)
    client.get("/accounts/otp/enrol/")
    new = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    client.post("/accounts/otp/enrol/", {"token": _code(new)})
    assert list(TOTPDevice.objects.filter(user=staff_user).values_list("pk", flat=True)) == [new.pk]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
