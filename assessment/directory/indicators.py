"""A year's indicators (考核指标) as the office keeps them: add, change, move, remove.

The rules are the model's (`Indicator.clean`: points and rules, allowed values that still hold every
entered mark, a closed year locked; `Indicator.deletion_refusal`), the same the scheme import and the
admin apply. A new column starts a cell for every unit in the scheme (`marks.services.start_cells`).
"""

from django.db import transaction
from django.db.models import Max
from django.db.models.deletion import ProtectedError, RestrictedError

from assessment.audit_actions import AuditAction
from assessment.marks.services import HOW, start_cells
from assessment.models import Indicator
from assessment.scheme_fields import INDICATOR
from assessment.years import require_open
from core.audit import audited
from core.errors import DomainError

from .changes import describe_changes
from .guards import require_office, validate

# What the office edits: the declared fields of an indicator (assessment.scheme_fields) but its place in the
# table, which is changed by moving the column.
FIELDS = [name for name in INDICATOR.fields if name != "order"]


def _name(indicator):
    return f"{indicator.scheme} 第{indicator.order}项 {indicator.title}"


def _facts(args, result):
    indicator = result or args["indicator"]
    obj = ("考核指标", indicator.pk or "", _name(indicator)) if indicator.scheme_id else None
    return {"obj": obj, "detail": getattr(result, "audit_detail", "")}


@audited(AuditAction.INDICATOR_CREATE, _facts, refused=DomainError)
def create_indicator(indicator, user):
    """Add an unsaved `indicator` (its scheme set) as the table's last column, with a cell for every unit."""
    require_office(user)
    with transaction.atomic():
        scheme = indicator.scheme
        require_open(scheme.year)
        indicator.order = (scheme.indicators.aggregate(n=Max("order"))["n"] or 0) + 1
        validate(indicator)
        indicator.save()
        marks = start_cells(indicator, scheme.scheme_units.values_list("unit_id", flat=True), user, HOW.NEW_INDICATOR)
        states = "、".join(indicator.allowed_states)
        indicator.audit_detail = f"分值：{indicator.points_label}；可填内容：{states}；建立完成情况{len(marks)}项"
        return indicator


@audited(AuditAction.INDICATOR_CHANGE, _facts, refused=DomainError)
def update_indicator(indicator, user):
    """Save the changed fields of `indicator` (its allowed values must still hold every entered mark)."""
    require_office(user)
    with transaction.atomic():
        before = (
            Indicator.objects.select_for_update(of=("self",)).select_related("rule_group__note").filter(pk=indicator.pk)
        )
        before = before.first()
        if before is None:
            raise DomainError("该指标已被删除。")
        indicator.follow_points(before)
        validate(indicator)
        indicator.save()
        indicator.audit_detail = describe_changes(before, indicator, FIELDS) or "未修改"
        return indicator


@audited(AuditAction.INDICATOR_CHANGE, _facts, refused=DomainError)
def move_indicator(indicator, step, user):
    """Swap the column with its neighbour (step -1: to the left, +1: to the right) in the printed table."""
    require_office(user)
    if step not in (-1, 1):
        raise DomainError("只能左移或右移一位。")
    with transaction.atomic():
        columns = list(
            Indicator.objects.select_for_update().filter(scheme_id=indicator.scheme_id).order_by("order", "pk")
        )
        current = next((i for i in columns if i.pk == indicator.pk), None)
        if current is None:
            raise DomainError("该指标已被删除。")
        require_open(current.scheme.year)
        position = columns.index(current)
        if not 0 <= position + step < len(columns):
            raise DomainError(f"“{current.title}”已经是{'第一' if step < 0 else '最后一'}项。")
        other = columns[position + step]
        old, new = current.order, other.order
        # The order is unique in a table: park one column outside the range while they swap.
        current.order = columns[-1].order + 1
        current.save(update_fields=["order"])
        other.order = old
        other.save(update_fields=["order"])
        current.order = new
        current.save(update_fields=["order"])
        current.audit_detail = f"顺序：{old} → {new}（与“{other.title}”交换）"
        return current


@audited(AuditAction.INDICATOR_DELETE, _facts, refused=DomainError)
def remove_indicator(indicator, user):
    """Remove a column nothing has been entered in yet (see `Indicator.deletion_refusal`); the columns after
    it move up one place. Returns the removed indicator (unsaved)."""
    require_office(user)
    with transaction.atomic():
        current = Indicator.objects.select_for_update().select_related("scheme__category").filter(pk=indicator.pk)
        current = current.first()
        if current is None:
            raise DomainError("该指标已被删除。")
        refusal = current.deletion_refusal()
        if refusal:
            raise DomainError(refusal)
        pk, scheme = current.pk, current.scheme
        try:
            current.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise DomainError(f"“{current.title}”刚被其他记录引用，不能删除。") from exc
        for later in scheme.indicators.filter(order__gt=current.order).order_by("order"):
            later.order -= 1
            later.save(update_fields=["order"])
        current.pk = pk
        current.audit_detail = f"删除第{current.order}项，其后各项前移一位"
        return current
