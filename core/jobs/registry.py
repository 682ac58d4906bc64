"""The list of scheduled jobs. The platform holds it; the top layer (`kunshan_credit.jobs`) fills it.

Every scheduled run goes through `manage.py run_job NAME` (cron, systemd, `manage.py run_jobs` beside the
development server), so each one is recorded as a `JobRun`.
"""

import datetime
from dataclasses import dataclass, field

from core.errors import DomainError

from .schedule import Cron


@dataclass(frozen=True)
class Job:
    """One scheduled job: `command` and `args` are a management command; `schedule` a cron expression in the
    portal's time zone; `late_after` how long after a due time it may still be running or not yet started."""

    name: str
    command: str
    schedule: str
    description: str
    late_after: datetime.timedelta
    args: tuple = ()
    cron: Cron = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "cron", Cron.parse(self.schedule))

    @property
    def late_text(self):
        """How late it may be, in words: 10 分钟, 3 小时."""
        minutes = int(self.late_after.total_seconds() // 60)
        if minutes % 60:
            return f"{minutes} 分钟"
        return f"{minutes // 60} 小时"

    @property
    def command_line(self):
        return " ".join((self.command, *self.args))


_JOBS = {}


def register(*jobs):
    for job in jobs:
        if job.name in _JOBS and _JOBS[job.name] != job:
            raise DomainError(f"定时任务“{job.name}”重复登记。")
        _JOBS[job.name] = job


def all_jobs():
    """Every job, in the order registered."""
    return list(_JOBS.values())


def get_job(name):
    try:
        return _JOBS[name]
    except KeyError:
        known = "、".join(_JOBS) or "无"
        raise DomainError(f"没有名为“{name}”的定时任务（已登记：{known}）。") from None
