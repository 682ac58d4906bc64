"""The second factor: a TOTP device in an authenticator app, and one-time backup codes."""

import segno
from django.db import transaction
from django_otp import devices_for_user, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
TOTP_NAME = "身份验证器"
BACKUP_NAME = "备用码"


def pending_totp(user):
    """The authenticator being enrolled (not yet confirmed by a first code): the same one until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def qr_svg(device):
    """The device's otpauth:// address as an inline SVG QR code, drawn here (no image service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, omitsize=False)


def secret_for_typing(device):
    """The key in base32 groups of four, for an app that cannot scan."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm_enrolment(device, token):
    """True, and the device confirmed, when `token` is the app's current code."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per account: binding a new phone retires the old one.
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return True


@transaction.atomic
def new_backup_codes(user):
    """A fresh set of backup codes (the old ones stop working); returned once, stored only as codes to match."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def check_code(user, token):
    """The device that accepts `token` (an authenticator code or an unused backup code), else None."""
    token = (token or "").strip().replace(" ", "").lower()
    if not token:
        return None
    # An app's code is six digits; anything else can only be a backup code. Each device throttles its failures.
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    for device in devices_for_user(user):
        if isinstance(device, kind):
            verified = verify_token(user, device.persistent_id, token)
            if verified is not None:
                return verified
    return None


def backup_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_backup_device(device):
    return isinstance(device, StaticDevice)
