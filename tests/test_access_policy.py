"""The access policy itself (assessment.access): who reaches what, and one state rule asked by every path.

The permission matrix (tests/test_permissions.py) drives every URL; these tests drive the predicates, the
view decorator and the case rule the page, the API and the service must agree on.
"""

import pytest
from django.test import RequestFactory

from assessment import access
from cases import services
from cases.models import CaseStatus
from core.errors import DomainError

from .factories import CaseFactory


@pytest.mark.parametrize(
    ("user", "role", "read_all", "own_unit", "edit_marks", "manage", "write_cases", "review"),
    [
        ("staff_user", access.STAFF, True, True, True, True, True, True),
        ("reporter_user", access.REPORTER, False, True, False, False, True, False),
        ("other_reporter_user", access.REPORTER, False, False, False, False, True, False),
        ("leader_user", access.LEADER, True, True, False, False, False, False),
        ("norole_user", access.NO_ROLE, False, False, False, False, False, False),
    ],
)
def test_roles_and_what_they_reach(
    request, reporter_unit, user, role, read_all, own_unit, edit_marks, manage, write_cases, review
):
    user = request.getfixturevalue(user)
    assert access.role_of(user) == role
    assert access.can_read_all(user) is read_all
    assert access.can_view_unit(user, reporter_unit) is own_unit
    assert access.can_view_unit(user, reporter_unit.pk) is own_unit  # a unit or its id
    assert access.can_edit_marks(user) is edit_marks
    assert access.can_manage(user) is manage
    assert access.can_write_cases(user) is write_cases
    assert access.can_review_cases(user) is review
    can = access.capabilities(user)
    assert (can.read_all, can.edit_marks, can.manage, can.write_cases, can.review_cases) == (
        read_all,
        edit_marks,
        manage,
        write_cases,
        review,
    )


def _case(reporter_user, status):
    """A 2019 case of 发改委 (the reporter's unit) in `status`."""
    return CaseFactory(
        source_unit=reporter_user.reporter.unit,
        source_label="市发改委",
        year=2019,
        quarter=4,
        status=status,
        subject="某企业",
        measure="列入红名单",
    )


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        (CaseStatus.DRAFT, None),
        (CaseStatus.RETURNED, None),
        (CaseStatus.WITHDRAWN, None),
        (CaseStatus.SUBMITTED, "案例正在等待审核，请先撤回再修改。"),
        (CaseStatus.RESUBMITTED, "案例正在等待审核，请先撤回再修改。"),
        (CaseStatus.ACCEPTED, "该案例已采用，不能再修改。"),
    ],
)
def test_a_cases_edit_rule_is_the_same_for_predicate_page_and_service(
    role_client, reporter_user, staff_user, status, refusal
):
    case = _case(reporter_user, status)
    assert case.unit_edit_refusal == refusal
    assert access.can_edit_case(reporter_user, case) is (refusal is None)
    assert access.can_edit_case(staff_user, case)  # the office corrects any case
    page = role_client("reporter").get(f"/cases/case/{case.pk}/edit/")
    detail = role_client("reporter").get(f"/cases/case/{case.pk}/").content.decode()
    edit_link = f'href="/cases/case/{case.pk}/edit/"'
    if refusal is None:
        assert page.status_code == 200 and edit_link in detail
        services.update_case(case, reporter_user, {"title": "改过的标题"})
    else:
        assert page.status_code == 403 and refusal in page.content.decode()
        assert edit_link not in detail
        with pytest.raises(DomainError, match=refusal):
            services.update_case(case, reporter_user, {"title": "改过的标题"})


def test_another_units_case_is_out_of_reach_everywhere(other_reporter_user, reporter_user, api_client, role_client):
    case = _case(reporter_user, CaseStatus.DRAFT)
    assert not access.can_view_case(other_reporter_user, case)
    assert not access.can_edit_case(other_reporter_user, case)
    assert role_client("other_reporter").get(f"/cases/case/{case.pk}/").status_code == 404
    assert api_client("other_reporter").get(f"/api/v1/cases/{case.pk}/").status_code == 404
    with pytest.raises(DomainError, match="只能处理本单位的案例"):
        services.update_case(case, other_reporter_user, {"title": "x"})


def test_only_the_units_reporter_may_request(reporter_user, other_reporter_user, staff_user, leader_user):
    from assessment.models import Mark

    mark = Mark.objects.filter(unit=reporter_user.reporter.unit).first()
    assert access.can_request(reporter_user, mark)
    for user in (other_reporter_user, staff_user, leader_user):
        assert not access.can_request(user, mark)


def _view(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


@pytest.mark.parametrize(
    ("user", "get", "post"),
    [
        ("staff_user", 200, 200),
        ("leader_user", 200, 403),
        ("reporter_user", 404, 404),
        ("norole_user", 404, 404),
    ],
)
def test_require_checks_login_then_reach_then_permission(db, request, user, get, post):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    view = access.require(visible=access.can_read_all, write=access.can_manage)(_view)
    for method, expected in (("get", get), ("post", post)):
        http_request = getattr(RequestFactory(), method)("/x/")
        http_request.user = request.getfixturevalue(user)
        try:
            status = view(http_request).status_code
        except Http404:
            status = 404
        except PermissionDenied as exc:
            status = 403
            assert str(exc) == access.denied_message(http_request.user)
        assert status == expected, (user, method)


def test_require_sends_anonymous_visitors_to_the_login_page(db):
    from django.contrib.auth.models import AnonymousUser

    http_request = RequestFactory().get("/x/?a=1")
    http_request.user = AnonymousUser()
    response = access.require()(_view)(http_request)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/x/")
