"""/healthz of the stack, on each gunicorn directly and through nginx: green once the jobs ran on time (the two
days of deploy/cron, conftest.two_days), red on an instance whose clock is days past the last runs."""

import datetime
import os
import subprocess
import sys
import time

import pytest
import requests
from django.conf import settings

from tests.servers import free_port

from . import cron
from .web import NGINX, STACK, TIMEOUT, A, B

pytestmark = pytest.mark.skipif(not STACK, reason="no stack: run .ci/stack (sets STACK_URL)")


def healthz(base):
    response = requests.get(base + "/healthz", timeout=TIMEOUT)
    assert response.headers["Content-Type"].startswith("application/json")
    assert "no-cache" in response.headers.get("Cache-Control", "") or "max-age=0" in response.headers["Cache-Control"]
    return response


@pytest.mark.parametrize("server", ["A", "B", "nginx"])
def test_healthz_is_green_on_each_instance_and_through_nginx_once_the_jobs_ran(two_days, server):
    base = {"A": A, "B": B, "nginx": NGINX}[server]
    for _ in range(4 if server == "nginx" else 1):  # through nginx: both upstreams in turn
        response = healthz(base)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "ok" and body["message"] == "运行正常" and body["failed"] == []
        assert body["checks"]["jobs"] == {"ok": True, "message": "正常"}
        assert set(body["checks"]) == {"database", "cache", "media", "jobs"}
        head = requests.head(base + "/healthz", timeout=TIMEOUT)
        assert head.status_code == 200 and head.content == b""
    assert requests.post(base + "/healthz", timeout=TIMEOUT).status_code in (403, 405)


@pytest.fixture
def three_days_later(two_days):
    """A third instance, started as .ci/stack starts A and B, on a machine whose clock says three days after the
    last runs (faketime): cron stopped after day 2."""
    port = free_port()
    at = two_days.today + datetime.timedelta(days=3)
    env = {**os.environ, "GUNICORN_WORKERS": "1", "TZ": "Asia/Shanghai"}
    command = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    stamp = at.astimezone(cron.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    server = subprocess.Popen(
        ["faketime", stamp, *command],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.head(base + "/healthz", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        yield base
    finally:
        cron.stop_group(server)  # faketime and the gunicorn it started


def test_healthz_turns_red_when_the_jobs_are_late(three_days_later):
    response = healthz(three_days_later)
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "failed" and body["message"] == "有检查未通过" and body["failed"] == ["jobs"]
    late = body["checks"]["jobs"]["message"]
    assert late.startswith("定时任务异常：") and "backup（应在" in late and "未按时运行" in late
    assert requests.head(three_days_later + "/healthz", timeout=TIMEOUT).status_code == 503
