from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 \-]{5,18}[0-9]$", "电话号码只能包含数字、空格、“-”和开头的“+”，长度 7 至 20 位。"
)


class AccountProfile(models.Model):
    """What an account needs beyond Django's user: a phone number for the office to call, and whether its
    owner must choose a new password at the next login (set when the office creates the account or resets
    its password to a temporary one; cleared when the owner changes it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name="账号"
    )
    phone = models.CharField("电话", max_length=20, blank=True, validators=[phone_validator])

    class Meta:
        verbose_name = "账号资料"
        verbose_name_plural = "账号资料"
        ordering = ["user__username"]

    def __str__(self):
        return str(self.user)
