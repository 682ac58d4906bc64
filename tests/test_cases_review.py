"""Every review step, allowed and refused per role; the log on the case page; the submitter's emails."""

import io

import pytest
from django.core.management import call_command

from cases import services
from cases.models import Case, CaseStatus
from core.errors import DomainError

from .factories import CaseFactory


@pytest.fixture
def submitter(reporter_user):
    reporter_user.email = "fgw@ks.gov.cn"
    reporter_user.save()
    return reporter_user


def _case(unit, status, submitter=None):
    return CaseFactory(
        source_unit=unit,
        source_label=unit.name,
        year=2019,
        quarter=3,
        status=status,
        created_by=submitter,
        submitted_by=submitter if status != CaseStatus.DRAFT else None,
    )


def _status(case):
    return Case.objects.get(pk=case.pk).status


# (starting status, url action, role) → expected status afterwards (the same status when refused)
S, R, RS, A, D, W = (
    CaseStatus.SUBMITTED,
    CaseStatus.RETURNED,
    CaseStatus.RESUBMITTED,
    CaseStatus.ACCEPTED,
    CaseStatus.DRAFT,
    CaseStatus.WITHDRAWN,
)
TRANSITIONS = [
    # the path: draft → submitted → returned → resubmitted → accepted
    (D, "submit", "reporter", S),
    (D, "submit", "staff", S),
    (W, "submit", "reporter", S),
    (R, "submit", "reporter", RS),
    (S, "accept", "staff", A),
    (RS, "accept", "staff", A),
    (S, "return", "staff", R),
    (RS, "return", "staff", R),
    (S, "withdraw", "reporter", W),
    (RS, "withdraw", "reporter", W),
    (R, "withdraw", "reporter", W),
    (S, "withdraw", "staff", W),
    # refused by the state machine
    (S, "submit", "reporter", S),  # a double submit
    (A, "submit", "reporter", A),
    (A, "withdraw", "reporter", A),
    (A, "withdraw", "staff", A),
    (D, "withdraw", "reporter", D),
    (D, "accept", "staff", D),
    (R, "accept", "staff", R),
    (W, "return", "staff", W),
    (A, "accept", "staff", A),
    # refused by role: a reporter does not review its own cases
    (S, "accept", "reporter", S),
    (S, "return", "reporter", S),
]


@pytest.mark.parametrize(("start", "action", "role", "after"), TRANSITIONS)
def test_transition_by_role(role_client, reporter_unit, submitter, start, action, role, after):
    case = _case(reporter_unit, start, submitter)
    response = role_client(role).post(f"/cases/case/{case.pk}/{action}/", {"reason": "请补充处理结果。"})
    assert response.status_code == (403 if role == "reporter" and action in ("accept", "return") else 302)
    assert _status(case) == after
    logged = case.transitions.count()
    assert logged == (0 if after == start else 1)


@pytest.mark.parametrize("action", ["submit", "withdraw", "accept", "return", "bulletin"])
def test_a_leader_changes_nothing(role_client, reporter_unit, action):
    case = _case(reporter_unit, CaseStatus.SUBMITTED)
    assert role_client("leader").post(f"/cases/case/{case.pk}/{action}/", {"reason": "x"}).status_code == 403
    assert _status(case) == CaseStatus.SUBMITTED and not case.transitions.exists()


@pytest.mark.parametrize("action", ["submit", "withdraw", "accept", "return", "bulletin"])
def test_another_units_reporter_does_not_even_see_the_case(role_client, reporter_unit, action):
    case = _case(reporter_unit, CaseStatus.SUBMITTED)
    assert role_client("other_reporter").post(f"/cases/case/{case.pk}/{action}/").status_code == 404
    assert role_client("other_reporter").get(f"/cases/case/{case.pk}/").status_code == 404
    assert _status(case) == CaseStatus.SUBMITTED


def test_refusals_are_explained_in_chinese(role_client, reporter_unit, submitter):
    case = _case(reporter_unit, CaseStatus.SUBMITTED, submitter)
    page = role_client("reporter").post(f"/cases/case/{case.pk}/submit/", follow=True).content.decode()
    assert "该案例已报送，正在等待审核，请勿重复报送。" in page
    case = _case(reporter_unit, CaseStatus.ACCEPTED, submitter)
    page = role_client("reporter").post(f"/cases/case/{case.pk}/withdraw/", follow=True).content.decode()
    assert "已采用的案例不能撤回。" in page


