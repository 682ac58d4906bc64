"""Workflows that change marks: one place for validation, concurrency and history."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ChangeBatch, Deduction, Mark, MarkState, YearEndAssessment
from .scoring import Status, freeze, live_scores, year_schemes


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
        current = Mark.objects.select_for_update().select_related("indicator", "updated_by").get(pk=mark.pk)
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


# --- scoring: deduction records and the year-end assessment (see assessment.scoring)


def record_deduction(*, unit, indicator, date, reason, user, count=None, amount=None, confirm=False):
    """Record missed occurrences (count) or a serious event (amount ≤ the column's cap) for a unit.

    Only confirmed records count in scores and in the 扣分情况 column; `confirm` confirms at once.
    """
    with transaction.atomic():
        reason = (reason or "").strip()
        if not reason:
            raise DomainError("请填写扣分事由。")
        mark = Mark.objects.filter(unit=unit, indicator=indicator).only("state").first()
        if mark is not None and mark.state in (MarkState.NOT_ASSESSED, MarkState.EXPLAINED, MarkState.EXPLAINED_FULL):
            raise DomainError(f"“{unit}”的“{indicator.title}”为“{mark.state}”，不作为扣分项，不能记录扣分。")
        deduction = Deduction(
            unit=unit, indicator=indicator, date=date, count=count, amount=amount, reason=reason, entered_by=user
        )
        if confirm:
            deduction.confirmed_at, deduction.confirmed_by = timezone.now(), user
        try:
            deduction.full_clean()
        except ValidationError as exc:
            raise DomainError(_messages(exc)) from exc
        deduction.save()
        return deduction


def confirm_deduction(deduction, user):
    """Confirm a record: from now on it counts in scores and shows in the 扣分情况 column."""
    with transaction.atomic():
        current = Deduction.objects.select_for_update().get(pk=deduction.pk)
        if current.confirmed:
            raise DomainError("这条扣分记录已经确认过了。")
        current.confirmed_at, current.confirmed_by = timezone.now(), user
        current.save(update_fields=["confirmed_at", "confirmed_by"])
        return current


def delete_deduction(deduction, user):
    """Remove a record entered in error (the page asks for confirmation first)."""
    with transaction.atomic():
        deleted, _ = Deduction.objects.filter(pk=deduction.pk).delete()
        if not deleted:
            raise DomainError("这条扣分记录已被删除。")


def close_year(year, user, *, reason="", case_shortfall=None):
    """The year-end assessment: every remaining “*” without an accepted explanation becomes a deduction,
    and the result is frozen as the next version. A re-close needs a reason and a changed result.

    `case_shortfall`: the 奖惩案例 missing cases per quarter (see scoring.live_scores).
    """
    with transaction.atomic():
        schemes = list(year_schemes(year))
        if not schemes:
            raise DomainError(f"{year}年没有考核方案。")
        previous = YearEndAssessment.objects.select_for_update().filter(year=year).order_by("-version").first()
        waiting = Deduction.objects.filter(indicator__scheme__year=year, confirmed_at__isnull=True).count()
        if waiting:
            raise DomainError(f"还有{waiting}条扣分记录未确认，请先确认或删除后再进行年终考核。")
        categories = live_scores(schemes, case_shortfall=case_shortfall)
        missing = [(u, line) for c in categories for u in c.units for line in u.lines if line.status == Status.MISSING]
        if missing:
            unit, line = missing[0]
            raise DomainError(
                f"还有{len(missing)}项完成情况未填写（如{unit.unit_name}的“{line.title}”），请填写后再进行年终考核。"
            )
        results = freeze(categories)
        reason = (reason or "").strip()
        if previous is not None:
            if not reason:
                raise DomainError(f"{year}年已进行过年终考核（第{previous.version}版），重新考核须填写更正原因。")
            if previous.results == results:
                raise DomainError(f"结果与第{previous.version}版相同，无需重新考核。")
        try:
            with transaction.atomic():
                return YearEndAssessment.objects.create(
                    year=year,
                    version=previous.version + 1 if previous else 1,
                    closed_by=user,
                    reason=reason,
                    results=results,
                )
        except IntegrityError as exc:
            raise DomainError("其他同事刚刚完成了年终考核，请刷新页面后查看。") from exc
