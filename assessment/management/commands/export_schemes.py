import json

from django.core.management.base import BaseCommand, CommandError

from assessment.imports.schemes import export_year


class Command(BaseCommand):
    help = "导出某年度的考核方案（指标、计分规则、说明、合并计分、参评单位及完成情况）为 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", help="写入的文件（默认输出到屏幕）")

    def handle(self, year, output=None, **options):
        data = export_year(year)
        if not data["schemes"]:
            raise CommandError(f"{year}年没有考核方案。")
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
            self.stdout.write(self.style.SUCCESS(f"已导出{year}年考核方案：{output}"))
        else:
            self.stdout.write(text, ending="")
