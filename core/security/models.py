from django.conf import settings
from django.db import models
from django.utils import timezone


class PasswordState(models.Model):
    """When an account's password was last set, and whether its owner must choose a new one.

    Written by `core.security.passwords.PasswordChangeRecorder` whenever a password is set, and by
    `core.security.passwords.require_change` when the office creates an account or sets a password for someone.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_state", verbose_name="账号"
    )
    changed_at = models.DateTimeField("密码设置时间", default=timezone.now)
    must_change = models.BooleanField("下次登录须修改密码", default=False)

    class Meta:
        verbose_name = "密码状态"
        verbose_name_plural = "密码状态"
        ordering = ["user_id"]

    def __str__(self):
        return f"{self.user} · {self.changed_at:%Y-%m-%d}"
