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


class PasswordHistory(models.Model):
    """A password an account has had (its hash only), so that none of the last few is chosen again.

    Written by `core.security.passwords.PasswordHistoryValidator` whenever a password is set; only the
    newest `PASSWORD_HISTORY_COUNT` of an account are kept.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history", verbose_name="账号"
    )
    password = models.CharField("密码（哈希）", max_length=128)
    set_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["user_id", "-set_at", "-pk"]
        indexes = [models.Index(fields=["user", "-set_at"], name="passwordhistory_user_set_at")]

    def __str__(self):
        return f"{self.user} · {self.set_at:%Y-%m-%d %H:%M}"
