"""A year's table and its units (参评单位): a unit joins, moves within the printed order, or leaves.

Joining is one function, `enrol`, used by the unit pages (a new or changed unit joining a year) and by the
scheme page. Leaving is refused while the unit's row holds anything entered (`SchemeUnit.withdrawal_refusal`,
the model's rule); its untouched cells go with it in the same transaction. Every change is audited.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from assessment.audit_actions import AuditAction
from assessment.marks.services import HOW, start_cells
from assessment.models import Mark, Scheme, SchemeUnit, Unit
from assessment.years import require_open
from core.audit import audited
from core.errors import DomainError, validation_text

from .guards import require_office


def enrol(unit, year, user):
    """Put the unit in `year`'s scheme of its category, after its last row, each cell at its first value.

    Called inside the caller's transaction; returns the audit line (“加入2019年 部门（12项完成情况）”)."""
    scheme = Scheme.objects.filter(year=year, category_id=unit.category_id).select_related("category").first()
    if scheme is None:
        raise DomainError(f"{year}年度没有“{unit.category}”的考核方案，不能加入。")
    require_open(year)
    order = (scheme.scheme_units.aggregate(n=Max("order"))["n"] or 0) + 1
    enrolled = SchemeUnit(scheme=scheme, unit=unit, order=order)
    try:
        enrolled.full_clean()
    except ValidationError as exc:
        raise DomainError(validation_text(exc)) from exc
    enrolled.save()
    indicators = list(scheme.indicators.order_by("order"))
    for indicator in indicators:
        start_cells(indicator, [unit.pk], user, HOW.NEW_UNIT)
    return f"加入{scheme}（{len(indicators)}项完成情况）"


def _unit_facts(args, result):
    unit = args.get("unit") or args["scheme_unit"].unit
    return {"obj": ("责任单位", unit.pk, unit.name), "detail": getattr(result, "audit_detail", "")}


@audited(AuditAction.UNIT_CHANGE, _unit_facts, refused=DomainError)
def join_scheme(scheme, unit, user):
    """The unit (of the scheme's category) joins the scheme as its last row. Returns its SchemeUnit."""
    require_office(user)
    with transaction.atomic():
        Scheme.objects.select_for_update().filter(pk=scheme.pk).first()  # one change of the table's rows at a time
        current = Unit.objects.select_related("category").filter(pk=unit.pk).first()
        if current is None:
            raise DomainError("该单位已被删除。")
        if current.category_id != scheme.category_id:
            raise DomainError(f"“{current}”属于{current.category}，不能加入{scheme}。")
        if SchemeUnit.objects.filter(scheme=scheme, unit=current).exists():
            raise DomainError(f"“{current}”已在{scheme}中。")
        detail = enrol(current, scheme.year, user)
        enrolled = SchemeUnit.objects.select_related("unit", "scheme__category").get(scheme=scheme, unit=current)
        enrolled.audit_detail = detail
        return enrolled


def _locked_rows(scheme_unit):
    """The scheme's rows in their printed order, locked, and the one asked for (None if it left meanwhile)."""
    Scheme.objects.select_for_update().filter(pk=scheme_unit.scheme_id).first()
    rows = list(
        SchemeUnit.objects.select_for_update()
        .select_related("unit", "scheme__category")
        .filter(scheme_id=scheme_unit.scheme_id)
        .order_by("order", "pk")
    )
    return rows, next((r for r in rows if r.pk == scheme_unit.pk), None)


def _renumber(rows):
    """Give the rows the places 1..n in their list order (SchemeUnit.order has no unique constraint)."""
    for place, row in enumerate(rows, start=1):
        if row.order != place:
            row.order = place
            row.save(update_fields=["order"])


@audited(AuditAction.UNIT_CHANGE, _unit_facts, refused=DomainError)
def move_scheme_unit(scheme_unit, step, user):
    """Swap the row with its neighbour in the printed order (step -1: up, +1: down); rows become 1..n."""
    require_office(user)
    if step not in (-1, 1):
        raise DomainError("只能上移或下移一位。")
    with transaction.atomic():
        rows, current = _locked_rows(scheme_unit)
        if current is None:
            raise DomainError("该单位已不在这一年度的考核表中。")
        require_open(current.scheme.year)
        position = rows.index(current)
        if not 0 <= position + step < len(rows):
            raise DomainError(f"“{current.unit}”已经是{'第一' if step < 0 else '最后一'}家。")
        other = rows[position + step]
        rows[position], rows[position + step] = other, current
        _renumber(rows)
        current.audit_detail = (
            f"{current.scheme}中的顺序：{position + 1} → {position + step + 1}（与“{other.unit}”交换）"
        )
        return current


def _withdrawn_facts(args, result):
    row = args["scheme_unit"]
    detail = getattr(result, "audit_detail", "") if result is not None else f"移出{row.scheme}"
    return {"obj": ("责任单位", row.unit_id, row.unit.name), "detail": detail}


@audited(AuditAction.UNIT_WITHDRAW, _withdrawn_facts, refused=DomainError)
def withdraw_unit(scheme_unit, user):
    """The unit leaves the scheme: refused while its row holds anything entered (the model says what);
    otherwise its cells (all at their first value) are deleted with the row, and the rows after move up."""
    require_office(user)
    with transaction.atomic():
        rows, current = _locked_rows(scheme_unit)
        if current is None:
            raise DomainError("该单位已不在这一年度的考核表中。")
        # Lock the row's cells too, so none is entered between the check and the deletion.
        marks = list(
            Mark.objects.select_for_update().filter(unit_id=current.unit_id, indicator__scheme_id=current.scheme_id)
        )
        refusal = current.withdrawal_refusal()
        if refusal:
            raise DomainError(refusal)
        for mark in marks:
            mark.delete()  # one by one: each leaves its history entry
        current.delete()
        rows.remove(current)
        _renumber(rows)
        current.audit_detail = f"移出{current.scheme}，删除未填写的完成情况{len(marks)}项，其后各单位前移一位"
        return current
