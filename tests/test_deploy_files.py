"""deploy/: the environment file lists every setting, nginx takes the largest upload, the templates render."""

import re
import subprocess
import sys

from django.conf import settings

from assessment.imports import MAX_IMPORT_BYTES
from cases.services import MAX_ATTACHMENTS, validate_upload

DEPLOY = settings.BASE_DIR / "deploy"
# The uploads module, wherever the layers put it: the one cases.services validates with.
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
