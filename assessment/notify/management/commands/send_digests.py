"""Daily (cron): each follower gets one digest of what changed where they follow, each office member who reads
notices once a day their summary, then everything queued goes."""

from django.core.management.base import BaseCommand

from core.people import display_name

from ...deliveries import deliver_pending
from ...digests import send_digests
from ...models import Delivery
from ...notices import send_notice_summaries


class Command(BaseCommand):
    help = "向关注单位或指标的账号发送每日变化摘要。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将要发送的摘要，不发送也不记录")

    def handle(self, *args, dry_run=False, **options):
        digests = send_digests(dry_run=dry_run)
        for user, sections in digests:
            changes = sum(len(entries) for _, _, entries in sections)
            self.stdout.write(f"{display_name(user)} <{user.email or '无邮箱'}>：{changes} 项变化")
        if dry_run:
            self.stdout.write(f"试运行：{len(digests)} 份摘要，未发送。")
            return
        summaries = send_notice_summaries()
        if summaries:
            self.stdout.write(f"报送汇总 {len(summaries)} 份。")
        done = deliver_pending()
        failed = sum(1 for d in done if d.status == Delivery.Status.FAILED)
        self.stdout.write(f"摘要 {len(digests)} 份；发送 {len(done)} 条，失败 {failed} 条（下次运行时重发）。")
