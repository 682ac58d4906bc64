"""Scheduled jobs: one list (registered by the top layer), a runner that records every run, the deploy files.

- `registry.py`: `Job` (name, command, schedule, what it does, how late it may be), `register`, `all_jobs`;
- `schedule.py`: the cron expressions (matching, the last due time, systemd's OnCalendar);
- `models.py`: `JobRun`, one row per run (when, how long, the result);
- `runs.py`: running a job and recording it, and each job's state (on time, late, failed);
- `deploy.py`: deploy/cron and the systemd units, generated from the list (`manage.py jobs`).
"""
