"""Make and store the PDF, Word and Excel files of published versions that do not have them yet.

Run from cron every minute (deploy/): a version published since the last run gets its files here,
outside any reader's request. Files already stored are left as they are.
"""

from django.core.management.base import BaseCommand
from django.db.models import F

from bulletins import documents
from bulletins.models import IssueVersion


class Command(BaseCommand):
    help = "为已发布的各版本生成并保存 PDF、Word 和 Excel 文件（已有的不重做）。"

    def add_arguments(self, parser):
        parser.add_argument("--all-versions", action="store_true", help="也包括已被更正替代的旧版本")

    def handle(self, *args, all_versions=False, **options):
        versions = IssueVersion.objects.select_related("issue").defer("snapshot", "changes", "search_text")
        if not all_versions:
            versions = versions.filter(issue__current_version=F("pk"))
        made = 0
        for version in versions.order_by("-published_at"):
            for kind in documents.ORDER:
                if not documents.is_stored(version, kind):
                    name = documents.store(version, kind)
                    made += 1
                    self.stdout.write(f"已生成 {name}")
        self.stdout.write(f"共生成 {made} 个文件。")
