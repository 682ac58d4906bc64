from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kunshan_credit.backup import BackupError, copy_offsite, write_backup


class Command(BaseCommand):
    help = (
        "备份：把整个数据库、附件目录（MEDIA_ROOT）和带 SHA-256 校验值、经密钥签名的清单写入一个 .tar.gz 文件"
        "（设置了 DJANGO_BACKUP_ENCRYPTION_KEY 时加密，为 .tar.gz.enc）；"
        "给出目录（或不给，即 DJANGO_BACKUP_DIR）时以日期命名。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help=f"备份目录（自动以日期命名），或新的备份文件名；默认 {settings.BACKUP_DIR}（DJANGO_BACKUP_DIR）",
        )

    def handle(self, path=None, **options):
        try:
            written, manifest = write_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["rows"].values())
        files = sum(1 for name in manifest["members"] if name.startswith("media/"))
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {written}：{len(manifest['rows'])} 张表共 {rows} 行，附件 {files} 个"
                f"（程序版本 {manifest['app_version'][:12]}，数据库 {manifest['database_vendor']}）。"
            )
        )
        try:
            offsite = copy_offsite(written)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if offsite:
            self.stdout.write(f"已复制到异地：{offsite}")
