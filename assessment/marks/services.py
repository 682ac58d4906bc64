"""Workflows that change marks: one place for validation, concurrency and history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework import serializers
from simple_history.utils import bulk_create_with_history

from assessment import access, scheme_fields, stored_tallies
from assessment.audit_actions import AuditAction
from assessment.models import (
    ChangeBatch,
    DueOverride,
    Mark,
    Scheme,
    check_year_open,
)
from core.audit import audited
from core.errors import Conflict, DomainError, validation_text
from core.people import api_name, display_name


class HOW:
    """How a mark was changed; stored as the history entry's reason."""

    GRID = "表格录入"
    BULK = "批量设置"
    IMPORT = "Excel导入"
    ADMIN = "后台修改"
    REQUEST = "单位申请已通过"
    UNDO = "撤销"
    DEMO = "演示数据"
    NEW_YEAR = "新年度"
    API = "接口写入"
    NEW_UNIT = "新增参评单位"
    NEW_INDICATOR = "新增指标"


# What the audit log says about each audited service call (args: the call's arguments by name).
def _bulk_facts(args, batch):
    if args["how"] == HOW.IMPORT or batch is None:
        return None  # an import is recorded as its confirmation; a call that changed nothing, not at all
    return {"obj": batch, "detail": f"{batch.how}，{batch.entries.count()} 处：{batch.description}"}


def _undo_facts(args, undo):
    batch = args["batch"]
    return {"obj": batch, "detail": f"撤销 {batch.how} {batch.description}"}


def year_facts(args, result):
    return {"obj": ("考核年度", args["year"], f"{args['year']}年"), "detail": args.get("reason") or ""}


class StaleMark(Conflict):
    """Someone else saved the cell after the user loaded it."""

    def __init__(self, mark):
        self.mark = mark
        super().__init__(
            f"该单元格已被{display_name(mark.updated_by)}修改为“{mark.display}”，您的修改未保存。请确认后重试。"
        )

    def current(self):
        """The cell as it is now, as the API shows it."""
        mark = self.mark
        return {
            "id": mark.pk,
            "value": mark.display,
            "version": mark.version,
            "updated_by": api_name(mark.updated_by),
            "updated_at": serializers.DateTimeField().to_representation(mark.updated_at),
        }


def _apply(current, state, count, user, how, batch):
    current.state, current.count = state, count
    current.version += 1
    current.updated_by = user
    current._change_reason = how
    current._history_user = user
    current._history_batch = batch
    try:
        current.save()
    except ValidationError as exc:
        raise DomainError(validation_text(exc)) from exc
    return current


def set_mark(mark, text, user, *, expected_version=None, how=HOW.GRID, batch=None):
    """Set one cell from its text ("√", "*", "4"…). Refuses stale versions and values outside the column.

    Returns the saved mark; an unchanged value is not saved again (no version bump, no history).
    """
    with transaction.atomic():
        # of=self: PostgreSQL cannot lock the nullable side of the outer join to updated_by.
        current = Mark.objects.select_for_update(of=("self",)).select_related("indicator", "updated_by").get(pk=mark.pk)
        if expected_version is not None and current.version != int(expected_version):
            raise StaleMark(current)
        try:
            state, count = current.indicator.parse(text)
        except ValidationError as exc:
            raise DomainError(validation_text(exc)) from exc
        if (current.state, current.count) == (state, count):
            return current
        return _apply(current, state, count, user, how, batch)


@audited(AuditAction.BULK_CHANGE, _bulk_facts, refused=DomainError)
def bulk_set_marks(changes, user, *, how=HOW.BULK, description=""):
    """Apply [(mark, text, expected_version or None), …] all or nothing, as one undoable batch.

    The same rules as `set_mark` (stale versions, the column's vocabulary, derived columns, the
    year lock, enrolment), checked in one pass over rows locked in one query; the changed cells are
    written and their history recorded in a number of queries that does not grow with the cells
    (see `marks_bulk`). Returns the batch, or None when nothing changed. Raises DomainError naming
    the first refused cell.
    """
    from assessment.marks import bulk as marks_bulk

    with transaction.atomic():
        batch = ChangeBatch.objects.create(how=how, description=description[:300], created_by=user)
        changed = marks_bulk.apply(list(changes), user, how=how, batch=batch)
        if not changed:
            transaction.set_rollback(True)
            return None
        return batch


