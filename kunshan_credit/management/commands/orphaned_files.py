from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.audit.actions import AuditAction
from core.audit.services import record
from kunshan_credit import orphans


class Command(BaseCommand):
    help = (
        "列出（--delete 时删除）附件目录（MEDIA_ROOT）中没有任何记录引用的文件：中断的上传、未提交的事务留下的文件。"
        "一小时内写入的文件（可能正在上传）和已发布简报各版本的文件目录不会被触及。"
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--dry-run", action="store_true", help="只列出无主文件及其大小，不删除（默认）")
        action.add_argument("--delete", action="store_true", help="删除列出的无主文件")

    def handle(self, delete=False, **options):
        try:
            found, young = orphans.find()
        except orphans.WrongDatabase as exc:
            raise CommandError(str(exc)) from exc
        if delete:
            found = orphans.remove(found)
            if found:
                record(
                    AuditAction.ORPHANS_DELETE,
                    obj=("附件目录", "", str(settings.MEDIA_ROOT)),
                    detail="；".join(f"{orphan.name}（{orphans.size_text(orphan.size)}）" for orphan in found),
                )
        verb = "已删除" if delete else "将删除"
        for orphan in found:
            self.stdout.write(f"{verb} {orphan.name}（{orphans.size_text(orphan.size)}）")
        total = orphans.size_text(sum(orphan.size for orphan in found))
        summary = f"{len(found)} 个无主文件{'已删除' if delete else ''}，共 {total}（{settings.MEDIA_ROOT}）"
        if not delete:
            summary = f"试运行：{summary}；加 --delete 删除"
        if young:
            summary += f"；另有 {young} 个一小时内写入的文件未处理（可能正在上传）"
        self.stdout.write(summary + "。")
