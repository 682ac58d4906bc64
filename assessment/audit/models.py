"""The audit entry: one security-relevant event, written once and never changed."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGOUT = "logout", "退出登录"
    LOCKOUT = "lockout", "账号锁定"
    UNLOCK = "unlock", "账号解锁"
    PASSWORD_CHANGE = "password_change", "修改密码"
    PASSWORD_RESET = "password_reset", "重置密码"
    OTP_ADD = "otp_add", "绑定双因素设备"
    OTP_REMOVE = "otp_remove", "解除双因素设备"
    ACCOUNT_CREATE = "account_create", "新建账号"
    ACCOUNT_CHANGE = "account_change", "修改账号"
    ACCOUNT_DEACTIVATE = "account_deactivate", "停用账号"
    ACCOUNT_ACTIVATE = "account_activate", "启用账号"
    ACCOUNT_DELETE = "account_delete", "删除账号"
    ROLE_CHANGE = "role_change", "角色变更"
    TOKEN_CREATE = "token_create", "生成接口令牌"
    TOKEN_REVOKE = "token_revoke", "撤销接口令牌"
    IMPORT_CONFIRM = "import_confirm", "确认导入"
    BULK_CHANGE = "bulk_change", "批量修改"
    UNDO = "undo", "撤销修改"
    PUBLISH = "publish", "发布期刊"
    CORRECT = "correct", "发布更正"
    YEAR_CLOSE = "year_close", "年终考核"
    YEAR_REOPEN = "year_reopen", "重新开放年度"
    DOWNLOAD = "download", "下载非公开数据"
    UNIT_CREATE = "unit_create", "新建责任单位"
    UNIT_CHANGE = "unit_change", "修改责任单位"
    UNIT_DELETE = "unit_delete", "删除责任单位"
    INDICATOR_CREATE = "indicator_create", "新增考核指标"
    INDICATOR_CHANGE = "indicator_change", "修改考核指标"
    INDICATOR_DELETE = "indicator_delete", "删除考核指标"
    UNIT_WITHDRAW = "unit_withdraw", "移出年度考核"
    NOTE_CREATE = "note_create", "新增说明"
    NOTE_CHANGE = "note_change", "修改说明"
    NOTE_DELETE = "note_delete", "删除说明"
    ACCESS_DENIED = "access_denied", "越权访问"


class AuditResult(models.TextChoices):
    OK = "ok", "成功"
    FAILED = "failed", "失败"
    DENIED = "denied", "拒绝"


class AppendOnly(Exception):
    """Raised on any attempt to change or delete an audit entry."""


APPEND_ONLY_MESSAGE = "审计记录只能追加，不能修改或删除。"


class AuditQuerySet(models.QuerySet):
    """Bulk `update()` and `delete()` are refused like a single row's."""

    def update(self, **kwargs):
        raise AppendOnly(APPEND_ONLY_MESSAGE)

    def delete(self):
        raise AppendOnly(APPEND_ONLY_MESSAGE)


class AuditEntry(models.Model):
    """One security-relevant event: when, who (and the account name as text, kept if the account goes),
    from which address, what, on which object, with which result. Written once; never updated or deleted
    (the model refuses, and on PostgreSQL a trigger, migration 0002, refuses at the database)."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # No database constraint and no cascade: deleting an account must neither fail on nor touch its entries.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField("账号", max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    action = models.CharField("操作", max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_text = models.CharField("对象", max_length=300, blank=True)
    result = models.CharField("结果", max_length=16, choices=AuditResult.choices, default=AuditResult.OK)
    detail = models.TextField("详情", blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or '系统'} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(APPEND_ONLY_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(APPEND_ONLY_MESSAGE)

    @property
    def actor_label(self):
        return self.actor_name or "系统"
