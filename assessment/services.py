"""Workflows that change marks: one place for validation, concurrency and history."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Mark


class HOW:
    """How a mark was changed; stored as the history entry's reason."""

    GRID = "表格录入"
    BULK = "批量设置"
    IMPORT = "Excel导入"
    ADMIN = "后台修改"
    REQUEST = "单位申请已通过"
    DEMO = "演示数据"
    NEW_YEAR = "新年度"


class DomainError(Exception):
    """A refusal with a message in Chinese for the user."""


class StaleMark(DomainError):
    """Someone else saved the cell after the user loaded it."""

    def __init__(self, mark):
        self.mark = mark
        who = mark.updated_by.get_full_name() or mark.updated_by.username if mark.updated_by else "其他人"
        super().__init__(f"该单元格已被{who}修改为“{mark.display}”，您的修改未保存。请确认后重试。")


def set_mark(mark, text, user, *, expected_version=None, how=HOW.GRID):
    """Set one cell from its text ("√", "*", "4"…). Refuses stale versions and values outside the column.

    Returns the saved mark; unchanged values are not saved again (no version bump, no history).
    """
    with transaction.atomic():
        current = Mark.objects.select_for_update().select_related("indicator", "updated_by").get(pk=mark.pk)
        if expected_version is not None and current.version != int(expected_version):
            raise StaleMark(current)
        try:
            state, count = current.indicator.parse(text)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        if (current.state, current.count) == (state, count):
            return current
        current.state, current.count = state, count
        current.version += 1
        current.updated_by = user
        current._change_reason = how
        current._history_user = user
        try:
            current.save()
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        return current
