"""The one list of scheduled jobs: deploy/ is written from it, `run_job` records every run, `run_jobs` starts
what is due beside the development server, and /system/jobs/ shows the IT administrator what is late or failed."""

import datetime
import io
import os
import re
import subprocess
import sys
import zoneinfo

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.utils import timezone

from core.jobs.deploy import markdown_table
from core.jobs.models import JobRun
from core.jobs.registry import all_jobs, get_job
from core.jobs.schedule import Cron
from core.jobs.scheduler import Scheduler

from .conftest import log_in
from .factories import UserFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_the_list_names_every_scheduled_command_and_each_exists():
    names = {job.name for job in all_jobs()}
    assert {"render_documents", "send_queued", "send_reminders", "send_digests", "backup", "prune_backups"} <= names
    commands = get_commands()
    assert all(job.command in commands for job in all_jobs())


def test_deploy_cron_and_systemd_are_the_files_written_from_the_list():
    # Fails after a change to kunshan_credit/jobs.py until `manage.py jobs --write` is run and committed.
    call_command("jobs", "--check", stdout=io.StringIO())


def test_the_readme_shows_the_jobs_table_of_the_list():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme  # after a change: paste `manage.py jobs --markdown` into 部署 → 定时任务


def test_make_run_starts_the_scheduler_beside_the_server_and_stops_it_with_it():
    makefile = (settings.BASE_DIR / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"manage\.py run_jobs & jobs=\$\$!", recipe)
    assert re.search(r"trap 'kill \$\$jobs[^']*' EXIT INT TERM", recipe)
    assert recipe.index("run_jobs") < recipe.index("runserver")


def test_the_scheduler_process_stops_cleanly_when_make_run_stops_it():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONUNBUFFERED": "1"}
    scheduler = subprocess.Popen(
        [sys.executable, "manage.py", "run_jobs", "--every", "0.2"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "定时任务已启动" in scheduler.stdout.readline()
        scheduler.terminate()  # the trap in the Makefile's run recipe
        assert scheduler.wait(timeout=30) == 0
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
        scheduler.stdout.close()


def test_a_changed_deploy_file_is_found(tmp_path):
    call_command("jobs", "--write", deploy_dir=str(tmp_path), stdout=io.StringIO())
    cron = tmp_path / "cron" / "kunshan_credit"
    assert "manage.py run_job backup" in cron.read_text()
    timer = (tmp_path / "systemd" / "kunshan_credit-backup.timer").read_text()
    assert "OnCalendar=*-*-* 02:15:00 Asia/Shanghai" in timer
    cron.write_text(cron.read_text().replace("15 2 * * *", "15 3 * * *"))
    with pytest.raises(CommandError, match="不一致"):
        call_command("jobs", "--check", deploy_dir=str(tmp_path), stdout=io.StringIO())


def test_cron_expressions_give_their_last_due_time_and_systemd_calendar():
    every_five = Cron.parse("*/5 * * * *")
    assert every_five.last_due(at("2026-12-06 10:07:59")) == at("2026-12-06 10:05")
    assert every_five.on_calendar() == "*-*-* *:00/5:00"
    nightly = Cron.parse("15 2 * * *")
    assert nightly.last_due(at("2026-12-06 02:14")) == at("2026-12-05 02:15")
    assert nightly.last_due(at("2026-12-06 02:15")) == at("2026-12-06 02:15")
    monday = Cron.parse("0 9 * * 1")
    assert monday.last_due(at("2026-12-06 12:00")) == at("2026-11-30 09:00")  # 6 December 2026 is a Sunday
    assert monday.on_calendar() == "Mon *-*-* 09:00:00"
    with pytest.raises(Exception, match="分钟字段"):
        Cron.parse("61 * * * *")


@pytest.mark.django_db
def test_run_job_records_when_how_long_and_the_result():
    out = io.StringIO()
    call_command("run_job", "send_queued", stdout=out)
    run = JobRun.objects.get(job="send_queued")
    assert run.result == JobRun.Result.OK and run.finished_at >= run.started_at
    assert "发送 0 条" in run.output and "发送 0 条" in out.getvalue()
    with pytest.raises(CommandError, match="没有名为"):
        call_command("run_job", "no_such_job", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_failed_run_is_recorded_and_old_runs_are_removed(settings):
    settings.BACKUP_KEY = ""  # the backup refuses to run unsigned
    month_ago = timezone.now() - datetime.timedelta(days=31)
    JobRun.objects.create(job="backup", started_at=month_ago, finished_at=month_ago, result=JobRun.Result.OK)
    with pytest.raises(CommandError, match="运行失败"):
        call_command("run_job", "backup", stdout=io.StringIO())
    run = JobRun.objects.get(job="backup")  # the month-old run is gone: a year of runs stays small
    assert run.result == JobRun.Result.FAILED and "未设置备份签名密钥" in run.output


@pytest.mark.django_db
def test_the_scheduler_starts_each_due_job_once_after_it_started():
    class Finished:
        def __init__(self, job):
            call_command("run_job", job.name, stdout=io.StringIO())

        def poll(self):
            return 0

    scheduler = Scheduler(Finished, since=at("2026-12-06 08:29:30"))
    assert scheduler.tick(at("2026-12-06 08:29:50")) == []  # nothing due since it started
    started = scheduler.tick(at("2026-12-06 08:30:05"))
    assert set(started) == {"render_documents", "send_queued", "send_reminders"}
    assert scheduler.tick(at("2026-12-06 08:30:40")) == []  # once per due time
    assert set(scheduler.tick(at("2026-12-06 08:31:00"))) == {"render_documents", "send_queued"}
    assert JobRun.objects.filter(job="send_reminders", result=JobRun.Result.OK).count() == 1


@pytest.fixture
def it_client(client, db):
    log_in(client, UserFactory(username="t_it", is_staff=True, is_superuser=True))
    return client


def test_the_jobs_page_shows_each_job_with_its_last_run_and_late_or_failed_in_red(it_client, staff_user, client):
    call_command("run_job", "send_queued", stdout=io.StringIO())
    JobRun.objects.create(
        job="render_documents",
        started_at=at("2026-01-01 00:00"),
        finished_at=at("2026-01-01 00:00"),
        result=JobRun.Result.FAILED,
        output="失败：字体缺失",
    )
    page = it_client.get("/system/jobs/").content.decode()
    rows = {job.name: page.split(f"<td><code>{job.name}</code></td>")[0].rsplit("<tr", 1)[1] for job in all_jobs()}
    assert "job-bad" in rows["render_documents"]
    assert "job-ok" in rows["send_queued"]
    # The backup's last due time passed after the first recorded run (1 January): it is late.
    assert "job-bad" in rows["backup"] and "未按时运行" in page
    assert "失败：字体缺失" in page and get_job("backup").description in page
    log_in(client, staff_user)  # the office's staff role does not open /admin/: not theirs
    assert client.get("/system/jobs/").status_code == 404
