from django.core.management.base import BaseCommand, CommandError

from kunshan_credit.backup import BackupError, write_backup


class Command(BaseCommand):
    help = "备份：把整个数据库、附件目录（MEDIA_ROOT）和带 SHA-256 校验值的清单写入一个 .tar.gz 文件。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件，例如 /var/backups/kunshan_credit/2026-12-01.tar.gz（不能已存在）")

    def handle(self, path, **options):
        try:
            manifest = write_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["rows"].values())
        files = sum(1 for name in manifest["members"] if name.startswith("media/"))
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {path}：{len(manifest['rows'])} 张表共 {rows} 行，附件 {files} 个"
                f"（程序版本 {manifest['app_version'][:12]}，数据库 {manifest['database_vendor']}）。"
            )
        )
