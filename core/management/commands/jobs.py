from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.jobs.deploy import deploy_files, markdown_table, stale_files
from core.jobs.registry import all_jobs


class Command(BaseCommand):
    help = (
        "定时任务：列出全部任务；--write 按任务清单重写 deploy/cron 和 deploy/systemd 的定时器；--check 检查是否一致。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="重写 deploy/ 下的 cron 文件和 systemd 单元")
        parser.add_argument("--check", action="store_true", help="deploy/ 下的文件与任务清单不一致时报错")
        parser.add_argument("--markdown", action="store_true", help="以表格（Markdown）列出，用于 README")
        parser.add_argument("--deploy-dir", default=str(settings.BASE_DIR / "deploy"), help="默认为检出目录的 deploy/")

    def handle(self, *args, write=False, check=False, markdown=False, deploy_dir=None, **options):
        if markdown:
            self.stdout.write(markdown_table(), ending="")
            return
        root = Path(deploy_dir)
        if write:
            for stale in stale_files(root):
                stale.unlink()
                self.stdout.write(f"已删除 {stale}")
            for name, text in deploy_files().items():
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_text(text, encoding="utf-8")
                self.stdout.write(f"已写入 {root / name}")
            return
        if check:
            differ = [
                n for n, t in deploy_files().items() if not (root / n).is_file() or (root / n).read_text("utf-8") != t
            ]
            differ += [str(p) for p in stale_files(root)]
            if differ:
                raise CommandError("以下文件与任务清单不一致，请运行 manage.py jobs --write：" + "、".join(differ))
            self.stdout.write("deploy/ 与任务清单一致。")
            return
        for job in all_jobs():
            self.stdout.write(f"{job.name:<16} {job.schedule:<14} manage.py {job.command_line}  {job.description}")
