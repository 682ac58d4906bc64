import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from core.jobs.scheduler import Scheduler


class Command(BaseCommand):
    help = "在开发服务器旁运行定时任务（与 cron/systemd 相同的清单和时间），直到被停止（make run 会一并停止它）。"

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=15, help="每隔这么多秒检查一次是否有任务到期（默认 15）")

    def handle(self, *args, every=15, **options):
        def start(job):
            self.stdout.write(f"定时任务 {job.name}：manage.py {job.command_line}")
            return subprocess.Popen([sys.executable, str(settings.BASE_DIR / "manage.py"), "run_job", job.name])

        scheduler = Scheduler(start)

        def stop(signum, frame):
            scheduler.stop()
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("定时任务已启动（manage.py jobs 列出全部任务）。")
        while True:
            scheduler.tick()
            time.sleep(every)