@audited(AuditAction.UNDO, _undo_facts, refused=DomainError)
def undo_batch(batch, user):
    """Put every cell of `batch` back to its value before the batch, as a new batch.

    Refused when a cell has changed again since, so a later edit is never silently lost.
    """
    with transaction.atomic():
        batch = ChangeBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.undone_at:
            raise DomainError("这批修改已经撤销过了。")
        entries = list(batch.entries.select_related("history_user").order_by("history_id"))
        undo = ChangeBatch.objects.create(
            how=HOW.UNDO, description=f"撤销：{batch.how} {batch.description}"[:300], created_by=user, undo_of=batch
        )
        for entry in entries:
            current = Mark.objects.select_for_update().select_related("unit", "indicator").get(pk=entry.id)
            if current.version != entry.version:
                raise DomainError(f"{current.unit} · {current.indicator.title} 在这批修改之后又被改过，不能撤销。")
            previous = entry.prev_record
            _apply(current, previous.state, previous.count, user, HOW.UNDO, undo)
        batch.undone_at, batch.undone_by = timezone.now(), user
        batch.save(update_fields=["undone_at", "undone_by"])
        return undo


def start_cells(indicator, unit_ids, user, how):
    """The cells of a new column (or of a unit new in a scheme): each starts at `Indicator.initial_value`,
    saved one by one through `Mark.save` (validated, with a history entry saying `how`). Returns the marks."""
    state, count = indicator.initial_value()
    marks = []
    for unit_id in unit_ids:
        mark = Mark(unit_id=unit_id, indicator=indicator, state=state, count=count, updated_by=user)
        mark._change_reason = how
        mark._history_user = user
        try:
            mark.save()
        except ValidationError as exc:
            raise DomainError(validation_text(exc)) from exc
        marks.append(mark)
    return marks


def start_new_year(year, user):
    """Start year+1 from `year`: copy every part of its schemes (`assessment.scheme_fields`: indicators, notes,
    rule groups, active units, changed due dates, registered parts such as the case duty); every cell * (or 无).

    Due dates move to the same day of the next year (29 February to 28 February), the office's changed
    dates of one unit × indicator too.

    Year `year` is left as it was. Refused when `year` has no schemes or year+1 already has some.
    Returns the new schemes.
    """
    new_year = year + 1
    with transaction.atomic():
        schemes = list(
            Scheme.objects.filter(year=year)
            .select_related("category")
            .prefetch_related("indicators", "notes__indicators", "rule_groups", "scheme_units__unit")
            .order_by("category__order", "pk")
        )
        if not schemes:
            raise DomainError(f"{year}年还没有考核方案，无法据此开始{new_year}年度。")
        # Lock against a second, simultaneous start of the same year.
        list(Scheme.objects.select_for_update().filter(year=year))
        if Scheme.objects.filter(year=new_year).exists():
            raise DomainError(f"{new_year}年度已有考核方案，不能再次开始。请直接在{new_year}年度中修改。")
        created = []
        marks = []
        for old in schemes:
            # Every part of the scheme as assessment.scheme_fields declares it, dates a year on.
            scheme = scheme_fields.copy_scheme(old, new_year, extra={DueOverride: {"set_by": user}})
            enrolled = list(scheme.scheme_units.select_related("unit").order_by("order", "pk"))
            for ind in scheme.indicators.order_by("order"):
                state, count = ind.initial_value()
                ind.check_value(state or None, count)  # bulk_create skips Mark.save()'s full_clean
                marks.extend(
                    Mark(unit=su.unit, indicator=ind, state=state, count=count, updated_by=user) for su in enrolled
                )
            created.append(scheme)
        bulk_create_with_history(marks, Mark, default_user=user, default_change_reason=HOW.NEW_YEAR)
        stored_tallies.invalidate(s.pk for s in created)  # bulk_create sends no signal: counted on first read
        return created


def set_due_override(mark, date, reason, user):
    """Give one unit × indicator (the cell `mark`) another due date, with a reason; returns the DueOverride."""
    if not access.can_manage(user):
        raise DomainError("只有市信用办可以调整截止日期。")
    override = DueOverride.objects.filter(unit_id=mark.unit_id, indicator_id=mark.indicator_id).first() or DueOverride(
        unit_id=mark.unit_id, indicator=mark.indicator
    )
    override.date, override.reason, override.set_by = date, (reason or "").strip(), user
    try:
        check_year_open(mark.indicator.scheme.year)
        override.full_clean(validate_constraints=False, validate_unique=False)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    override.save()
    return override


def clear_due_override(mark, user):
    """Back to the indicator's rule for this unit × indicator. Returns whether there was a changed date."""
    if not access.can_manage(user):
        raise DomainError("只有市信用办可以调整截止日期。")
    try:
        check_year_open(mark.indicator.scheme.year)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    deleted, _ = DueOverride.objects.filter(unit_id=mark.unit_id, indicator_id=mark.indicator_id).delete()
    return bool(deleted)
