"""The scheduled jobs exactly as deployed (deploy/cron), run on two consecutive days by the stack: archives,
recorded runs, mail sent, and the newest archive restored into a fresh database equal to the live one."""

import datetime
import json
import os
import re
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.apps import apps

from assessment.notify.models import Delivery
from core.jobs.models import JobRun
from core.jobs.registry import all_jobs

from . import cron
from .conftest import sql
from .web import STACK

pytestmark = pytest.mark.skipif(not STACK, reason="no stack: run .ci/stack (sets STACK_URL)")

ARCHIVE = re.compile(r"^kunshan_credit-(\d{8})-(\d{6})\.tar\.gz$")


def test_the_cron_lines_are_the_systemd_units_and_name_every_job():
    _, lines = cron.cron_file()
    service = cron.systemd_unit("kunshan_credit-job@.service")
    assert {line.job for line in lines} == {job.name for job in all_jobs()}
    for line in lines:
        # cron: cd CHECKOUT && set -a && . ENV && PYTHON manage.py run_job NAME  ==  systemd's unit for NAME
        start = f"cd {service['WorkingDirectory']} && set -a && . {service['EnvironmentFile']} && "
        assert line.command.startswith(start)
        execstart = service["ExecStart"].replace("%i", line.job).replace(service["WorkingDirectory"] + "/", "")
        assert f"&& {execstart} >>" in line.command
        assert line.user == service["User"]
        timer = cron.systemd_unit(f"kunshan_credit-{line.job.replace('_', '-')}.timer")
        assert timer["Unit"] == f"kunshan_credit-job@{line.job}.service"
        assert timer["OnCalendar"] == f"{line.cron.on_calendar()} Asia/Shanghai"


def test_every_job_ran_on_both_days_and_its_runs_are_recorded(two_days):
    for run in two_days.runs:
        assert run.process.returncode == 0, (run.line.job, run.process.stdout, run.process.stderr)
    recorded = sql(f"SELECT job, started_at, result, output FROM {JobRun._meta.db_table} ORDER BY started_at")
    for run in two_days.runs:
        rows = [
            row for row in recorded if row[0] == run.line.job and abs(row[1] - run.at) < datetime.timedelta(minutes=2)
        ]
        assert len(rows) == 1, (run.line.job, run.at, recorded)
        assert rows[0][2] == JobRun.Result.OK, rows[0][3]
    log = (Path(os.environ["STACK_WORK"]) / "cron.log").read_text(encoding="utf-8")
    assert "失败：" not in log and "Traceback" not in log, log[-2000:]


def test_two_dated_archives_are_in_the_backup_directory(two_days):
    backups = Path(os.environ["STACK_WORK"]) / "backups"
    names = sorted(path.name for path in backups.iterdir())
    assert all(ARCHIVE.match(name) for name in names), names  # no temporary file left
    days = [(two_days.today - datetime.timedelta(days=back)) for back in (1, 0)]
    backup_line = next(line for line in two_days.lines if line.job == "backup")
    expected = [f"{line_day:%Y%m%d}" for line_day in (backup_line.cron.last_due(day) for day in days)]
    assert [ARCHIVE.match(name).group(1) for name in names] == expected


def test_queued_mail_is_sent_by_the_job(two_days, mail):
    assert two_days.queued, "the reminders page queued nothing"
    statuses = dict(
        sql(f"SELECT id, status FROM {Delivery._meta.db_table} WHERE id IN %s", (tuple(i for i, _ in two_days.queued),))
    )
    assert set(statuses.values()) == {Delivery.Status.OK}, statuses
    received = [address for message in mail.messages for address in message["to"]]
    for _, recipients in two_days.queued:
        assert set(recipients.split(",")) <= set(received), recipients
    assert all(message["subject"] for message in mail.messages)


def _tables():
    """{label: db_table} of every model the portal has (the manifest names models by label)."""
    return {model._meta.label_lower: model._meta.db_table for model in apps.get_models()}


def _digest(table, url):
    count, digest = sql(
        f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t",
        url=url,
    )[0]
    return count, digest


def written_by_the_days_later_jobs(label):
    """Tables the jobs after the night's backup may write, whatever the hour: their own runs, and the sendings of
    the day's reminders and digests. Everything else — units, schemes, marks, issues and their versions, cases,
    accounts, the audit log — must come back as it is live."""
    return label == JobRun._meta.label_lower or label.startswith(Delivery._meta.app_label + ".")


def test_the_newest_archive_restores_into_a_fresh_database_equal_to_the_live_one(two_days, tmp_path):
    backups = Path(os.environ["STACK_WORK"]) / "backups"
    newest = max(backups.iterdir(), key=lambda path: path.name)
    with tarfile.open(newest) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
    live_url = os.environ["DATABASE_URL"]
    database = os.environ["STACK_RESTORE_DB"]
    restore_url = live_url.rsplit("/", 1)[0] + "/" + database
    # A new database, as `migrate` left it (.ci/stack copied the stack's right after its migrate, before the demo).
    # A new machine: its own database and media directory; no Redis (restore clears the cache it is given).
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(DATABASE_URL=restore_url, DJANGO_MEDIA_ROOT=str(tmp_path / "media"))
    python = os.environ["STACK_PY"]
    for command in (["migrate", "--noinput", "-v0"], ["restore", str(newest)]):
        done = subprocess.run([python, "manage.py", *command], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    tables = _tables()
    differing = []
    for label, rows in manifest["rows"].items():
        restored = _digest(tables[label], restore_url)
        assert restored[0] == rows, (label, restored[0], rows)
        if restored != _digest(tables[label], live_url):
            differing.append(label)
    assert not [label for label in differing if not written_by_the_days_later_jobs(label)], differing
    assert "bulletins.issue" in manifest["rows"] and manifest["rows"]["bulletins.issue"] > 0
