"""Case workflows: writing a case with its attachments, and every review step.

Each function runs in one transaction and raises `DomainError` (message in Chinese) when
it refuses; nothing is written then, and no uploaded file is left on disk (cases.attachments). Notices (to
the office when a case arrives, to the submitter when it is decided) are written with the change and go
out through `manage.py send_queued` (cases.case_notices). Cases reported outside the portal are
cases.count_records.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessment import access
from assessment.years import require_open
from core import stored_files
from core.errors import DomainError, validation_text
from core.text import contains_script, plain_line, plain_paragraphs

from . import attachments, case_notices
from .models import (
    PENDING_STATUSES,
    Case,
    CaseChannel,
    CaseKind,
    CaseStatus,
    CaseTransition,
    quarter_of,
)

# Fields a case form may set; status and the review fields change only through transitions.
CASE_FIELDS = (
    "kind",
    "title",
    "subtitle",
    "body",
    "subject",
    "measure",
    "event_date",
    "quarter",
    "source_unit",
    "source_label",
    "channel",
)
STAFF_ONLY_FIELDS = ("source_unit", "source_label", "channel")


def _status_label(status):
    return CaseStatus(status).label


# --- who may do what (asked of assessment.access; the status rules are the model's)


def _check_can_write(case, user):
    """Staff may act on any case, a reporter on its own unit's; each step then checks the status."""
    if not access.can_act_on_case(user, case):
        raise DomainError(access.READ_ONLY if access.is_read_only(user) else "只能处理本单位的案例。")


def check_reviewer(user):
    if not access.can_review_cases(user):
        raise DomainError("只有市信用办可以审核案例。")


# --- writing a case


def _apply_fields(case, data):
    for name in CASE_FIELDS:
        if name in data:
            setattr(case, name, data[name])
    for name in ("title", "subtitle", "subject", "source_label"):
        if contains_script(getattr(case, name)):
            raise DomainError("内容中含有脚本或网页代码，请删除后重新提交。")
        setattr(case, name, plain_line(getattr(case, name)))
    case.title = strip_kind_prefix(case.title)
    for name in ("body", "measure"):
        if contains_script(getattr(case, name)):
            raise DomainError("正文中含有脚本或网页代码，请删除后重新提交。")
        setattr(case, name, plain_paragraphs(getattr(case, name)))
    if case.event_date:
        case.year = case.event_date.year
        if not case.quarter:
            case.quarter = quarter_of(case.event_date)
    if case.source_unit_id and not case.source_label:
        case.source_label = case.source_unit.full_name or case.source_unit.name


# A title typed as printed ("守信激励·…"): the kind is printed before it already (Case.printed_title).
KIND_PREFIX = re.compile(rf"^\s*(?:{'|'.join(map(re.escape, CaseKind.labels))})\s*[·・•．.:：、\-—\s]\s*")


def strip_kind_prefix(title):
    """The title without a typed kind prefix, so it prints once: 守信激励·企业… → 企业…."""
    return KIND_PREFIX.sub("", title or "", count=1)


def _validate(case):
    try:
        case.full_clean(exclude=["form_token"])
    except ValidationError as exc:
        raise DomainError(validation_text(exc)) from exc


def _log(case, user, from_status, to_status, reason=""):
    return CaseTransition.objects.create(
        case=case, from_status=from_status, to_status=to_status, by=user, at=timezone.now(), reason=reason
    )


def create_case(user, data, *, uploads=(), form_token=None, submit=False):
    """A new case from a form's cleaned data, saved as a draft (or submitted at once).

    A reporter's case is always its own unit's, sent through the portal; staff record
    cases for any unit or for a source that is not an assessed unit (市“331”专班).
    """
    if not access.can_write_cases(user):
        raise DomainError("领导账号只能查看，不能填写案例。" if access.is_read_only(user) else "没有填写案例的权限。")
    data = dict(data)
    if not access.can_set_case_source(user):
        for name in STAFF_ONLY_FIELDS:
            data.pop(name, None)
        data["source_unit"] = user.reporter.unit
        data["channel"] = CaseChannel.PORTAL
    uploads = list(uploads)
    labels = attachments.check_uploads(uploads)
    with stored_files.atomic() as files:
        if form_token and Case.objects.filter(form_token=form_token).exists():
            raise DomainError("该表单已经提交过了，请勿重复提交。")
        case = Case(status=CaseStatus.DRAFT, created_by=user, form_token=form_token or None)
        _apply_fields(case, data)
        _validate(case)
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError as exc:
            # Two copies of the same form sent at the same moment: the token is unique.
            raise DomainError("该表单已经提交过了，请勿重复提交。") from exc
        _log(case, user, "", CaseStatus.DRAFT)
        attachments.store_uploads(case, uploads, labels, user, files)
        if submit:
            case = submit_case(case, user)
        return case


