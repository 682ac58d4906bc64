"""Workflows that change marks: one place for validation, concurrency and history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ChangeBatch, Mark


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


class DomainError(Exception):
    """A refusal with a message in Chinese for the user."""


class StaleMark(DomainError):
    """Someone else saved the cell after the user loaded it."""

    def __init__(self, mark):
        self.mark = mark
        who = (mark.updated_by.get_full_name() or mark.updated_by.username) if mark.updated_by else "其他人"
        super().__init__(f"该单元格已被{who}修改为“{mark.display}”，您的修改未保存。请确认后重试。")


def _messages(exc):
    return " ".join(exc.messages)


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
        raise DomainError(_messages(exc)) from exc
    return current


def set_mark(mark, text, user, *, expected_version=None, how=HOW.GRID, batch=None):
    """Set one cell from its text ("√", "*", "4"…). Refuses stale versions and values outside the column.

    Returns the saved mark; an unchanged value is not saved again (no version bump, no history).
    """
    with transaction.atomic():
        # of=self: PostgreSQL refuses FOR UPDATE across the nullable updated_by join.
        current = Mark.objects.select_for_update(of=("self",)).select_related("indicator", "updated_by").get(pk=mark.pk)
        if expected_version is not None and current.version != int(expected_version):
            raise StaleMark(current)
        try:
            state, count = current.indicator.parse(text)
        except ValidationError as exc:
            raise DomainError(_messages(exc)) from exc
        if (current.state, current.count) == (state, count):
            return current
        return _apply(current, state, count, user, how, batch)


def bulk_set_marks(changes, user, *, how=HOW.BULK, description=""):
    """Apply [(mark, text, expected_version or None), …] all or nothing, as one undoable batch.

    Returns the batch, or None when nothing changed. Raises DomainError naming the first refused cell.
    """
    with transaction.atomic():
        batch = ChangeBatch.objects.create(how=how, description=description[:300], created_by=user)
        changed = 0
        for mark, text, version in changes:
            try:
                before = (mark.state, mark.count, mark.version)
                saved = set_mark(mark, text, user, expected_version=version, how=how, batch=batch)
            except DomainError as exc:
                raise DomainError(f"{mark.unit} · {mark.indicator.title}：{exc}") from exc
            changed += (saved.state, saved.count, saved.version) != before
        if not changed:
            transaction.set_rollback(True)
            return None
        return batch


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
