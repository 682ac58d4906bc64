"""Several requests decided at once in the office's queue, as cases are: one reason, all of them or none."""

import pytest

from assessment.mark_requests.services import return_request, submit_request
from assessment.marks.services import HOW, set_mark
from assessment.models import Mark, MarkRequest, MarkState

pytestmark = pytest.mark.django_db

REVIEW = "/units/requests/review/"


@pytest.fixture
def open_requests(reporter_unit, reporter_user, staff_user):
    """Three requests of 发改委 about cells set back to *, waiting for the office."""
    marks = (
        Mark.objects.filter(
            unit=reporter_unit, indicator__scheme__year=2019, state=MarkState.DONE, indicator__accepts_count=False
        )
        .select_related("indicator__scheme", "unit")
        .order_by("indicator__order")[:3]
    )
    requests = []
    for mark in marks:
        mark = set_mark(mark, "*", staff_user)
        requests.append(submit_request(mark, reporter_user, MarkRequest.Kind.DONE, "已完成，见附件。"))
    assert len(requests) == 3
    return requests


def _fresh(requests):
    return [MarkRequest.objects.select_related("mark").get(pk=r.pk) for r in requests]


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_queue_offers_a_choice_per_request_and_one_form_for_them(role_client, open_requests):
    page = role_client("staff").get("/units/requests/").content.decode()
    for request in open_requests:
        assert f'name="requests" value="{request.pk}" form="bulk-review"' in page
    assert 'id="bulk-review"' in page and "对选中的申请" in page
    assert 'form="bulk-review"' not in role_client("leader").get("/units/requests/").content.decode()


def test_several_requests_are_accepted_at_once_each_as_a_single_decision(role_client, open_requests, staff_user):
    chosen = open_requests[:2]
    response = role_client("staff").post(
        REVIEW, {"requests": [r.pk for r in chosen], "action": "accept", "next_status": "open"}, follow=True
    )
    assert "已通过 2 项申请。" in _messages(response)
    for request in _fresh(chosen):
        assert request.status == MarkRequest.Status.ACCEPTED and request.decided_by == staff_user
        assert request.mark.state == MarkState.DONE
        entry = request.mark.history.first()
        assert entry.history_change_reason == HOW.REQUEST and entry.history_user == staff_user
    assert _fresh(open_requests[2:])[0].status == MarkRequest.Status.SUBMITTED


def test_several_requests_are_returned_with_one_reason(role_client, open_requests, staff_user):
    data = {"requests": [r.pk for r in open_requests], "action": "return", "reason": "请补充会议纪要。"}
    response = role_client("staff").post(REVIEW, data, follow=True)
    assert "已退回 3 项申请。" in _messages(response)
    for request in _fresh(open_requests):
        assert request.status == MarkRequest.Status.RETURNED and request.reason == "请补充会议纪要。"
        assert request.decided_by == staff_user and request.mark.state == MarkState.PENDING


def test_returning_without_a_reason_changes_nothing(role_client, open_requests):
    response = role_client("staff").post(
        REVIEW, {"requests": [r.pk for r in open_requests], "action": "return", "reason": " "}, follow=True
    )
    assert "退回申请时请填写理由。" in _messages(response)
    assert {r.status for r in _fresh(open_requests)} == {MarkRequest.Status.SUBMITTED}


def test_a_refusal_leaves_none_half_done(role_client, open_requests, staff_user):
    decided = return_request(open_requests[2], staff_user, "材料不全。")
    response = role_client("staff").post(
        REVIEW, {"requests": [r.pk for r in open_requests], "action": "accept"}, follow=True
    )
    [message] = _messages(response)
    assert message.startswith("未做任何修改。发改委 · ") and "该申请已处理（已退回），不能重复处理。" in message
    first, second, third = _fresh(open_requests)
    assert first.status == second.status == MarkRequest.Status.SUBMITTED
    assert first.mark.state == second.mark.state == MarkState.PENDING and first.decided_by is None
    assert third.status == MarkRequest.Status.RETURNED and third.reason == decided.reason


def test_nothing_chosen_is_said_in_chinese(role_client, open_requests):
    response = role_client("staff").post(REVIEW, {"action": "accept"}, follow=True)
    assert "请至少选择一项申请。" in _messages(response)
    response = role_client("staff").post(REVIEW, {"requests": ["x"], "action": "accept"}, follow=True)
    assert "所选的申请不存在，请刷新页面后重试。" in _messages(response)


def test_a_leader_may_not_decide_in_bulk(role_client, open_requests):
    response = role_client("leader").post(REVIEW, {"requests": [open_requests[0].pk], "action": "accept"})
    assert response.status_code == 403
    assert _fresh(open_requests)[0].status == MarkRequest.Status.SUBMITTED
