"""django-otp's device pages in the admin speak Chinese (core/security/otp_admin.py) and still work:
labels, help texts, columns, filters and fieldsets in Chinese; a change is saved; the QR code page opens."""

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import log_in
from .factories import UserFactory


@pytest.fixture
def admin_client(db):
    admin = UserFactory(username="t_it_admin", is_staff=True, is_superuser=True)
    client = Client()
    log_in(client, admin)
    client.device = TOTPDevice.objects.get(user=admin)
    return client


def test_the_authenticators_change_page_is_chinese_and_saves(admin_client):
    device = admin_client.device
    url = f"/admin/otp_totp/totpdevice/{device.pk}/change/"
    html = admin_client.get(url).content.decode()
    for text in (
        "设备",
        "时间",
        "配置",
        "失败限制",
        ">名称",
        "已确认",
        "密钥",
        "时间步长",
        "查看二维码",
        "最近使用时间",
    ):
        assert text in html, text
    assert "便于辨认的设备名称" in html and "Identity" not in html and "QR Code" not in html
    form = {
        "user": device.user_id,
        "name": "办公室手机",
        "confirmed": "on",
        "key": device.key,
        "step": 30,
        "t0": 0,
        "digits": 6,
        "tolerance": 1,
        "drift": 0,
        "throttling_failure_count": 0,
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    device.refresh_from_db()
    assert device.name == "办公室手机"
    config = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").content.decode()
    assert "验证器设备“办公室手机”的二维码" in config and "Install" not in config


def test_the_lists_columns_and_filters_are_chinese(admin_client):
    html = admin_client.get("/admin/otp_totp/totpdevice/").content.decode()
    for text in ("账号", "名称", "创建时间", "最近使用时间", "已确认", "二维码", "按账号或电子邮箱搜索"):
        assert text in html, text
    assert "Confirmed" not in html and "QR Code" not in html


def test_backup_codes_are_titled_and_labelled_in_chinese(admin_client):
    device = StaticDevice.objects.create(user=admin_client.device.user, name="备用", confirmed=True)
    token = StaticToken.objects.create(device=device, token=StaticToken.random_token())
    html = admin_client.get(f"/admin/otp_static/staticdevice/{device.pk}/change/").content.decode()
    assert f"备用验证码 {token.pk}" in html and "StaticToken object" not in html
    assert 'class="column-token required">验证码' in html