def update_case(case, user, data, *, uploads=(), remove=(), submit=False):
    """Change a case's text, add and remove attachments; optionally (re)submit it in the same step."""
    uploads = list(uploads)
    with stored_files.atomic() as files:
        current = Case.objects.select_for_update(of=("self",)).select_related("source_unit").get(pk=case.pk)
        _check_can_write(current, user)
        if not access.can_edit_case(user, current):
            raise DomainError(current.unit_edit_refusal)
        if not access.can_set_case_source(user):
            data = {k: v for k, v in data.items() if k not in STAFF_ONLY_FIELDS}
        _apply_fields(current, data)
        _validate(current)
        current.save()
        removed = list(current.attachments.filter(pk__in=[getattr(a, "pk", a) for a in remove]))
        labels = attachments.check_uploads(uploads, existing=current.attachments.count() - len(removed))
        for attachment in removed:
            attachment.delete()  # its file goes once the transaction commits (core.stored_files)
        attachments.store_uploads(current, uploads, labels, user, files)
        if submit:
            current = submit_case(current, user)
        return current


# --- transitions


def _locked(case):
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("source_unit", "submitted_by", "created_by")
        .get(pk=case.pk)
    )


def submit_case(case, user):
    """Draft or withdrawn → submitted; returned → resubmitted. A second submit is refused."""
    with transaction.atomic():
        current = _locked(case)
        _check_can_write(current, user)
        if current.status in PENDING_STATUSES:
            raise DomainError("该案例已报送，正在等待审核，请勿重复报送。")
        if current.status == CaseStatus.ACCEPTED:
            raise DomainError("该案例已被采用，不能再次报送。")
        _validate(current)
        to_status = CaseStatus.RESUBMITTED if current.status == CaseStatus.RETURNED else CaseStatus.SUBMITTED
        _log(current, user, current.status, to_status)
        current.status = to_status
        current.submitted_by, current.submitted_at = user, timezone.now()
        current.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
        case_notices.notify_arrival(current, user)
        return current


def _check_pending(current, verb):
    if current.status == CaseStatus.ACCEPTED:
        raise DomainError("该案例已经采用过了。")
    if current.status not in PENDING_STATUSES:
        raise DomainError(f"只有已报送、等待审核的案例才能{verb}（当前状态：{_status_label(current.status)}）。")


def accept_case(case, user):
    """Submitted or resubmitted → accepted (staff). It counts in the unit's 奖惩案例 from now on."""
    with transaction.atomic():
        current = _locked(case)
        check_reviewer(user)
        _check_pending(current, "采用")
        # An accepted case counts in the year's 奖惩案例: a closed year's counts are frozen.
        require_open(current.year)
        _log(current, user, current.status, CaseStatus.ACCEPTED)
        current.status, current.accepted_at = CaseStatus.ACCEPTED, timezone.now()
        current.save(update_fields=["status", "accepted_at", "updated_at"])
        case_notices.notify_decision(current, user, "已采用", "")
        return current


def return_case(case, user, reason):
    """Submitted or resubmitted → returned with a reason (staff); the unit may change and resubmit it."""
    reason = plain_paragraphs(reason or "")
    with transaction.atomic():
        current = _locked(case)
        check_reviewer(user)
        _check_pending(current, "退回")
        if not reason:
            raise DomainError("退回时请填写理由，告诉单位需要修改什么。")
        if contains_script(reason):
            raise DomainError("理由中含有脚本或网页代码，请删除后重新填写。")
        _log(current, user, current.status, CaseStatus.RETURNED, reason)
        current.status = CaseStatus.RETURNED
        current.save(update_fields=["status", "updated_at"])
        case_notices.notify_decision(current, user, "被退回", reason)
        return current


def withdraw_case(case, user, reason=""):
    """Submitted, resubmitted or returned → withdrawn, by the unit or staff; it can be edited and sent again."""
    with transaction.atomic():
        current = _locked(case)
        _check_can_write(current, user)
        if current.status == CaseStatus.ACCEPTED:
            raise DomainError("已采用的案例不能撤回。")
        if not current.can_withdraw:
            raise DomainError("该案例尚未报送，无需撤回。")
        _log(current, user, current.status, CaseStatus.WITHDRAWN, plain_paragraphs(reason or ""))
        current.status = CaseStatus.WITHDRAWN
        current.save(update_fields=["status", "updated_at"])
        return current


def set_for_bulletin(case, user, value=True):
    """Mark an accepted case as one the issue composer may print (staff)."""
    with transaction.atomic():
        current = _locked(case)
        check_reviewer(user)
        if value and current.status != CaseStatus.ACCEPTED:
            raise DomainError("只有已采用的案例才能供通报选用。")
        current.for_bulletin = bool(value)
        current.save(update_fields=["for_bulletin", "updated_at"])
        return current


REVIEW_ACTIONS = {"accept": "采用", "return": "退回"}


def review_cases(cases, user, action, reason=""):
    """Accept or return several cases at once, all or none; the refusal names the case."""
    if action not in REVIEW_ACTIONS:
        raise DomainError("请选择要执行的操作。")
    cases = list(cases)
    if not cases:
        raise DomainError("请至少选择一个案例。")
    with transaction.atomic():
        done = []
        for case in cases:
            try:
                done.append(accept_case(case, user) if action == "accept" else return_case(case, user, reason))
            except DomainError as exc:
                raise DomainError(f"“{case.title}”：{exc}") from exc
        return done
