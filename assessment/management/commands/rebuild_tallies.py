from django.core.management.base import BaseCommand

from assessment.stored_tallies import rebuild_all


class Command(BaseCommand):
    help = (
        "重新统计各考核方案保存的完成情况统计（各列√、*等的数量，各单位的未完成项数），"
        "与完成情况不符的记入日志（每日定时任务）。"
    )

    def handle(self, **options):
        drifted = rebuild_all()
        if drifted:
            listed = "、".join(f"考核方案{scheme_id}（{wrong}处）" for scheme_id, wrong in drifted)
            self.stdout.write(self.style.WARNING(f"已重新统计；{listed}的统计与完成情况不符，已改正。"))
        else:
            self.stdout.write(self.style.SUCCESS("已重新统计，统计与完成情况相符。"))
