"""Writing and reviewing cases over the API: the same steps as the pages (cases.services), by role.

Reporters write and (re)submit their own unit's cases, office staff also accept, return and mark them
for the bulletin, leaders read only, anonymous clients are told 401. Every refusal of the workflow is
the API's 409 in Chinese with nothing written (the request was well formed; the case as it stands does not
allow it); a request the schema refuses (a missing field, a quarter 5) is a 400.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Unit
from bulletins.models import Issue
from cases.counts import year_counts
from cases.models import Case, CaseStatus, CaseTransition

from .conftest import THROTTLE_CACHE_QUERIES, TOKEN_USE_AUDIT_QUERIES
from .factories import CaseFactory, UserFactory
from .test_cases_bad_input import _written

ROLES = ["staff", "reporter", "other_reporter", "leader", "anonymous"]

CASE = {
    "kind": "penalty",
    "title": "拒不整改 纳入黑名单",
    "subject": "某出租房屋房东",
    "measure": "纳入失信黑名单，限制申报市级专项资金。",
    "event_date": "2019-10-12",
    "body": "第一段。\n第二段。",
}


def _case(unit, status, **kwargs):
    """A case of `unit` in 2019 Q4 in the given status."""
    fields = {
        "source_label": f"市{unit.name}",
        "year": 2019,
        "quarter": 4,
        "subject": "某企业",
        "measure": "列入红名单",
    }
    return CaseFactory(source_unit=unit, status=status, **{**fields, **kwargs})


def _post(client, url, body=None):
    return client.post(url, body or {}, format="json")


def _url(case, action=""):
    return f"/api/v1/cases/{case.pk}/{action + '/' if action else ''}"


def _refusal(response, status=409):
    assert response.status_code == status, (response.status_code, response.content.decode()[:300])
    body = response.json()
    assert body["code"] and body["detail"]
    return body


@pytest.fixture
def nothing_written(db):
    before = _written()
    yield
    assert _written() == before


# --- writing a case


def test_a_reporter_writes_a_draft_that_is_always_its_own_units(api_client, reporter_user, reporter_unit, other_unit):
    body = {**CASE, "source_unit": other_unit.pk, "source_label": "市教育局", "channel": "paper"}
    response = _post(api_client("reporter"), "/api/v1/cases/", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert response["Location"] == f"/api/v1/cases/{data['id']}/"
    assert (data["status"], data["status_display"]) == ("draft", "草稿")
    assert data["source_unit"] == reporter_unit.pk and data["source_unit_name"] == "发改委"
    assert data["source_label"] == (reporter_unit.full_name or reporter_unit.name)
    assert (data["channel"], data["year"], data["quarter"]) == ("portal", 2019, 4)
    assert data["printed_title"] == "失信惩戒·拒不整改 纳入黑名单" and data["body"] == "第一段。\n第二段。"
    assert data["created_by"] == "t_reporter" and data["submitted_by"] is None
    assert [(t["from_status"], t["to_status"], t["by"]) for t in data["transitions"]] == [("", "draft", "t_reporter")]
    case = Case.objects.get(pk=data["id"])
    assert (case.source_unit, case.created_by, case.status) == (reporter_unit, reporter_user, CaseStatus.DRAFT)
    assert api_client("reporter").get(_url(case)).json() == data


def test_create_and_submit_in_one_call(api_client, reporter_user):
    response = _post(api_client("reporter"), "/api/v1/cases/", {**CASE, "submit": True})
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["submitted_by"]) == ("submitted", "t_reporter") and data["submitted_at"]
    assert [t["to_status"] for t in data["transitions"]] == ["draft", "submitted"]
    pending = api_client("staff").get("/api/v1/cases/?status=pending").json()["results"]
    assert [c["id"] for c in pending] == [data["id"]]


def test_staff_record_a_case_for_a_unit_or_for_a_source_that_is_not_one(api_client, other_unit):
    staff = api_client("staff")
    for_unit = _post(staff, "/api/v1/cases/", {**CASE, "source_unit": other_unit.pk, "channel": "email"})
    assert for_unit.status_code == 201, for_unit.json()
    assert (for_unit.json()["source_unit"], for_unit.json()["channel"]) == (other_unit.pk, "email")
    task_force = _post(staff, "/api/v1/cases/", {**CASE, "source_label": "市“331”专班", "channel": "paper"})
    assert task_force.status_code == 201, task_force.json()
    assert (task_force.json()["source_unit"], task_force.json()["source_label"]) == (None, "市“331”专班")
    # The other unit's reporter now sees the case recorded for it; nobody else's.
    own = [c["id"] for c in api_client("other_reporter").get("/api/v1/cases/").json()["results"]]
    assert own == [for_unit.json()["id"]]


def test_staff_must_name_a_source(api_client, nothing_written):
    body = _refusal(_post(api_client("staff"), "/api/v1/cases/", CASE))
    assert body["code"] == "refused" and "来源" in body["detail"]


def test_the_quarter_follows_the_date_unless_given(api_client):
    client = api_client("reporter")
    derived = _post(client, "/api/v1/cases/", {**CASE, "event_date": "2019-05-05"}).json()
    assert (derived["year"], derived["quarter"]) == (2019, 2)
    chosen = _post(client, "/api/v1/cases/", {**CASE, "event_date": "2019-05-05", "quarter": 3}).json()
    assert chosen["quarter"] == 3
    moved = client.patch(f"/api/v1/cases/{chosen['id']}/", {"event_date": "2019-08-01"}, format="json").json()
    assert moved["quarter"] == 3 and moved["event_date"] == "2019-08-01"
    moved = client.patch(f"/api/v1/cases/{derived['id']}/", {"event_date": "2019-11-01"}, format="json").json()
    assert moved["quarter"] == 4
    kept = client.patch(f"/api/v1/cases/{derived['id']}/", {"quarter": 3}, format="json").json()
    assert (kept["quarter"], kept["event_date"]) == (3, "2019-11-01")


def test_missing_fields_are_named_in_the_forms_words(api_client, nothing_written):
    body = _refusal(_post(api_client("reporter"), "/api/v1/cases/", {}), 400)
    assert body["code"] == "invalid"
    assert {"kind", "title", "body", "subject", "measure", "event_date"} <= set(body["fields"])
    assert body["fields"]["title"] == ["标题不能为空。"] and body["fields"]["subject"] == ["请填写奖惩对象。"]
    assert "title：标题不能为空。" in body["detail"]


@pytest.mark.parametrize(
    ("overrides", "message", "status"),
    [
        # Well formed, refused by cases.services (409)…
        ({"body": "<script>alert(1)</script>正文"}, "正文中含有脚本或网页代码", 409),
        ({"body": "正文<img src=x onerror=alert(1)>"}, "正文中含有脚本或网页代码", 409),
        ({"body": "&lt;script&gt;alert(1)&lt;/script&gt;"}, "正文中含有脚本或网页代码", 409),
        ({"body": '<a href="javascript:alert(1)">点击</a>'}, "正文中含有脚本或网页代码", 409),
        ({"title": "<script>alert(1)</script>"}, "内容中含有脚本或网页代码", 409),
        ({"subject": "<svg onload=alert(1)>"}, "内容中含有脚本或网页代码", 409),
        ({"measure": "<iframe src=//evil></iframe>"}, "含有脚本或网页代码", 409),
        ({"body": "<p> </p><br>"}, "正文不能为空。", 409),
        ({"event_date": "2018-05-01"}, "2018年还没有考核方案", 409),
        ({"event_date": (datetime.date.today() + datetime.timedelta(days=1)).isoformat()}, "不能晚于今天", 409),
        # …against the schema (400).
        ({"title": "   "}, "标题不能为空。", 400),
        ({"event_date": "2019-02-30"}, "日期", 400),
        ({"quarter": 5}, "季度只能是1至4。", 400),
        ({"quarter": 0}, "季度只能是1至4。", 400),
        ({"kind": "praise"}, "不是合法选项", 400),
    ],
)
@pytest.mark.parametrize("submit", [False, True])
def test_bad_input_is_refused_and_nothing_written(api_client, nothing_written, overrides, message, status, submit):
    response = _post(api_client("reporter"), "/api/v1/cases/", {**CASE, **overrides, "submit": submit})
    body = _refusal(response, status)
    assert message in body["detail"], body
    assert body["code"] == ("refused" if status == 409 else "invalid")


def test_a_script_is_refused_in_a_change_too(api_client, reporter_unit):
    case = _case(reporter_unit, CaseStatus.DRAFT, body="原来的正文。")
    response = api_client("reporter").patch(_url(case), {"body": "<script>alert(1)</script>"}, format="json")
    assert "正文中含有脚本或网页代码" in _refusal(response)["detail"]
    case.refresh_from_db()
    assert case.body == "原来的正文。"


def test_rich_text_is_flattened_to_plain_paragraphs(api_client):
    body = {**CASE, "title": "<b>守信</b> 企业", "body": "<p>第一段</p><p>第二段 <b>加粗</b></p>"}
    data = _post(api_client("reporter"), "/api/v1/cases/", body).json()
    assert (data["title"], data["body"]) == ("守信 企业", "第一段\n第二段 加粗")


# --- changing a case


@pytest.mark.parametrize(
    ("role", "expected"),
    [("staff", 200), ("reporter", 200), ("other_reporter", 404), ("leader", 403), ("anonymous", 401)],
)
def test_who_may_change_a_draft(api_client, reporter_unit, role, expected):
    case = _case(reporter_unit, CaseStatus.DRAFT, title="旧标题")
    response = api_client(role).patch(_url(case), {"title": "新标题"}, format="json")
    assert response.status_code == expected, response.json()
    case.refresh_from_db()
    assert case.title == ("新标题" if expected == 200 else "旧标题")
    if expected == 200:
        assert response.json()["title"] == "新标题"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (CaseStatus.SUBMITTED, "案例正在等待审核，请先撤回再修改。"),
        (CaseStatus.RESUBMITTED, "案例正在等待审核，请先撤回再修改。"),
        (CaseStatus.ACCEPTED, "该案例已采用，不能再修改。"),
    ],
)
def test_a_reporter_cannot_change_a_case_under_review_or_accepted(api_client, reporter_unit, status, message):
    case = _case(reporter_unit, status, title="旧标题")
    body = _refusal(api_client("reporter").patch(_url(case), {"title": "新标题"}, format="json"))
    assert (body["code"], body["detail"]) == ("refused", message)
    assert Case.objects.get(pk=case.pk).title == "旧标题"
    # Staff may correct any case.
    assert api_client("staff").patch(_url(case), {"title": "新标题"}, format="json").status_code == 200
    assert Case.objects.get(pk=case.pk).title == "新标题"


def test_a_reporter_cannot_move_its_case_to_another_unit(api_client, reporter_unit, other_unit):
    case = _case(reporter_unit, CaseStatus.DRAFT)
    response = api_client("reporter").patch(_url(case), {"source_unit": other_unit.pk}, format="json")
    assert response.status_code == 200 and response.json()["source_unit"] == reporter_unit.pk


def test_a_returned_case_is_changed_and_resubmitted_in_one_call(api_client, reporter_unit):
    case = _case(reporter_unit, CaseStatus.RETURNED)
    response = api_client("reporter").patch(
        _url(case), {"body": "补充了处罚决定书文号。", "submit": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["body"]) == ("resubmitted", "补充了处罚决定书文号。")


def test_put_and_delete_are_not_offered(api_client, reporter_unit):
    case = _case(reporter_unit, CaseStatus.DRAFT)
    client = api_client("staff")
    assert client.put(_url(case), CASE, format="json").status_code == 405
    assert client.delete(_url(case)).status_code == 405
    assert Case.objects.filter(pk=case.pk).exists()


# --- the review steps: every action × every role

ACTIONS = {
    # action: (status before, body, status after, roles allowed besides staff)
    "submit": (CaseStatus.DRAFT, {}, CaseStatus.SUBMITTED, {"reporter"}),
    "withdraw": (CaseStatus.SUBMITTED, {"reason": "需要补充材料"}, CaseStatus.WITHDRAWN, {"reporter"}),
    "accept": (CaseStatus.SUBMITTED, {}, CaseStatus.ACCEPTED, set()),
    "return": (CaseStatus.SUBMITTED, {"reason": "请补充处罚决定书文号。"}, CaseStatus.RETURNED, set()),
    "bulletin": (CaseStatus.ACCEPTED, {"for_bulletin": True}, CaseStatus.ACCEPTED, set()),
}


def _expected(action, role):
    if role == "anonymous":
        return 401
    if role == "leader":
        return 403
    if role == "other_reporter":
        return 404  # another unit's case: not within reach
    if role == "staff" or role in ACTIONS[action][3]:
        return 200
    return 403  # the unit's reporter, for the office's steps


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_by_every_role(api_client, reporter_unit, action, role):
    before, body, after, _ = ACTIONS[action]
    case = _case(reporter_unit, before)
    steps = CaseTransition.objects.count()
    response = _post(api_client(role), _url(case, action), body)
    expected = _expected(action, role)
    assert response.status_code == expected, response.content.decode()[:300]
    case.refresh_from_db()
    if expected == 200:
        assert case.status == after and response.json()["status"] == after
        if action == "bulletin":
            assert case.for_bulletin and response.json()["for_bulletin"]
        else:
            step = case.transitions.get()
            assert (step.from_status, step.to_status, step.reason) == (before, after, body.get("reason", ""))
    else:
        assert response.json()["code"] in ("not_authenticated", "permission_denied", "not_found")
        assert case.status == before and not case.for_bulletin
        assert CaseTransition.objects.count() == steps


def test_a_reporter_accepting_its_own_case_is_told_why(api_client, reporter_unit):
    case = _case(reporter_unit, CaseStatus.SUBMITTED)
    body = _refusal(_post(api_client("reporter"), _url(case, "accept")), 403)
    assert body == {"code": "permission_denied", "detail": "只有市信用办可以进行这项操作。", "fields": {}}
    body = _refusal(_post(api_client("leader"), _url(case, "submit")), 403)
    assert body["detail"] == "领导账号只能查看，不能修改。"


@pytest.mark.parametrize(
    ("action", "status", "body", "message"),
    [
        ("accept", CaseStatus.DRAFT, {}, "只有已报送、等待审核的案例才能采用（当前状态：草稿）。"),
        ("accept", CaseStatus.RETURNED, {}, "只有已报送、等待审核的案例才能采用（当前状态：已退回）。"),
        ("accept", CaseStatus.WITHDRAWN, {}, "只有已报送、等待审核的案例才能采用（当前状态：已撤回）。"),
        ("accept", CaseStatus.ACCEPTED, {}, "该案例已经采用过了。"),
        ("return", CaseStatus.DRAFT, {"reason": "理由"}, "只有已报送、等待审核的案例才能退回（当前状态：草稿）。"),
        ("return", CaseStatus.ACCEPTED, {"reason": "理由"}, "该案例已经采用过了。"),
        ("return", CaseStatus.SUBMITTED, {"reason": "  "}, "退回时请填写理由，告诉单位需要修改什么。"),
        # nh3 drops a script with its content: nothing is left of such a reason.
        ("return", CaseStatus.SUBMITTED, {"reason": "<script>x</script>"}, "退回时请填写理由"),
        ("submit", CaseStatus.SUBMITTED, {}, "该案例已报送，正在等待审核，请勿重复报送。"),
        ("submit", CaseStatus.RESUBMITTED, {}, "该案例已报送，正在等待审核，请勿重复报送。"),
        ("submit", CaseStatus.ACCEPTED, {}, "该案例已被采用，不能再次报送。"),
        ("withdraw", CaseStatus.DRAFT, {}, "该案例尚未报送，无需撤回。"),
        ("withdraw", CaseStatus.ACCEPTED, {}, "已采用的案例不能撤回。"),
        ("bulletin", CaseStatus.SUBMITTED, {}, "只有已采用的案例才能供通报选用。"),
    ],
)
def test_the_workflow_refuses_steps_out_of_order(api_client, reporter_unit, action, status, body, message):
    case = _case(reporter_unit, status)
    refusal = _refusal(_post(api_client("staff"), _url(case, action), body))
    assert refusal["code"] == "refused" and message in refusal["detail"]
    case.refresh_from_db()
    assert case.status == status and not case.for_bulletin and not case.transitions.exists()


def test_a_double_submit_is_refused(api_client, reporter_unit):
    case = _case(reporter_unit, CaseStatus.DRAFT)
    client = api_client("reporter")
    assert _post(client, _url(case, "submit")).status_code == 200
    assert "请勿重复报送" in _refusal(_post(client, _url(case, "submit")))["detail"]
    assert case.transitions.count() == 1


def test_returning_without_a_reason_field_names_it(api_client, reporter_unit):
    case = _case(reporter_unit, CaseStatus.SUBMITTED)
    body = _refusal(_post(api_client("staff"), _url(case, "return")), 400)
    assert body["code"] == "invalid" and set(body["fields"]) == {"reason"}
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_staff_take_a_case_off_the_bulletin_list(api_client, reporter_unit):
    case = _case(reporter_unit, CaseStatus.ACCEPTED, for_bulletin=True)
    response = _post(api_client("staff"), _url(case, "bulletin"), {"for_bulletin": False})
    assert response.status_code == 200 and response.json()["for_bulletin"] is False
    assert not Case.objects.get(pk=case.pk).for_bulletin


# --- the whole round, as a unit's system and the office would drive it


def test_submit_return_resubmit_accept_and_the_count(api_client, reporter_user, reporter_unit, mailoutbox):
    reporter_user.email = "fgw@ks.gov.cn"
    reporter_user.save()
    reporter, staff = api_client("reporter"), api_client("staff")
    counted = year_counts(2019).get(reporter_unit.pk, 0)

    case = _post(reporter, "/api/v1/cases/", {**CASE, "submit": True}).json()
    assert case["status"] == "submitted"
    returned = _post(staff, f"/api/v1/cases/{case['id']}/return/", {"reason": "请补充处罚决定书文号。"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    call_command("send_queued", stdout=io.StringIO())  # notices go through the queue
    told = [m for m in mailoutbox if m.to == ["fgw@ks.gov.cn"]]
    assert len(told) == 1 and "被退回" in told[0].subject
    assert "请补充处罚决定书文号。" in told[0].body

    seen = reporter.get(f"/api/v1/cases/{case['id']}/").json()
    assert seen["status_display"] == "已退回"
    assert seen["transitions"][-1] == {
        **seen["transitions"][-1],
        "to_status": "returned",
        "to_status_display": "已退回",
        "by": "t_office_system",  # the office's token is its system account's
        "reason": "请补充处罚决定书文号。",
    }
    changed = reporter.patch(
        f"/api/v1/cases/{case['id']}/", {"body": "决定书文号：昆信罚〔2019〕1号。", "submit": True}, format="json"
    )
    assert changed.json()["status"] == "resubmitted"
    assert [c["id"] for c in staff.get("/api/v1/cases/?status=pending").json()["results"]] == [case["id"]]

    accepted = _post(staff, f"/api/v1/cases/{case['id']}/accept/")
    assert accepted.json()["status"] == "accepted" and accepted.json()["accepted_at"]
    call_command("send_queued", stdout=io.StringIO())
    told = [m for m in mailoutbox if m.to == ["fgw@ks.gov.cn"]]
    assert len(told) == 2 and "已采用" in told[1].subject
    assert year_counts(2019)[reporter_unit.pk] == counted + 1

    marked = _post(staff, f"/api/v1/cases/{case['id']}/bulletin/", {"for_bulletin": True})
    assert marked.json()["for_bulletin"] is True
    chosen = staff.get("/api/v1/cases/?for_bulletin=true&status=accepted&year=2019").json()["results"]
    assert case["id"] in [c["id"] for c in chosen]
    steps = [(t["from_status"], t["to_status"]) for t in marked.json()["transitions"]]
    assert steps == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "resubmitted"),
        ("resubmitted", "accepted"),
    ]
    # Now accepted, the unit can neither change nor withdraw it.
    assert _post(reporter, f"/api/v1/cases/{case['id']}/withdraw/").status_code == 409
    assert reporter.patch(f"/api/v1/cases/{case['id']}/", {"title": "改"}, format="json").status_code == 409


# --- reading: filters, the public face of a case, queries


def test_filters_by_status_unit_category_kind_and_quarter(api_client, reporter_unit, other_unit):
    draft = _case(reporter_unit, CaseStatus.DRAFT, quarter=1)
    submitted = _case(reporter_unit, CaseStatus.SUBMITTED, kind="penalty")
    resubmitted = _case(other_unit, CaseStatus.RESUBMITTED, quarter=2)
    staff = api_client("staff")

    def ids(query):
        response = staff.get(f"/api/v1/cases/?{query}")
        assert response.status_code == 200, response.json()
        return {c["id"] for c in response.json()["results"]}

    assert ids("status=pending") == {submitted.pk, resubmitted.pk}
    assert ids("status=draft") == {draft.pk}
    assert ids(f"unit={reporter_unit.pk}") == ids(f"source_unit={reporter_unit.pk}") == {draft.pk, submitted.pk}
    assert ids(f"unit={other_unit.pk}&status=resubmitted") == {resubmitted.pk}
    assert ids("category=departments&year=2019&quarter=2") == {resubmitted.pk}
    assert ids("kind=penalty&year=2019&status=submitted") == {submitted.pk}
    body = _refusal(staff.get("/api/v1/cases/?status=done"), 400)
    assert body["code"] == "invalid" and set(body["fields"]) == {"status"}
    # A reporter's filters stay within its own unit.
    reporter = api_client("reporter").get(f"/api/v1/cases/?unit={other_unit.pk}").json()
    assert reporter["results"] == []


def test_a_published_issue_prints_its_cases_without_the_review(api_client):
    issue = Issue.objects.get(year=2019, number=11)
    printed = api_client("anonymous").get(f"/api/v1/issues/{issue.pk}/").json()["cases"]
    assert printed and not {"status", "transitions", "submitted_by", "subject"} & set(printed[0])
    full = api_client("staff").get(f"/api/v1/cases/{printed[0]['id']}/").json()
    assert full["status"] == "accepted" and "transitions" in full


def _grow_cases_with_their_review():
    """Forty more cases, each with its own writer, submitter and three logged steps."""
    for unit in Unit.objects.all()[:40]:
        writer = UserFactory()
        case = _case(unit, CaseStatus.RETURNED, created_by=writer, submitted_by=writer)
        CaseTransition.objects.bulk_create(
            CaseTransition(case=case, from_status=a, to_status=b, by=writer)
            for a, b in [("", "draft"), ("draft", "submitted"), ("submitted", "returned")]
        )


@pytest.mark.parametrize("role", ["staff", "reporter", "leader"])
def test_list_queries_are_flat_in_the_number_of_cases(api_client, reporter_unit, reporter_user, role):
    _case(reporter_unit, CaseStatus.SUBMITTED, created_by=reporter_user, submitted_by=reporter_user)
    client = api_client(role)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/cases/?page_size=1000")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()

    before, _ = count()
    _grow_cases_with_their_review()
    after, data = count()
    assert after == before <= 8 + THROTTLE_CACHE_QUERIES + TOKEN_USE_AUDIT_QUERIES, (before, after)
    if role != "reporter":
        assert data["count"] == 3 + 1 + 40  # the printed three, the reporter's and the forty
        assert sum(len(c["transitions"]) for c in data["results"]) >= 120


def test_a_source_unit_that_does_not_exist_is_not_found_naming_the_field(api_client, nothing_written):
    # Well formed (an id), so not the schema's 400: the unit is not there, as GET /units/0/ says.
    body = _refusal(_post(api_client("staff"), "/api/v1/cases/", {**CASE, "source_unit": 0}), 404)
    assert body["code"] == "not_found" and set(body["fields"]) == {"source_unit"}
    assert "source_unit：" in body["detail"] and "不存在" in body["detail"]
