"""Workflows that change what scores stand on: recorded deductions, closing and reopening a year."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessment.audit_actions import AuditAction
from assessment.marks.services import year_facts
from assessment.models import Deduction, Mark, MarkState, YearEndAssessment
from assessment.scoring.lines import Status
from assessment.scoring.live import freeze, live_scores, year_end, year_schemes
from assessment.years import require_open
from core.audit import audited
from core.errors import DomainError, validation_text


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
            raise DomainError(validation_text(exc)) from exc
        deduction.save()
        return deduction


def confirm_deduction(deduction, user):
    """Confirm a record: from now on it counts in scores and shows in the 扣分情况 column."""
    with transaction.atomic():
        current = Deduction.objects.select_for_update().select_related("indicator__scheme").get(pk=deduction.pk)
        require_open(current.indicator.scheme.year)
        if current.confirmed:
            raise DomainError("这条扣分记录已经确认过了。")
        current.confirmed_at, current.confirmed_by = timezone.now(), user
        current.save(update_fields=["confirmed_at", "confirmed_by"])
        return current


def delete_deduction(deduction, user):
    """Remove a record entered in error (the page asks for confirmation first)."""
    with transaction.atomic():
        require_open(deduction.indicator.scheme.year)
        deleted, _ = Deduction.objects.filter(pk=deduction.pk).delete()
        if not deleted:
            raise DomainError("这条扣分记录已被删除。")


@audited(AuditAction.YEAR_CLOSE, year_facts, refused=DomainError)
def close_year(year, user, *, reason=""):
    """The year-end assessment: every remaining “*” without an accepted explanation becomes a deduction,
    and the result is frozen as the next version; the year is then locked (see `reopen_year`).

    Scored as of the year's end (every quarter due, scoring.year_end). A re-close, after staff reopened
    the year, needs a reason and a changed result.
    """
    with transaction.atomic():
        schemes = list(year_schemes(year))
        if not schemes:
            raise DomainError(f"{year}年没有考核方案。")
        previous = YearEndAssessment.objects.select_for_update().filter(year=year).order_by("-version").first()
        if previous is not None and previous.locks_year:
            raise DomainError(
                f"{year}年已完成年终考核（第{previous.version}版），考核数据已锁定。如需更正，请先重新开放该年度。"
            )
        waiting = Deduction.objects.filter(indicator__scheme__year=year, confirmed_at__isnull=True).count()
        if waiting:
            raise DomainError(f"还有{waiting}条扣分记录未确认，请先确认或删除后再进行年终考核。")
        categories = live_scores(schemes, as_of=year_end(year))
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


@audited(AuditAction.YEAR_REOPEN, year_facts, refused=DomainError)
def reopen_year(year, user, *, reason):
    """Unlock a closed year for a correction: the reason is recorded on the version it reopens.

    Its marks and deduction records can change again until the year is closed once more (the next version).
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("重新开放年度须填写原因。")
    with transaction.atomic():
        latest = YearEndAssessment.objects.select_for_update().filter(year=year).order_by("-version").first()
        if latest is None:
            raise DomainError(f"{year}年尚未进行年终考核，无需重新开放。")
        if not latest.locks_year:
            raise DomainError(f"{year}年已经重新开放（{latest.reopen_reason}），请完成更正后再次进行年终考核。")
        latest.reopened_at, latest.reopened_by, latest.reopen_reason = timezone.now(), user, reason
        latest.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
        return latest
