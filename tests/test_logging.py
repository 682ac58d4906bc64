"""Logging as deployed: one line per record on stderr (the journal) or in DJANGO_LOG_FILE, reopened after
logrotate moved it; deploy/logrotate names exactly the files the environment file and the cron lines write."""

import re

from django.conf import settings

from .test_settings import _run

DEPLOY = settings.BASE_DIR / "deploy"

PROBE = """
import logging, os
log = logging.getLogger("kunshan_credit.probe")
log.warning("第一条\\n下一行")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("算不出来")
if os.environ.get("ROTATE_TO"):
    os.rename(os.environ["DJANGO_LOG_FILE"], os.environ["ROTATE_TO"])
    log.warning("第二条")
"""


def _probe(**env):
    result = _run(["shell", "-c", PROBE], DJANGO_DEBUG="1", **env)
    assert result.returncode == 0, result.stderr
    return result


def test_without_a_log_file_each_record_is_one_line_on_stderr_for_the_journal():
    stderr = _probe().stderr.splitlines()
    lines = [line for line in stderr if "kunshan_credit.probe" in line]
    assert lines[0] == "WARNING kunshan_credit.probe: 第一条\\n下一行"
    assert lines[1].startswith("ERROR kunshan_credit.probe: 算不出来\\nTraceback (most recent call last):")
    assert lines[1].endswith("ZeroDivisionError: division by zero")
    assert len(lines) == 2
    assert not [line for line in stderr if line.startswith(("Traceback", "  File"))]


def test_with_a_log_file_records_go_there_and_follow_a_rotation(tmp_path):
    log_file, rotated = tmp_path / "portal.log", tmp_path / "portal.log-20261206"
    result = _probe(DJANGO_LOG_FILE=str(log_file), ROTATE_TO=str(rotated))
    assert "kunshan_credit.probe" not in result.stderr
    before = rotated.read_text(encoding="utf-8").splitlines()
    assert len(before) == 2 and "第一条\\n下一行" in before[0] and "ZeroDivisionError" in before[1]
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    assert re.fullmatch(rf"{stamp} WARNING kunshan_credit\.probe \[\d+\]: 第一条\\n下一行", before[0])
    # logrotate moved the file: the next record goes to a new file of the configured name.
    [after] = log_file.read_text(encoding="utf-8").splitlines()
    assert re.fullmatch(rf"{stamp} WARNING kunshan_credit\.probe \[\d+\]: 第二条", after)


def test_a_log_file_in_a_missing_directory_or_a_bad_level_stops_the_start(tmp_path):
    result = _run(["check"], DJANGO_DEBUG="1", DJANGO_LOG_FILE=str(tmp_path / "missing" / "portal.log"))
    assert result.returncode != 0 and "DJANGO_LOG_FILE's directory does not exist" in result.stderr
    result = _run(["check"], DJANGO_DEBUG="1", DJANGO_LOG_LEVEL="LOUD")
    assert result.returncode != 0 and "DJANGO_LOG_LEVEL must be one of" in result.stderr


def test_logrotate_rotates_the_files_the_settings_and_cron_write():
    env_file = (DEPLOY / "kunshan_credit.env").read_text(encoding="utf-8")
    [log_file] = re.findall(r"^#?DJANGO_LOG_FILE=(\S+)$", env_file, re.M)
    cron = (DEPLOY / "cron" / "kunshan_credit").read_text(encoding="utf-8")
    job_lines = [line for line in cron.splitlines() if "manage.py run_job" in line and not line.startswith("#")]
    appended = {re.search(r">>(\S+) 2>&1$", line).group(1) for line in job_lines}  # every line appends to a log
    assert job_lines and len(appended) == 1
    logrotate = (DEPLOY / "logrotate" / "kunshan_credit").read_text(encoding="utf-8")
    rotated = [line.strip() for line in logrotate.splitlines() if line.strip().startswith("/")]
    assert sorted(rotated) == sorted({log_file, *appended})
    # The units make that directory writable for the portal's user (LogsDirectory= is under /var/log).
    directories = {f"/var/log/{name}" for name in re.findall(r"^LogsDirectory=(\S+)$", _units(), re.M)}
    assert {str(p.rsplit("/", 1)[0]) for p in rotated} == directories


def _units():
    return "".join(
        (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        for name in ("kunshan_credit@.service", "kunshan_credit-job@.service")
    )
