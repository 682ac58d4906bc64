import json

from django.core.management.base import BaseCommand
from django.db import transaction

from assessment.imports.schemes import import_year


class Command(BaseCommand):
    help = "从 JSON（export_schemes 的格式）导入或更新某年度的考核方案；可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        with open(file, encoding="utf-8") as f:
            data = json.load(f)
        with transaction.atomic():
            import_year(data)
        self.stdout.write(self.style.SUCCESS(f"已导入{data['year']}年考核方案（{len(data['schemes'])}类）。"))
