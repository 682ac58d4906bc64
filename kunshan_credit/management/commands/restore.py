from django.core.management.base import BaseCommand, CommandError

from kunshan_credit.backup import BackupError
from kunshan_credit.restore import restore_backup


class Command(BaseCommand):
    help = "恢复：校验备份文件后，把其中的数据库和附件恢复到空数据库和附件目录（MEDIA_ROOT）；非空数据库拒绝恢复。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="manage.py backup 写出的 .tar.gz（或加密的 .tar.gz.enc）文件")

    def handle(self, path, **options):
        try:
            manifest = restore_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["rows"].values())
        files = sum(1 for name in manifest["members"] if name.startswith("media/"))
        self.stdout.write(
            self.style.SUCCESS(
                f"已从 {path} 恢复：{rows} 行数据，附件 {files} 个（备份时间 {manifest['created_at']}，"
                f"程序版本 {manifest['app_version'][:12]}）。"
            )
        )