def test_return_needs_a_reason(role_client, reporter_unit, mailoutbox):
    case = _case(reporter_unit, CaseStatus.SUBMITTED)
    page = role_client("staff").post(f"/cases/case/{case.pk}/return/", {"reason": "  "}, follow=True)
    assert "退回时请填写理由" in page.content.decode()
    assert _status(case) == CaseStatus.SUBMITTED and not mailoutbox


def test_the_submitter_is_told_by_email_when_accepted_or_returned(
    role_client, reporter_unit, submitter, staff_user, mailoutbox, settings
):
    settings.SITE_URL = "https://credit.ks.gov.cn"
    staff_user.email = "staff@ks.gov.cn"
    staff_user.save()
    case = _case(reporter_unit, CaseStatus.SUBMITTED, submitter)
    client = role_client("staff")
    client.post(f"/cases/case/{case.pk}/return/", {"reason": "请补充处罚决定书。"})
    assert not mailoutbox  # written with the change, sent by the queue
    call_command("send_queued", stdout=io.StringIO())
    assert len(mailoutbox) == 1
    returned = mailoutbox[0]
    assert returned.to == ["fgw@ks.gov.cn"]
    assert "被退回" in returned.subject and case.title in returned.subject
    assert "请补充处罚决定书。" in returned.body
    assert f"办理页面：https://credit.ks.gov.cn/cases/case/{case.pk}/" in returned.body

    role_client("reporter").post(f"/cases/case/{case.pk}/submit/")
    call_command("send_queued", stdout=io.StringIO())
    # resubmitting tells each office member (the demo's office account too), not the submitter
    told = [m for m in mailoutbox[1:] if m.to == ["staff@ks.gov.cn"]]
    assert len(told) == 1 and "重新报送了奖惩案例" in told[0].subject
    assert all(m.to != ["fgw@ks.gov.cn"] for m in mailoutbox[1:])
    role_client("staff").post(f"/cases/case/{case.pk}/accept/")
    call_command("send_queued", stdout=io.StringIO())
    assert "已采用" in mailoutbox[-1].subject and mailoutbox[-1].to == ["fgw@ks.gov.cn"]


def test_no_email_when_the_step_is_refused(reporter_unit, submitter, staff_user, django_capture_on_commit_callbacks):
    case = _case(reporter_unit, CaseStatus.DRAFT, submitter)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(DomainError):
        services.accept_case(case, staff_user)
    assert callbacks == []


def test_the_log_shows_who_when_and_why_on_the_case_page(role_client, reporter_unit, submitter, staff_user):
    client = role_client("reporter")
    case = _case(reporter_unit, CaseStatus.DRAFT, submitter)
    client.post(f"/cases/case/{case.pk}/submit/")
    role_client("staff").post(f"/cases/case/{case.pk}/return/", {"reason": "请写明处理结果。"})
    role_client("reporter").post(f"/cases/case/{case.pk}/submit/")
    role_client("staff").post(f"/cases/case/{case.pk}/accept/")
    steps = [(t.from_status, t.to_status, t.by.username, t.reason) for t in case.transitions.all()]
    assert steps == [
        (D, S, "t_reporter", ""),
        (S, R, "t_staff", "请写明处理结果。"),
        (R, RS, "t_reporter", ""),
        (RS, A, "t_staff", ""),
    ]
    page = role_client("leader").get(f"/cases/case/{case.pk}/").content.decode()
    for text in ("草稿 → 已报送", "已报送 → 已退回", "请写明处理结果。", "已退回 → 已重新报送", "已重新报送 → 已采用"):
        assert text in page
    assert "t_staff" in page and "t_reporter" in page


def test_a_returned_case_shows_its_reason_and_can_be_edited_and_resubmitted(role_client, reporter_unit, submitter):
    case = _case(reporter_unit, CaseStatus.SUBMITTED, submitter)
    role_client("staff").post(f"/cases/case/{case.pk}/return/", {"reason": "标题请与正文一致。"})
    client = role_client("reporter")
    page = client.get(f"/cases/case/{case.pk}/").content.decode()
    assert "退回理由：" in page and "标题请与正文一致。" in page and "重新报送" in page
    assert client.get(f"/cases/case/{case.pk}/edit/").status_code == 200


