"""A reporter's unit is its role: the audit log records each account given, moved or taken from a unit."""

from django.db.models.signals import post_delete, post_save, pre_save

from core.audit import record
from core.audit.actions import AuditAction


def _reporter_before(sender, instance, raw=False, **kwargs):
    if raw:
        return
    instance._audit_unit_id = sender.objects.filter(pk=instance.pk).values_list("unit_id", flat=True).first()


def _reporter_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created or getattr(instance, "_audit_unit_id", None) != instance.unit_id:
        record(AuditAction.ROLE_CHANGE, obj=instance.user, detail=f"填报单位设为“{instance.unit}”")


def _reporter_deleted(sender, instance, **kwargs):
    record(AuditAction.ROLE_CHANGE, obj=instance.user, detail=f"不再为“{instance.unit}”填报")


def connect():
    from assessment.models import Reporter

    pre_save.connect(_reporter_before, sender=Reporter, dispatch_uid="audit_reporter_before")
    post_save.connect(_reporter_saved, sender=Reporter, dispatch_uid="audit_reporter_saved")
    post_delete.connect(_reporter_deleted, sender=Reporter, dispatch_uid="audit_reporter_deleted")
