"""The scheduler beside the development server (`manage.py run_jobs`): the same jobs, at the same times.

Each due job is started as its own process (`manage.py run_job NAME`), as cron and systemd start it, so a
slow backup never holds back the queue; a job still running is not started again.
"""

from django.utils import timezone

from .registry import all_jobs


class Scheduler:
    """Starts each job once per due time after the scheduler itself started. `start(job)` returns a handle
    with `poll()` (None while running), e.g. a `subprocess.Popen`."""

    def __init__(self, start, since=None):
        self.start = start
        self.since = timezone.localtime(since or timezone.now())
        self.done = {}  # job name: the due time last started
        self.running = {}  # job name: handle

    def tick(self, now=None):
        """Start what is due; returns the names started."""
        now = timezone.localtime(now or timezone.now())
        for name, handle in list(self.running.items()):
            if handle.poll() is not None:
                del self.running[name]
        started = []
        for job in all_jobs():
            due = job.cron.last_due(now)
            if due is None or due <= self.since or self.done.get(job.name) == due or job.name in self.running:
                continue
            self.done[job.name] = due
            self.running[job.name] = self.start(job)
            started.append(job.name)
        return started

    def stop(self):
        for handle in self.running.values():
            if handle.poll() is None:
                handle.terminate()
