"""deploy/cron and deploy/systemd's job units, written from the list of jobs (`manage.py jobs --write`).

Every line and timer runs `manage.py run_job NAME`, which runs the job's command and records the run.
A test compares the committed files with these texts.
"""

from .registry import all_jobs

CHECKOUT = "/srv/kunshan_credit"
ENV_FILE = "/etc/kunshan_credit/kunshan_credit.env"
CRON_LOG = "/var/log/kunshan_credit/cron.log"
CRON_FILE = "cron/kunshan_credit"
SERVICE = "kunshan_credit-job@.service"
GENERATED = "生成自 kunshan_credit/jobs.py（manage.py jobs --write），请勿手改"


def cron_text():
    lines = [
        f"# /etc/cron.d/kunshan_credit — the portal's scheduled jobs; {GENERATED}.",
        "# Use this file or the systemd timers (deploy/systemd), not both. Times are the machine's (Asia/Shanghai).",
        "# Each line runs `manage.py run_job NAME`: the job's command, its run recorded (/system/jobs/, /healthz).",
        "SHELL=/bin/sh",
        "PATH=/usr/local/bin:/usr/bin:/bin",
        "# m h dom mon dow  user  command",
    ]
    for job in all_jobs():
        lines.append(f"# {job.name}: {job.description}（manage.py {job.command_line}）")
        lines.append(
            f"{job.schedule}  kunshan_credit  cd {CHECKOUT} && set -a && . {ENV_FILE} && "
            f".venv/bin/python manage.py run_job {job.name} >>{CRON_LOG} 2>&1"
        )
    return "\n".join(lines) + "\n"


def service_text():
    return f"""# One run of a scheduled job (kunshan_credit/jobs.py), started by its timer: kunshan_credit-job@NAME.
# {GENERATED}. Output goes to the journal:
#   journalctl -u kunshan_credit-job@backup
[Unit]
Description=昆山信用体系建设门户：定时任务 %i
After=network-online.target postgresql.service

[Service]
Type=oneshot
User=kunshan_credit
Group=kunshan_credit
WorkingDirectory={CHECKOUT}
EnvironmentFile={ENV_FILE}
ExecStart={CHECKOUT}/.venv/bin/python manage.py run_job %i
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=yes
ReadWritePaths=/var/lib/kunshan_credit /var/backups/kunshan_credit
# /var/log/kunshan_credit, made and writable for the user: DJANGO_LOG_FILE may point there (deploy/logrotate).
LogsDirectory=kunshan_credit
"""


def timer_name(job):
    return f"kunshan_credit-{job.name.replace('_', '-')}.timer"


def timer_text(job):
    return f"""# {job.description}（manage.py {job.command_line}），cron “{job.schedule}”; {GENERATED}.
#   systemctl enable --now {timer_name(job)}
[Unit]
Description=昆山信用体系建设门户：{job.description}

[Timer]
OnCalendar={job.cron.on_calendar()} Asia/Shanghai
Persistent=true
Unit=kunshan_credit-job@{job.name}.service

[Install]
WantedBy=timers.target
"""


def markdown_table():
    """The jobs as the README's table (部署 → 定时任务); a test finds it there."""
    rows = ["| 任务 | 时间（cron，Asia/Shanghai） | 命令 | 做什么 | 允许延迟 |", "|---|---|---|---|---|"]
    for job in all_jobs():
        command = f"`manage.py {job.command_line}`"
        rows.append(f"| `{job.name}` | `{job.schedule}` | {command} | {job.description} | {job.late_text} |")
    return "\n".join(rows) + "\n"


def deploy_files():
    """{path under deploy/: text} of every generated file."""
    files = {CRON_FILE: cron_text(), f"systemd/{SERVICE}": service_text()}
    for job in all_jobs():
        files[f"systemd/{timer_name(job)}"] = timer_text(job)
    return files


def stale_files(deploy_dir):
    """Job units under deploy/systemd that the list no longer names (removed by --write)."""
    wanted = set(deploy_files())
    units = [p for p in (deploy_dir / "systemd").glob("kunshan_credit-*") if not p.name.startswith("kunshan_credit@")]
    return [p for p in units if f"systemd/{p.name}" not in wanted]
