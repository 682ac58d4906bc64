"""Who made each API token: the token's holder may not be the one who saw its key (core/api/token_use.py)."""

from django.conf import settings
from django.db import models
from rest_framework.authtoken.models import Token


class TokenGrant(models.Model):
    """The making of one API token: by whom (an office member at /api/tokens/, or nobody: the server's
    `manage.py api_token`) and when. A token without one was made before this record was kept."""

    token = models.OneToOneField(
        Token, on_delete=models.CASCADE, primary_key=True, related_name="grant", verbose_name="接口令牌"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="生成人",
    )
    created_by_name = models.CharField(
        "生成人账号", max_length=150, blank=True, help_text="空：在服务器上以 manage.py api_token 生成"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "接口令牌生成记录"
        verbose_name_plural = "接口令牌生成记录"
        ordering = ["-created_at", "token"]
        indexes = [models.Index(fields=["-created_at", "token"], name="tokengrant_created")]

    def __str__(self):
        return f"{self.token.user} 的令牌，由 {self.creator_label} 生成"

    @property
    def creator_label(self):
        return self.created_by_name or "服务器命令 manage.py api_token"
