"""The audit entry: one security-relevant event, written once and never changed."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from . import chain
from .actions import AuditAction


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

    def bulk_create(self, objs, *args, **kwargs):
        """Each entry is chained in turn (`AuditEntry.save`), in one transaction."""
        objs = list(objs)
        with transaction.atomic():
            for obj in objs:
                obj.save()
        return objs

    def delete(self):
        raise AppendOnly(APPEND_ONLY_MESSAGE)


class AuditEntry(models.Model):
    """One security-relevant event: when, who (and the account name as text, kept if the account goes),
    from which address, what, on which object, with which result. Written once; never updated or deleted
    (the model refuses, and on PostgreSQL a trigger, migration 0002, refuses at the database), and chained
    to the entry before it (`chain`), so that a change made around both shows."""

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
    action = models.CharField("操作", max_length=32, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_text = models.CharField("对象", max_length=300, blank=True)
    result = models.CharField("结果", max_length=16, choices=AuditResult.choices, default=AuditResult.OK)
    detail = models.TextField("详情", blank=True)
    # The hash chain (core/audit/chain.py): the place in the chain, the previous entry's hash and this one's.
    seq = models.PositiveBigIntegerField("链序号", editable=False)
    prev_hash = models.CharField("前一条校验值", max_length=64, editable=False)
    hash = models.CharField("校验值", max_length=64, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-pk"]
        # The audit page reads newest first (all, or one action's): an index scan to its page.
        indexes = [
            models.Index(F("at").desc(), F("id").desc(), name="audit_at_order"),
            models.Index("action", F("at").desc(), F("id").desc(), name="audit_action_at"),
        ]
        default_permissions = ("view",)
        constraints = [models.UniqueConstraint(fields=["seq"], name="audit_entry_seq_unique")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or '系统'} {self.action_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(APPEND_ONLY_MESSAGE)
        chain.append(self, lambda: super(AuditEntry, self).save(*args, **kwargs))

    def delete(self, *args, **kwargs):
        raise AppendOnly(APPEND_ONLY_MESSAGE)

    @property
    def action_label(self):
        """The action in words (`core.audit.actions`: a registry in code, not the column's choices)."""
        return AuditAction.label(self.action)

    @property
    def actor_label(self):
        return self.actor_name or "系统"


class AuditChainHead(models.Model):
    """The audit chain's head, one row: the place and hash of the last entry, written with it (`chain.append`).
    It is what shows a truncated log or deleted last entries. On PostgreSQL a trigger (migration 0003) lets it
    only move forward and never be deleted; it appears with the first entry (a fresh database has none, so a
    backup restores into it)."""

    seq = models.PositiveBigIntegerField("最后一条的链序号")
    hash = models.CharField("最后一条的校验值", max_length=64)
    at = models.DateTimeField("最后一条的时间")

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"
        ordering = ["pk"]
        default_permissions = ()

    def __str__(self):
        return f"审计链头：第 {self.seq} 条"
