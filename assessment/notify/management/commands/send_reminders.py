"""Daily (cron): remind each unit of its items due soon or overdue, once per stage (overdue again at the
interval), and deliver what failed before."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from assessment import due
from core.errors import DomainError

from ...deliveries import deliver_pending, pending
from ...models import Delivery, Stage
from ...reminder_kinds import due_items, reminder_years
from ...reminders import send_unit_reminders


def parse_date(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date 应为 YYYY-MM-DD 格式的日期，收到 {value!r}") from None


class Command(BaseCommand):
    help = "向有即将到期或已逾期事项的单位发送提醒（每个事项每个阶段一次，逾期事项按间隔重复），并重发以前失败的提醒。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将要发送的提醒，不发送也不记录")
        parser.add_argument("--date", type=parse_date, help="按这一天计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, dry_run=False, date=None, **options):
        today = date or due.today()
        reached = missed = 0
        # The current year unless it is closed (reminder_years); after its end, its year-end explanations.
        for year in reminder_years():
            try:
                run = send_unit_reminders(
                    due_items(year, as_of=today), year=year, today=today, dry_run=dry_run, defer=True
                )
            except DomainError as exc:
                raise CommandError(str(exc)) from exc
            reached, missed = reached + len(run.reached), missed + len(run.missed)
            for unit_plan in run.plans:
                where = "、".join(unit_plan.emails + (["单位群机器人"] if unit_plan.robot else [])) or "无法送达"
                self.stdout.write(f"{unit_plan.unit.name}（{len(unit_plan.items)} 项）→ {where}")
                for item in unit_plan.items:
                    due_text = f" 截止 {item.due:%Y-%m-%d}" if item.due else ""
                    self.stdout.write(f"    [{Stage(item.stage).label}] {item.title}{due_text}")
        if dry_run:
            retry = pending().count()
            self.stdout.write(f"试运行：{reached} 家单位将收到提醒，另有 {retry} 条待发送或失败的记录将重发；未发送。")
            return
        done = deliver_pending()
        failed = sum(1 for d in done if d.status == Delivery.Status.FAILED)
        self.stdout.write(
            f"{today:%Y-%m-%d}：{reached} 家单位需要提醒，{missed} 家无法送达；"
            f"发送 {len(done)} 条，成功 {len(done) - failed} 条，失败 {failed} 条（下次运行时重发）。"
        )
