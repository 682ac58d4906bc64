"""The units (责任单位) as the office keeps them: create, change, enrol in a year (`enrolment.enrol`),
deactivate, delete.

Every change is checked by the model (`Unit.clean`, `SchemeUnit.clean`, `Unit.deletion_refusal`), refused
with a Chinese `DomainError`, written in one transaction and recorded in the audit log.
"""

from django.db import transaction
from django.db.models import Max
from django.db.models.deletion import ProtectedError, RestrictedError

from assessment.audit_actions import AuditAction
from assessment.models import Unit
from core.audit import audited
from core.errors import DomainError

from .changes import describe_changes
from .enrolment import enrol
from .guards import require_office, validate

FIELDS = ["name", "full_name", "category", "order", "is_active"]


def _facts(args, result):
    unit = args["unit"]
    if result is None:
        return {"obj": unit if unit.pk else ("责任单位", "", unit.name)}
    return {"obj": ("责任单位", result.pk, result.name), "detail": getattr(result, "audit_detail", "")}


def next_order(category):
    """The place after the category's last unit."""
    return (Unit.objects.filter(category=category).aggregate(n=Max("order"))["n"] or 0) + 1


@audited(AuditAction.UNIT_CREATE, _facts, refused=DomainError)
def create_unit(unit, user, *, enrol_year=None):
    """Save a new unit (an unsaved `Unit`); with `enrol_year`, it joins that year's scheme of its category."""
    require_office(user)
    with transaction.atomic():
        validate(unit)
        unit.save()
        detail = f"类别：{unit.category}；全称：{unit.full_name or '（空）'}；顺序：{unit.order}"
        if enrol_year:
            detail += "；" + enrol(unit, enrol_year, user)
        unit.audit_detail = detail
        return unit


@audited(AuditAction.UNIT_CHANGE, _facts, refused=DomainError)
def update_unit(unit, user, *, enrol_year=None):
    """Save the changed fields of `unit` (a category change is refused once it is in a scheme)."""
    require_office(user)
    with transaction.atomic():
        before = Unit.objects.select_for_update().select_related("category").filter(pk=unit.pk).first()
        if before is None:
            raise DomainError("该单位已被删除。")
        validate(unit)
        unit.save()
        lines = [describe_changes(before, unit, FIELDS)]
        if enrol_year:
            lines.append(enrol(unit, enrol_year, user))
        unit.audit_detail = "；".join(line for line in lines if line) or "未修改"
        return unit


@audited(AuditAction.UNIT_CHANGE, _facts, refused=DomainError)
def set_unit_active(unit, active, user):
    """An inactive unit keeps its tables and records; a new year no longer includes it."""
    require_office(user)
    with transaction.atomic():
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        if current.is_active == active:
            raise DomainError(f"“{current}”已经{'参加' if active else '停用'}了。")
        current.is_active = active
        current.save(update_fields=["is_active"])
        current.audit_detail = "启用：重新参加以后年度的考核" if active else "停用：以后的年度不再包括该单位"
        return current


def _removed_facts(args, result):
    unit = args["unit"]
    return {"obj": ("责任单位", result or unit.pk, unit.name), "detail": f"类别：{unit.category}"}


@audited(AuditAction.UNIT_DELETE, _removed_facts, refused=DomainError)
def remove_unit(unit, user):
    """Delete a unit that nothing refers to (a mistaken entry); refused, saying why, otherwise. Returns its id."""
    require_office(user)
    with transaction.atomic():
        current = Unit.objects.select_for_update().filter(pk=unit.pk).first()
        if current is None:
            raise DomainError("该单位已被删除。")
        refusal = current.deletion_refusal()
        if refusal:
            raise DomainError(refusal)
        pk = current.pk
        try:
            current.delete()
        except (ProtectedError, RestrictedError) as exc:  # a row written since the check
            raise DomainError(f"“{current}”刚被其他记录引用，不能删除。") from exc
        return pk
