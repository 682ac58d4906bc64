"""deploy/: the environment file lists every setting, nginx takes the largest upload, the templates render."""

import os
import re
import subprocess
import sys

from django.conf import settings

from assessment.imports.reading import MAX_IMPORT_BYTES
from cases.attachments import MAX_ATTACHMENTS, validate_upload

DEPLOY = settings.BASE_DIR / "deploy"
# The uploads module, wherever the layers put it: the one cases.attachments validates with.
MAX_UPLOAD_BYTES = sys.modules[validate_upload.__module__].MAX_UPLOAD_BYTES
MB = 1024 * 1024


def test_the_environment_file_names_every_variable_the_settings_read():
    source = (settings.BASE_DIR / "kunshan_credit" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env_[a-z]+\(\s*"([A-Z0-9_]+)"', source))
    listed = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", (DEPLOY / "kunshan_credit.env").read_text(encoding="utf-8"), re.M))
    assert read and not read - listed


def test_nginx_accepts_the_largest_request_the_app_accepts():
    text = (DEPLOY / "nginx" / "locations.conf.in").read_text(encoding="utf-8")
    limit = int(re.search(r"client_max_body_size (\d+)m;", text).group(1)) * MB
    largest = max(MAX_ATTACHMENTS * MAX_UPLOAD_BYTES, MAX_IMPORT_BYTES)
    assert largest < limit <= largest + 8 * MB


def test_the_templates_render_with_nothing_left_over(tmp_path):
    env = {"KC_APP_A": "127.0.0.1:9001", "PATH": "/usr/bin:/bin"}
    subprocess.run([DEPLOY / "render", tmp_path], check=True, env=env)
    upstream = (tmp_path / "upstream.conf").read_text()
    assert "server 127.0.0.1:9001" in upstream and "server 127.0.0.1:8002" in upstream
    site = (tmp_path / "site.conf").read_text()
    assert f"include {tmp_path}/locations.conf;" in site
    assert all("{{" not in p.read_text() for p in tmp_path.iterdir())


def _storage(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="kunshan_credit.settings", DJANGO_DEBUG="1")
    code = "from django.conf import settings; print(settings.STORAGES['default'])"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_media_storage_is_switched_by_the_environment_and_bad_options_stop_the_start():
    default = _storage()
    assert "FileSystemStorage" in default.stdout and "'OPTIONS': {}" in default.stdout
    s3 = _storage(
        DJANGO_MEDIA_STORAGE="storages.backends.s3.S3Storage",
        DJANGO_MEDIA_STORAGE_OPTIONS='{"bucket_name": "kunshan-credit-media"}',
    )
    assert "'BACKEND': 'storages.backends.s3.S3Storage'" in s3.stdout
    assert "'bucket_name': 'kunshan-credit-media'" in s3.stdout
    broken = _storage(DJANGO_MEDIA_STORAGE_OPTIONS="bucket=x")
    assert broken.returncode != 0 and "DJANGO_MEDIA_STORAGE_OPTIONS must be a JSON object" in broken.stderr


def test_gunicorn_replaces_a_worker_by_its_memory_not_by_a_count_of_requests(monkeypatch):
    """deploy/gunicorn.conf.py (issue 22): no max_requests by default; a worker past GUNICORN_MAX_WORKER_MB ends
    after the request it answered (gunicorn then starts a fresh one), a worker under it goes on."""
    import runpy

    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    monkeypatch.setenv("GUNICORN_MAX_WORKER_MB", "1")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["max_requests"] == 0 and config["max_worker_mb"] == 1
    assert 1 < config["worker_rss_mb"]() < 4096  # this test process, in MB

    class Worker:
        pid, alive = 1, True

        class log:
            warnings = []

            @classmethod
            def warning(cls, *args):
                cls.warnings.append(args)

    worker = Worker()
    config["post_request"](worker, None, {}, None)
    assert worker.alive is False and Worker.log.warnings
    monkeypatch.setenv("GUNICORN_MAX_WORKER_MB", "4096")
    roomy = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    worker = Worker()
    roomy["post_request"](worker, None, {}, None)
    assert worker.alive is True
