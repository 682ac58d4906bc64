"""Deliver what the pages queued (the manual reminder) and retry failures: from cron every few minutes,
or as a small worker (`--every 30`) beside the server, e.g. a systemd service or the local demo."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from ...deliveries import deliver_pending
from ...models import Delivery


class Command(BaseCommand):
    help = "发送待发送的提醒和摘要，并重发以前失败的。"

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, help="持续运行，每隔这么多秒发送一次（默认只运行一次）")
        parser.add_argument("--rounds", type=int, help="与 --every 一起使用：运行这么多次后停止（默认一直运行）")

    def handle(self, *args, every=None, rounds=None, **options):
        done_rounds = 0
        while True:
            done = deliver_pending()
            failed = sum(1 for d in done if d.status == Delivery.Status.FAILED)
            if done or every is None:
                self.stdout.write(f"发送 {len(done)} 条，成功 {len(done) - failed} 条，失败 {failed} 条。")
            done_rounds += 1
            if every is None or (rounds is not None and done_rounds >= rounds):
                return
            time.sleep(max(every, 0))
            if not connection.in_atomic_block:
                # A long-running worker drops a connection the database closed; inside a caller's transaction
                # (call_command from code or a test) the connection is the caller's and stays.
                close_old_connections()
