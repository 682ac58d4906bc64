"""Running a scheduled job (recorded as a `JobRun`), and each job's state: on time, late, failed or running."""

import datetime
import io
import traceback
from dataclasses import dataclass

from django.core.management import call_command
from django.utils import timezone

from .models import JobRun
from .registry import all_jobs

OUTPUT_KEPT = 4000  # characters of the end of a run's output kept in its row
# Runs are kept this long (a job every minute makes 1,440 rows a day); each run removes its job's older ones.
RUNS_KEPT = datetime.timedelta(days=30)


class _Tee(io.StringIO):
    """Keeps what a command writes and passes it on (to the cron log or the journal)."""

    def __init__(self, echo):
        super().__init__()
        self.echo = echo

    def write(self, text):
        if self.echo is not None:
            self.echo.write(text)
            self.echo.flush()
        return super().write(text)


def run_job(job, echo=None):
    """Run the job's command now, recording the start, then the end and the result; returns the `JobRun`."""
    run = JobRun.objects.create(job=job.name, started_at=timezone.now())
    out = _Tee(echo)
    try:
        call_command(job.command, *job.args, stdout=out, stderr=out)
    except Exception as exc:  # noqa: BLE001 - any failure is the run's result, kept for the administrator
        message = str(exc) or type(exc).__name__
        out.write(f"\n失败：{message}\n")
        if not exc.__class__.__module__.startswith("django.core.management"):
            out.write(traceback.format_exc(limit=5))
        run.result = JobRun.Result.FAILED
    else:
        run.result = JobRun.Result.OK
    run.finished_at = timezone.now()
    run.output = out.getvalue()[-OUTPUT_KEPT:]
    run.save(update_fields=["finished_at", "result", "output"])
    JobRun.objects.filter(job=job.name, started_at__lt=run.started_at - RUNS_KEPT).delete()
    return run


@dataclass(frozen=True)
class JobState:
    """A job with its last run and whether that is in order (`ok`) or not, and why (Chinese)."""

    job: object
    last: JobRun | None
    expected: object  # the latest due time whose grace has passed (a run should have started since)
    ok: bool
    status: str


def _state(job, last, now, scheduler_since):
    expected = job.cron.last_due(timezone.localtime(now) - job.late_after)
    if last is not None and last.result == JobRun.Result.FAILED:
        return JobState(job, last, expected, False, "上次运行失败")
    if last is not None and last.result == JobRun.Result.RUNNING and now - last.started_at > job.late_after:
        return JobState(job, last, expected, False, "运行超时或被中断")
    if expected is not None and (last is None or last.started_at < expected):
        if scheduler_since is None:
            return JobState(job, last, expected, False, "定时任务从未运行：请启用 cron 或 systemd 定时器")
        if last is not None or scheduler_since <= expected:
            return JobState(job, last, expected, False, f"应在 {expected:%Y-%m-%d %H:%M} 运行，未按时运行")
    if last is not None and last.result == JobRun.Result.RUNNING:
        return JobState(job, last, expected, True, "运行中")
    return JobState(job, last, expected, True, "正常" if last else "尚未到运行时间")


def job_states(now=None):
    """Every registered job's state, in the list's order (one query per job, on the index)."""
    now = now or timezone.now()
    first = JobRun.objects.order_by("started_at").values_list("started_at", flat=True).first()
    return [_state(job, JobRun.objects.filter(job=job.name).first(), now, first) for job in all_jobs()]
