"""The scheduled jobs as deployed: deploy/cron's lines, run by the stack the way cron runs them, on a day of our
choosing (Debian's faketime; nothing in the portal knows it is a test).

A cron line's command is used as written; only the production paths are the stack's: the checkout, the
environment file, the log directory and the checkout's python (.ci/stack's PY).
"""

import datetime
import os
import re
import signal
import subprocess
import time
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core.jobs.schedule import Cron

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")  # "Times are the machine's": the production machine's zone
DEPLOY = Path(settings.BASE_DIR) / "deploy"


@dataclass(frozen=True)
class CronLine:
    schedule: str
    user: str
    command: str

    @property
    def job(self):
        return re.search(r"manage\.py run_job (\w+) ", self.command).group(1)

    @property
    def cron(self):
        return Cron.parse(self.schedule)


def cron_file():
    """(variables, [CronLine]) of deploy/cron/kunshan_credit."""
    variables, lines = {}, []
    for line in (DEPLOY / "cron" / "kunshan_credit").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if re.match(r"^[A-Z]+=", line):
            name, _, value = line.partition("=")
            variables[name] = value
            continue
        fields = line.split(None, 6)
        lines.append(CronLine(" ".join(fields[:5]), fields[5], fields[6]))
    return variables, lines


def systemd_unit(name):
    """{key: value} of a unit file's settings (the last of a repeated key)."""
    text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
    return dict(line.split("=", 1) for line in text.splitlines() if re.match(r"^[A-Za-z]+=", line))


def stack_command(line):
    """The line's command with the production paths replaced by the stack's; each must be there exactly once."""
    work = os.environ["STACK_WORK"]
    replacements = (
        ("/srv/kunshan_credit", str(settings.BASE_DIR)),
        ("/etc/kunshan_credit/kunshan_credit.env", os.environ["STACK_ENV_FILE"]),
        (".venv/bin/python", os.environ["STACK_PY"]),
        ("/var/log/kunshan_credit/", work + "/"),
    )
    command = line.command
    for production, stack in replacements:
        assert command.count(production) == 1, f"{production} not once in: {line.command}"
        command = command.replace(production, stack)
    return command


def run_line(line, at, variables):
    """Run the line's command as cron would at `at` (aware): /bin/sh, cron's PATH and a bare environment, the
    machine's zone Asia/Shanghai, the clock set by faketime. Returns the finished process."""
    stamp = at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    env = {
        "SHELL": variables.get("SHELL", "/bin/sh"),
        "PATH": variables.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/"),
        "LOGNAME": line.user,
        "TZ": "Asia/Shanghai",
    }
    process = subprocess.Popen(
        ["faketime", stamp, env["SHELL"], "-c", stack_command(line)],
        env=env,
        cwd="/",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=300)
    finally:
        stop_group(process)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def stop_group(process, grace=30):
    """End `process` and everything it started (started with start_new_session): faketime runs its command as a
    child, so ending faketime alone would leave the command running."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        process.poll()
        time.sleep(0.2)
    else:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def due_times(lines, day_end):
    """[(time, line)] of the 24 hours ending at `day_end`: each job due in them at its last due time, in the order
    they fall. A job due less often than daily (the weekly orphaned files) runs only on the day it falls in."""
    end = day_end.astimezone(SHANGHAI)
    start = end - datetime.timedelta(days=1)
    due = [(line.cron.last_due(end), line) for line in lines]
    return sorted(((at, line) for at, line in due if at is not None and at > start), key=lambda pair: pair[0])


def now_to_the_minute():
    return datetime.datetime.now(SHANGHAI).replace(second=0, microsecond=0)
