"""Units' requests about items marked * (reported done, or a 情况说明); reminders are in `notify.reminders`.

A reporter submits; 市信用办 accepts (the mark changes through `services.set_mark`, history
saying 单位申请已通过) or returns it with a reason. Every refusal is a DomainError in Chinese.
"""

import os
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessment import access, cells, years
from assessment.derived import derived_message
from assessment.marks.services import HOW, set_mark
from assessment.models import Mark, MarkRequest, MarkState
from assessment.notify import notices
from core import stored_files
from core.errors import DomainError
from core.uploads import validate_upload

MAX_TEXT = 500


current_year = years.current_year  # the year units act on: the one current year (assessment.years)


def explained_state(indicator):
    """The column's own wording for an explained item (已说明情况 or 已说明), or None if it has none."""
    for state in (MarkState.EXPLAINED_FULL, MarkState.EXPLAINED):
        if state in indicator.allowed_states:
            return state
    return None


def target_state(kind, indicator):
    return MarkState.DONE if kind == MarkRequest.Kind.DONE else explained_state(indicator)


def check_can_request(mark, user, kind, year=None):
    """Raise DomainError unless `user` may file a request of `kind` about `mark` now."""
    if not access.can_request(user, mark):
        raise DomainError("只有本单位的填报账号可以提交申请。")
    if kind not in MarkRequest.Kind.values:
        raise DomainError("申请类型不正确。")
    year = year or current_year()
    if mark.indicator.scheme.year != year:
        raise DomainError(f"只能对当前年度（{year}年度）的项目提出申请。")
    years.require_open(year)  # a closed year takes no request (its page offers none)
    cell = cells.cells_of_marks([mark], {mark.indicator_id: mark.indicator})[mark.pk]
    if not cell.is_pending:
        raise DomainError(f"只有标记为“*”的项目可以申请；“{mark.indicator.title}”目前为“{cell.value}”。")
    if cell.derived and kind == MarkRequest.Kind.DONE:
        raise DomainError(f"{derived_message(mark.indicator)}报送的案例经市信用办采用后自动计入。")
    if target_state(kind, mark.indicator) not in mark.indicator.allowed_states:
        raise DomainError(f"“{mark.indicator.title}”一栏不接受情况说明。")


def submit_request(mark, user, kind, text, attachment=None):
    """File a request about a * item. A second submit while one is open is refused; no file is left behind."""
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写说明内容。")
    if len(text) > MAX_TEXT:
        raise DomainError(f"说明内容不能超过 {MAX_TEXT} 字。")
    if attachment is not None:
        try:
            validate_upload(attachment)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
    request = MarkRequest(mark_id=mark.pk, kind=kind, text=text, submitted_by=user)
    try:
        with stored_files.atomic() as files:  # the file goes with the row, or is removed again
            # Lock the cell: two submits at once are serialised, the second sees the first.
            locked = (
                Mark.objects.select_for_update(of=("self",)).select_related("unit", "indicator__scheme").get(pk=mark.pk)
            )
            check_can_request(locked, user, kind)
            if MarkRequest.objects.filter(mark=locked, status=MarkRequest.Status.SUBMITTED).exists():
                raise DomainError("该项目已有待审核的申请，请等待市信用办审核。")
            if attachment is not None:
                # Stored under a random name; the original name is kept for the download only.
                extension = os.path.splitext(attachment.name or "")[1].lower()
                request.attachment_name = os.path.basename(attachment.name or "")[:255]
                files.save(request.attachment, f"{uuid.uuid4().hex}{extension}", attachment)
            request.mark = locked
            request.save()
            _notify_arrival(request, user)
    except IntegrityError as exc:  # the one-open-request constraint, hit by a concurrent submit
        raise DomainError("该项目已有待审核的申请，请等待市信用办审核。") from exc
    return request


def _locked_open(request_pk):
    request = (
        MarkRequest.objects.select_for_update(of=("self",))
        .select_related("mark__unit", "mark__indicator__scheme")
        .get(pk=request_pk)
    )
    if request.status != MarkRequest.Status.SUBMITTED:
        raise DomainError(f"该申请已处理（{request.get_status_display()}），不能重复处理。")
    return request


