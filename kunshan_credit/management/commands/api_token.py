"""Print an account's API token, creating it if it has none (for scripts and CI; staff use /api/tokens/)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from assessment import access


class Command(BaseCommand):
    help = "输出账号的接口令牌（没有则生成）。令牌与该账号的权限相同。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有启用的账号“{username}”。")
        if not access.has_role(user):
            raise CommandError(f"账号“{username}”没有角色（市信用办、领导或责任单位填报员），令牌将无权访问任何数据。")
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
