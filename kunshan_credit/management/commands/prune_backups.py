from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kunshan_credit.backup import BackupError, prune


class Command(BaseCommand):
    help = (
        "清理旧备份：删除备份目录中既不在最新 N 份之内、又早于 N 天的备份文件"
        "（DJANGO_BACKUP_KEEP_COUNT、DJANGO_BACKUP_KEEP_DAYS），以及中断的备份留下的临时目录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help=f"备份目录，默认 {settings.BACKUP_DIR}")
        parser.add_argument("--dry-run", action="store_true", help="只列出将删除的文件，不删除")

    def handle(self, directory=None, dry_run=False, **options):
        try:
            removed = prune(directory, dry_run=dry_run)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for path in removed:
            self.stdout.write(f"{'将删除' if dry_run else '已删除'} {path}")
        kept = f"保留最新 {settings.BACKUP_KEEP_COUNT} 份及 {settings.BACKUP_KEEP_DAYS} 天内的备份"
        self.stdout.write(
            f"{'试运行：' if dry_run else ''}{len(removed)} 个旧备份{'将被' if dry_run else '已'}删除（{kept}）。"
        )
