"""Settings come from the environment and fail loudly; production settings pass check --deploy."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


def _run(args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="kunshan_credit.settings")
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_check_deploy_is_clean_with_debug_off():
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="credit.ks.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_refuses_to_start_without_a_secret_key():
    result = _run(["check"])
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_refuses_a_weak_secret_key():
    result = _run(["check"], DJANGO_SECRET_KEY="short")
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_refuses_a_malformed_boolean():
    result = _run(["check"], DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in result.stderr


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_refuses_malformed_notification_settings():
    for name, value, message in (
        ("DJANGO_SITE_URL", "credit.ks.gov.cn", "DJANGO_SITE_URL must be an absolute http(s) URL"),
        ("DJANGO_WEBHOOK_URL", "ftp://robot", "DJANGO_WEBHOOK_URL must be an absolute http(s) URL"),
        ("DJANGO_WEBHOOK_KIND", "slack", "DJANGO_WEBHOOK_KIND must be one of wecom, dingtalk"),
        ("DJANGO_REMINDER_REPEAT_DAYS", "0", "DJANGO_REMINDER_REPEAT_DAYS must be at least 1"),
        ("DJANGO_DUE_SOON_DAYS", "-1", "DJANGO_DUE_SOON_DAYS must not be negative"),
    ):
        result = _run(["check"], DJANGO_DEBUG="1", **{name: value})
        assert result.returncode != 0 and message in result.stderr, name


def test_site_url_loses_its_trailing_slash():
    result = _run(
        ["shell", "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        DJANGO_DEBUG="1",
        DJANGO_SITE_URL="https://credit.ks.gov.cn/",
    )
    assert result.stdout.strip().splitlines()[-1] == "https://credit.ks.gov.cn"
