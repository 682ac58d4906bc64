"""Every few minutes (cron): deliver what the pages queued (the manual reminder) and retry failures."""

from django.core.management.base import BaseCommand

from ...deliveries import deliver_pending
from ...models import Delivery


class Command(BaseCommand):
    help = "发送待发送的提醒和摘要，并重发以前失败的。"

    def handle(self, *args, **options):
        done = deliver_pending()
        failed = sum(1 for d in done if d.status == Delivery.Status.FAILED)
        self.stdout.write(f"发送 {len(done)} 条，成功 {len(done) - failed} 条，失败 {failed} 条。")
