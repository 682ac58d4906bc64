"""Print an account's API token, creating it if it has none (for scripts and CI; staff use /api/tokens/).

Only for an account that may hold one (core/api/token_rules.py): a reporter, a leader, or the office's
system account for another system, which `--system NAME` creates (the office's role, no password).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from assessment import access
from core.api.token_rules import REFUSED, may_hold_token
from core.api.token_use import issue_token


class Command(BaseCommand):
    help = "输出账号的接口令牌（没有则生成）。令牌与该账号的权限相同。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--system",
            action="store_true",
            help="没有该账号时，新建市信用办的系统账号（供其他系统使用，没有密码，不能登录门户）。",
        )

    @transaction.atomic
    def handle(self, *args, username, system=False, **options):
        User = get_user_model()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None and system and not User.objects.filter(username=username).exists():
            user = User(username=username, first_name="系统账号")
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=access.STAFF_GROUP))
        if user is None:
            raise CommandError(f"没有启用的账号“{username}”。")
        if not access.has_role(user):
            raise CommandError(f"账号“{username}”没有角色（市信用办、领导或责任单位填报员），令牌将无权访问任何数据。")
        if not may_hold_token(user):
            raise CommandError(f"账号“{username}”不能持有令牌。{REFUSED}")
        token = Token.objects.filter(user=user).first() or issue_token(user)  # made on the server: by nobody
        self.stdout.write(token.key)
