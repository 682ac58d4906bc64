"""/cases/ and the review queue: who sees which cases, filters, search, pages, queries flat in the cases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Unit
from cases.models import Case, CaseKind, CaseStatus

from .conftest import MENU_TODO_QUERIES
from .factories import CaseFactory


def _case(unit_name, title, **kwargs):
    unit = Unit.objects.get(name=unit_name)
    kwargs.setdefault("status", CaseStatus.SUBMITTED)
    return CaseFactory(source_unit=unit, source_label=unit.name, year=2019, title=title, **kwargs)


@pytest.fixture
def some_cases(db):
    return [
        _case("发改委", "发改委守信案例", quarter=1),
        _case("发改委", "发改委惩戒案例", kind=CaseKind.PENALTY, quarter=2, status=CaseStatus.ACCEPTED),
        _case("教育局", "教育局案例", quarter=2, body="校外培训机构失信惩戒"),
        _case("昆山开发区", "开发区案例", quarter=3, status=CaseStatus.DRAFT),
    ]


def _titles(response):
    page = response.content.decode()
    return {c.title for c in Case.objects.all() if f">{c.title}</a>" in page}


def test_staff_and_leaders_see_every_case(role_client, some_cases):
    for role in ("staff", "leader"):
        titles = _titles(role_client(role).get("/cases/"))
        assert {c.title for c in some_cases} <= titles


def test_a_reporter_sees_only_its_own_units_cases(role_client, some_cases):
    assert _titles(role_client("reporter").get("/cases/")) == {"发改委守信案例", "发改委惩戒案例"}
    assert _titles(role_client("other_reporter").get("/cases/")) == {"教育局案例"}
    # and cannot widen it by asking for another unit
    other = Unit.objects.get(name="教育局")
    assert _titles(role_client("reporter").get(f"/cases/?unit={other.pk}")) == {"发改委守信案例", "发改委惩戒案例"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending", {"发改委守信案例", "教育局案例"}),
        ("status=accepted", {"发改委惩戒案例"}),
        ("kind=penalty", {"发改委惩戒案例"}),
        ("quarter=2", {"发改委惩戒案例", "教育局案例"}),
        ("q=校外培训", {"教育局案例"}),
        ("q=开发区", {"开发区案例"}),
    ],
)
def test_filters_and_search(role_client, some_cases, query, expected):
    titles = _titles(role_client("staff").get(f"/cases/?year=2019&{query}"))
    assert (
        titles - {"企业燃眉之急“马上办”", "告知承诺 助力工程建设项目审批提速增效", "我市车库出租住人整治率超 93%"}
        == expected
    )


def test_filter_by_unit_and_category(role_client, some_cases):
    unit = Unit.objects.get(name="教育局")
    assert _titles(role_client("staff").get(f"/cases/?unit={unit.pk}")) == {"教育局案例"}
    towns = Unit.objects.get(name="昆山开发区").category
    assert _titles(role_client("staff").get(f"/cases/?category={towns.pk}")) == {"开发区案例"}


def test_review_queue_defaults_to_pending_and_keeps_filters(role_client, some_cases):
    client = role_client("staff")
    assert _titles(client.get("/cases/review/")) == {"发改委守信案例", "教育局案例"}
    assert _titles(client.get("/cases/review/?kind=penalty&status=")) == {
        "发改委惩戒案例",
        "我市车库出租住人整治率超 93%",
    }


def test_pages_of_twenty(role_client, reporter_unit):
    for i in range(45):
        _case("发改委", f"分页案例{i:02d}")
    client = role_client("reporter")
    first = client.get("/cases/?q=分页案例").content.decode()
    assert "第 1 / 3 页，共 45 个案例" in first and "下一页" in first
    last = client.get("/cases/?q=分页案例&page=3")
    assert len(_titles(last)) == 5


def test_bad_filters_show_nothing_rather_than_everything(role_client, some_cases):
    response = role_client("staff").get("/cases/?quarter=9")
    assert response.status_code == 200 and _titles(response) == set()
    assert "筛选条件有误" in response.content.decode()


def _bulk(n, unit_name="发改委"):
    unit = Unit.objects.get(name=unit_name)
    Case.objects.bulk_create(
        Case(kind="reward", title=f"批量{i}", body="正文", source_unit=unit, source_label="x", year=2019, quarter=1)
        for i in range(n)
    )


@pytest.mark.parametrize(("role", "url"), [("staff", "/cases/"), ("reporter", "/cases/"), ("staff", "/cases/review/")])
def test_query_count_is_flat_in_the_number_of_cases(role_client, django_assert_num_queries, role, url):
    client = role_client(role)
    _bulk(3)
    Case.objects.update(status=CaseStatus.SUBMITTED)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _bulk(300)
    Case.objects.update(status=CaseStatus.SUBMITTED)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("/cases/case/") >= 20
    assert len(few.captured_queries) <= 12 + MENU_TODO_QUERIES[role]


def test_case_page_queries_do_not_grow_with_attachments_or_steps(
    role_client, reporter_case, media_root, django_assert_num_queries
):
    from .factories import CaseAttachmentFactory

    client = role_client("staff")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/cases/case/{reporter_case.pk}/")
    for _ in range(5):
        CaseAttachmentFactory(case=reporter_case, file__data=b"%PDF-1.4")
        reporter_case.transitions.create(from_status="draft", to_status="submitted")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(f"/cases/case/{reporter_case.pk}/")


def test_published_cases_are_public_through_the_bulletin_only(client, db):
    case = Case.objects.get(source_label="市行政审批局")
    assert client.get(f"/cases/case/{case.pk}/")["Location"].startswith("/accounts/login/")
    assert client.get("/cases/")["Location"].startswith("/accounts/login/")
    assert case.title in client.get("/bulletins/2019/11/").content.decode()