def accept_request(request, user, expected_version=None):
    """Accept: the mark becomes √ (done) or the column's explained wording, through set_mark."""
    if not access.can_decide_requests(user):
        raise DomainError("只有市信用办可以审核申请。")
    with transaction.atomic():
        request = _locked_open(request.pk)
        mark = (
            Mark.objects.select_for_update(of=("self",))
            .select_related("indicator", "updated_by")
            .get(pk=request.mark_id)
        )
        target = target_state(request.kind, mark.indicator)
        if target is None or target not in mark.indicator.allowed_states:
            raise DomainError(f"“{mark.indicator.title}”一栏不接受情况说明，请退回该申请。")
        if mark.display != target:
            if mark.state != MarkState.PENDING:
                raise DomainError(f"该项目前为“{mark.display}”，已不是“*”，不能按申请修改；请退回申请并说明理由。")
            set_mark(mark, target, user, expected_version=expected_version, how=HOW.REQUEST)
        request.status = MarkRequest.Status.ACCEPTED
        request.decided_by, request.decided_at = user, timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        _notify_decision(request, user)
        return request


def return_request(request, user, reason):
    """Return a request to the unit with a reason; the mark stays as it is."""
    if not access.can_decide_requests(user):
        raise DomainError("只有市信用办可以审核申请。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("退回申请时请填写理由。")
    if len(reason) > MAX_TEXT:
        raise DomainError(f"退回理由不能超过 {MAX_TEXT} 字。")
    with transaction.atomic():
        request = _locked_open(request.pk)
        request.status = MarkRequest.Status.RETURNED
        request.reason = reason
        request.decided_by, request.decided_at = user, timezone.now()
        request.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        _notify_decision(request, user)
        return request


REVIEW_ACTIONS = {"accept": "通过", "return": "退回"}


def review_requests(requests, user, action, reason=""):
    """Accept or return several requests at once with one reason, all or none: each is decided exactly as a
    single decision (`accept_request`, `return_request`: the mark's history, who decided and when), in one
    transaction; the refusal names the request, and nothing of the others is kept."""
    if not access.can_decide_requests(user):
        raise DomainError("只有市信用办可以审核申请。")
    if action not in REVIEW_ACTIONS:
        raise DomainError("请选择要执行的操作。")
    requests = list(requests)
    if not requests:
        raise DomainError("请至少选择一项申请。")
    with transaction.atomic():
        done = []
        for request in requests:
            try:
                if action == "accept":
                    done.append(accept_request(request, user))
                else:
                    done.append(return_request(request, user, reason))
            except DomainError as exc:
                raise DomainError(f"{request.mark.unit} · {request.mark.indicator.title}：{exc}") from exc
        return done


# --- notices (assessment.notify.notices): written with the change, delivered by `send_queued`


def _what(request):
    return f"“{request.mark.indicator.title}”的{request.get_kind_display()}申请"


def _notify_arrival(request, user):
    unit = request.mark.unit
    notices.notify_office(
        notices.Notice(
            f"{unit.name}提交了{_what(request)}",
            (f"{unit.name}提交了{_what(request)}，请审核。", "", f"说明：{request.text}"),
            reverse("units:requests"),
        ),
        unit=unit,
        actor=user,
    )


def _notify_decision(request, user):
    """The submitter learns the outcome: accepted (the cell changed), or returned with the reason."""
    what = "已通过" if request.status == MarkRequest.Status.ACCEPTED else "被退回"
    lines = [f"您提交的{_what(request)}{what}。"]
    if request.reason:
        lines += ["", "退回理由：", request.reason, "", "可修改后重新提交申请。"]
    notices.notify_submitter(
        request.submitted_by,
        notices.Notice(
            f"您提交的申请{what}：{request.mark.indicator.title}",
            tuple(lines),
            reverse("units:detail", args=[request.mark.unit_id]),
        ),
        unit=request.mark.unit,
        actor=user,
    )
