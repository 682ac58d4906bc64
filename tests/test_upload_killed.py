"""A worker killed in the middle of an upload leaves no file that a row does not name — or, when it leaves one,
`manage.py orphaned_files` lists it and removes it once it is an hour old.

The portal runs under gunicorn in a subprocess (one sync worker, the tests' settings, its own SQLite file and
MEDIA_ROOT); a reporter logs in, sends a case with a 3 MB attachment slowly, and the worker is SIGKILLed while
the body is half received. gunicorn starts a new worker, the same reporter sends the case whole.
"""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings

from .factories import PDF_BYTES

PASSWORD = "pw-secret-123"  # tests/factories.py UserFactory
BIG_PDF = PDF_BYTES[:9] + b"0" * (3 * 1024 * 1024) + PDF_BYTES[9:]  # 3 MB: received to disk, not in memory
SETUP = """
from django.contrib.auth.models import Group
from assessment import access
from assessment.models import Reporter, SchemeUnit
from tests.factories import SchemeFactory, UnitFactory, UserFactory
unit = UnitFactory(name="测试单位")
SchemeUnit.objects.create(scheme=SchemeFactory(year=2019), unit=unit)
user = UserFactory(username="t_reporter", email="t_reporter@example.gov.cn")
user.groups.add(Group.objects.get(name=access.REPORTER_GROUP))
Reporter.objects.create(user=user, unit=unit)
"""


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage(env, *args):
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _wait_for(condition, what, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.1)


def _listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _workers(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with one worker on the tests' settings, a migrated SQLite file and a reporter of a unit."""
    folder = tmp_path_factory.mktemp("killed")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        # The portal's settings as the tests take them: static files from the finders, no collectstatic.
        DJANGO_SETTINGS_MODULE="tests.settings",
        KC_TEST_MEDIA_ROOT=str(folder / "media"),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DJANGO_LOG_LEVEL="WARNING",
    )
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "shell", "-c", SETUP)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kunshan_credit.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: _listening(port), "gunicorn listening")
        yield {
            "env": env,
            "base": f"http://127.0.0.1:{port}",
            "port": port,
            "pid": process.pid,
            "media": folder / "media",
        }
    finally:
        process.terminate()
        process.wait(timeout=30)


def _logged_in(base):
    browser = requests.Session()
    page = browser.get(f"{base}/accounts/login/", timeout=30)
    assert page.status_code == 200 and "csrftoken" in browser.cookies, (page.status_code, page.text[:800])
    response = browser.post(
        f"{base}/accounts/login/",
        {"username": "t_reporter", "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    return browser


def _case_body(csrf_token, boundary):
    fields = {
        "csrfmiddlewaretoken": csrf_token,
        "kind": "reward",
        "title": "信用承诺 助企纾困",
        "subject": "昆山某汽车有限公司",
        "measure": "先发副本营业执照。",
        "event_date": "2019-08-20",
        "quarter": "",
        "body": "第一段。",
        "form_token": str(uuid.uuid4()),
        "action": "save",
    }
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="现场照片.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + BIG_PDF
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def test_a_worker_killed_mid_upload_leaves_nothing_the_orphan_sweep_does_not_remove(server):
    base, media = server["base"], server["media"]
    browser = _logged_in(base)
    boundary = uuid.uuid4().hex
    body = _case_body(browser.cookies["csrftoken"], boundary)
    cookies = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    head = (
        "POST /cases/new/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n"
        f"Cookie: {cookies}\r\nConnection: close\r\n\r\n"
    ).encode()
    [worker] = _workers(server["pid"])
    with socket.create_connection(("127.0.0.1", server["port"]), timeout=30) as upload:
        upload.sendall(head + body[: len(body) // 2])  # half of the body; the rest never comes
        receiving = media / ".uploads"
        _wait_for(lambda: any(p.stat().st_size > 1024 * 1024 for p in receiving.glob("*")), "upload received")
        os.kill(worker, signal.SIGKILL)
        _wait_for(lambda: _workers(server["pid"]) not in ([], [worker]), "a new worker")
    # What the killed worker left: half an upload, under MEDIA_ROOT, named by no row.
    [left] = _files(media)
    assert left.startswith(".uploads/.partial-")
    sweep = _manage(server["env"], "orphaned_files")
    assert "试运行：0 个无主文件" in sweep and "另有 1 个一小时内写入的文件未处理（可能正在上传）" in sweep
    an_hour_ago = time.time() - 3601
    os.utime(media / left, (an_hour_ago, an_hour_ago))
    sweep = _manage(server["env"], "orphaned_files", "--delete")
    assert f"已删除 {left}（" in sweep and "1 个无主文件已删除" in sweep
    assert _files(media) == []

    # The new worker takes the whole upload: one case, one attachment, one file, the one its row names.
    page = browser.get(f"{base}/cases/new/", timeout=30)
    assert page.status_code == 200
    response = browser.post(
        f"{base}/cases/new/",
        data=_case_body(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1], boundary),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302 and re.fullmatch(r"/cases/case/\d+/", response.headers["Location"])
    [stored] = _files(media)
    assert stored.startswith("cases/2019/") and stored.endswith(".pdf")
    assert (media / stored).stat().st_size == len(BIG_PDF)
    sweep = _manage(server["env"], "orphaned_files")
    assert sweep.startswith("试运行：0 个无主文件") and "另有" not in sweep  # its row names it, young or old
    os.utime(media / stored, (an_hour_ago, an_hour_ago))
    assert "试运行：0 个无主文件" in _manage(server["env"], "orphaned_files")  # named by its row: never an orphan
