"""A case's notices (assessment.notify.notices): written with the change, delivered by `send_queued`.

To the office when a case arrives (or comes back), to the submitter when it is accepted or returned.
"""

from django.urls import reverse

from assessment.notify import notices
from core.people import display_name

from .models import CaseStatus


def _case_notice(case, subject, lines):
    return notices.Notice(subject, tuple(lines), reverse("cases:detail", args=[case.pk]))


def notify_arrival(case, user):
    """Tell the office that a case arrived for review (each member at once or in the day's summary)."""
    unit = case.source_unit
    who = unit.name if unit else display_name(user)
    again = "重新报送" if case.status == CaseStatus.RESUBMITTED else "报送"
    notices.notify_office(
        _case_notice(
            case,
            f"{who}{again}了奖惩案例：{case.title}",
            [f"{who}{again}了奖惩案例“{case.printed_title}”（{display_name(user)}），请审核。"],
        ),
        unit=unit,
        actor=user,
    )


def notify_decision(case, actor, what, reason):
    """Tell the submitter (e-mail, and the unit's group robot) that the case was accepted or returned."""
    recipient = case.submitted_by or case.created_by
    lines = [f"您报送的奖惩案例“{case.printed_title}”{what}。"]
    if reason:
        lines += ["", "退回理由：", reason, "", "请修改后重新报送。"]
    notices.notify_submitter(
        recipient,
        _case_notice(case, f"您报送的案例{what}：{case.title}", lines),
        unit=case.source_unit,
        actor=actor,
    )
