"""The second factor: a TOTP device in an authenticator app, and one-time backup codes."""

import segno
from django.conf import settings
from django.core.cache import cache
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


# --- failed codes: at most OTP_FAILURE_LIMIT in a row, then the account is locked like after wrong passwords


def _failures_key(user):
    return f"kc-otp-failures:{user.pk}"


def note_failure(user):
    """Count one more wrong code of `user` (in the shared cache, so every worker counts the same); the count."""
    key = _failures_key(user)
    cache.add(key, 0, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))
        return 1


def clear_failures(user):
    cache.delete(_failures_key(user))


def too_many_failures(count):
    return count >= settings.OTP_FAILURE_LIMIT


def lock_out(request, user):
    """Lock the account as django-axes does after too many wrong passwords (the office lifts it in 账号管理)."""
    from axes.models import AccessAttempt

    from core.clients import client_ip

    AccessAttempt.objects.create(
        username=user.get_username(),
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
        http_accept=request.META.get("HTTP_ACCEPT", "")[:1025],
        path_info=request.path_info[:255],
        get_data="",
        post_data="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
    clear_failures(user)