def test_a_pending_case_is_withdrawn_before_it_is_changed(role_client, reporter_unit, submitter):
    case = _case(reporter_unit, CaseStatus.SUBMITTED, submitter)
    client = role_client("reporter")
    response = client.get(f"/cases/case/{case.pk}/edit/")
    assert response.status_code == 403 and "请先撤回再修改" in response.content.decode()
    client.post(f"/cases/case/{case.pk}/withdraw/")
    assert _status(case) == CaseStatus.WITHDRAWN
    assert client.get(f"/cases/case/{case.pk}/edit/").status_code == 200


def test_staff_mark_an_accepted_case_for_the_bulletin(role_client, reporter_unit):
    case = _case(reporter_unit, CaseStatus.ACCEPTED)
    client = role_client("staff")
    client.post(f"/cases/case/{case.pk}/bulletin/", {"for_bulletin": "1"})
    assert Case.objects.get(pk=case.pk).for_bulletin
    page = client.get(f"/cases/case/{case.pk}/").content.decode()
    assert "供通报选用" in page and "取消供通报选用" in page
    # The case page previews it as the bulletin prints it.
    assert f"守信激励·{case.title}" in page and "（发改委）" in page
    client.post(f"/cases/case/{case.pk}/bulletin/", {"for_bulletin": "0"})
    assert not Case.objects.get(pk=case.pk).for_bulletin


def test_only_accepted_cases_go_to_the_bulletin(role_client, reporter_unit):
    case = _case(reporter_unit, CaseStatus.SUBMITTED)
    page = role_client("staff").post(f"/cases/case/{case.pk}/bulletin/", {"for_bulletin": "1"}, follow=True)
    assert "只有已采用的案例才能供通报选用。" in page.content.decode()
    assert not Case.objects.get(pk=case.pk).for_bulletin


def test_review_queue_lists_pending_cases_and_acts_on_several(
    role_client, reporter_unit, other_unit, submitter, mailoutbox
):
    pending = [_case(reporter_unit, CaseStatus.SUBMITTED, submitter), _case(other_unit, CaseStatus.RESUBMITTED)]
    draft = _case(reporter_unit, CaseStatus.DRAFT)
    client = role_client("staff")
    page = client.get("/cases/review/").content.decode()
    assert all(c.title in page for c in pending) and draft.title not in page
    response = client.post(
        "/cases/review/",
        {"cases": [c.pk for c in pending], "action": "return", "reason": "请补充附件。"},
        follow=True,
    )
    assert "已退回 2 个案例。" in response.content.decode()
    assert [_status(c) for c in pending] == [CaseStatus.RETURNED, CaseStatus.RETURNED]
    call_command("send_queued", stdout=io.StringIO())
    assert len(mailoutbox) == 1  # only the first has a submitter with an email address


def test_several_at_once_is_all_or_nothing(role_client, reporter_unit):
    pending = _case(reporter_unit, CaseStatus.SUBMITTED)
    draft = _case(reporter_unit, CaseStatus.DRAFT)
    response = role_client("staff").post(
        "/cases/review/", {"cases": [pending.pk, draft.pk], "action": "accept"}, follow=True
    )
    page = response.content.decode()
    assert draft.title in page and "只有已报送、等待审核的案例才能采用" in page
    assert _status(pending) == CaseStatus.SUBMITTED and not pending.transitions.exists()


def test_review_queue_bulk_return_needs_a_reason(role_client, reporter_unit):
    case = _case(reporter_unit, CaseStatus.SUBMITTED)
    page = role_client("staff").post("/cases/review/", {"cases": [case.pk], "action": "return"}, follow=True)
    assert "退回时请填写理由。" in page.content.decode()
    assert _status(case) == CaseStatus.SUBMITTED


def test_services_refuse_the_wrong_role_too(reporter_unit, reporter_user, leader_user, other_reporter_user):
    case = _case(reporter_unit, CaseStatus.SUBMITTED)
    with pytest.raises(DomainError, match="只有市信用办可以审核案例"):
        services.accept_case(case, reporter_user)
    with pytest.raises(DomainError, match="领导账号只能查看"):
        services.withdraw_case(case, leader_user)
    with pytest.raises(DomainError, match="只能处理本单位的案例"):
        services.withdraw_case(case, other_reporter_user)
    assert _status(case) == CaseStatus.SUBMITTED
