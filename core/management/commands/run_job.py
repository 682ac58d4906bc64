from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from core.jobs.models import JobRun
from core.jobs.registry import get_job
from core.jobs.runs import run_job


class Command(BaseCommand):
    help = "运行一个定时任务（cron、systemd 定时器和 run_jobs 都经由它），并记录运行时间、耗时和结果。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="任务名（manage.py jobs 列出全部）")

    def handle(self, name, **options):
        try:
            job = get_job(name)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.ending = ""  # the command's own output passes through as it is written
        run = run_job(job, echo=self.stdout)
        if run.result == JobRun.Result.FAILED:
            raise CommandError(f"定时任务“{name}”运行失败（用时 {run.seconds:.1f} 秒）。")
