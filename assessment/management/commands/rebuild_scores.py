from django.core.management.base import BaseCommand, CommandError

from assessment.models import Scheme
from assessment.scoring.stored import refresh_scores, refresh_stale


class Command(BaseCommand):
    help = (
        "重新计算并保存各单位的考核得分（得分页按保存的得分排名）。给出年度时只算该年度，否则算所有年度；"
        "--stale 只算不是今天计算的或数据已变动的（每日定时任务）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, nargs="?", help="年度，如 2019（默认所有年度）")
        parser.add_argument("--stale", action="store_true", help="只重算不是今天计算的或数据已变动的得分")

    def handle(self, year=None, stale=False, **options):
        if stale:
            if year is not None:
                raise CommandError("--stale 计算所有年度，不能同时指定年度。")
            count = refresh_stale()
            self.stdout.write(self.style.SUCCESS(f"已重新计算 {count} 家单位过期的得分。"))
            return
        years = sorted(set(Scheme.objects.values_list("year", flat=True)))
        if year is not None:
            if year not in years:
                raise CommandError(f"{year}年没有考核方案。")
            years = [year]
        for y in years:
            categories = refresh_scores(y)
            units = sum(len(c.units) for c in categories)
            self.stdout.write(self.style.SUCCESS(f"{y}年：已计算并保存 {units} 家单位的得分。"))
