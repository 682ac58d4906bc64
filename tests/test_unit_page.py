"""A unit's own page: its marks for a year, what is still *, its requests and its history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import cells
from assessment.marks.services import HOW, set_mark
from assessment.models import Indicator, Mark, MarkRequest, SchemeUnit

from .factories import IndicatorFactory, SchemeFactory, UnitFactory


def _mark(unit_name, order):
    return Mark.objects.get(unit__name=unit_name, indicator__order=order, indicator__scheme__year=2019)


@pytest.fixture
def pending(reporter_unit, staff_user):
    """发改委's 信用审查 column set back to * by the office."""
    return set_mark(_mark("发改委", 5), "*", staff_user)


def test_reporter_sees_own_marks_what_is_left_and_the_history(role_client, reporter_unit, pending):
    response = role_client("reporter").get(f"/units/{reporter_unit.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "发改委 · 2019年度" in page
    rows = {r["indicator"].order: r for r in response.context["rows"]}
    assert [rows[o]["cell"].value for o in sorted(rows)] == [
        "√",
        "√",
        "√",
        "√",
        "*",
        "非考核项",
        "已说明情况",
        "6",
        "√",
        "无",
    ]
    assert [r["indicator"].order for r in response.context["pending_rows"]] == [5]
    assert rows[5]["can_request"] and rows[5]["can_explain"]
    assert "报告已完成" in page and "提交情况说明" in page
    newest = response.context["history"][0]
    assert (newest.indicator.title, newest.old, newest.new) == (
        "(参照条线) 应用信用审查或信用报告",
        "√",
        "*",
    )
    assert newest.how == HOW.GRID and "t_staff" in page
    assert f'href="/units/{reporter_unit.pk}/"' in page  # 本单位 in the navigation


def test_office_and_leaders_read_any_unit_without_request_buttons(role_client, reporter_unit, pending):
    for role in ("staff", "leader"):
        response = role_client(role).get(f"/units/{reporter_unit.pk}/")
        assert response.status_code == 200
        assert "报告已完成" not in response.content.decode()
        assert not any(r["can_request"] for r in response.context["rows"])


def test_another_units_page_is_not_found_for_a_reporter_and_login_for_anonymous(role_client, reporter_unit):
    assert role_client("other_reporter").get(f"/units/{reporter_unit.pk}/").status_code == 404
    response = role_client("anonymous").get(f"/units/{reporter_unit.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_year_is_selectable_and_defaults_to_the_latest(role_client, reporter_unit):
    scheme = SchemeFactory(year=2018, category=reporter_unit.category)
    indicator = IndicatorFactory(scheme=scheme, order=1, title="二〇一八年的指标")
    SchemeUnit.objects.create(scheme=scheme, unit=reporter_unit, order=1)
    Mark.objects.create(unit=reporter_unit, indicator=indicator, state="*")
    client = role_client("reporter")
    latest = client.get(f"/units/{reporter_unit.pk}/")
    assert latest.context["scheme"].year == 2019 and latest.context["years"] == [2019, 2018]
    older = client.get(f"/units/{reporter_unit.pk}/?year=2018")
    assert "二〇一八年的指标" in older.content.decode()
    # Only the current year's * items can be reported.
    assert [r["can_request"] for r in older.context["rows"]] == [False]
    assert client.get(f"/units/{reporter_unit.pk}/?year=2017").status_code == 404
    assert client.get(f"/units/{reporter_unit.pk}/?year=abc").status_code == 404


def test_the_outcome_of_a_request_shows_on_the_unit_page(role_client, reporter_unit, reporter_user, pending):
    MarkRequest.objects.create(
        mark=pending,
        kind="explained",
        text="条线未部署。",
        submitted_by=reporter_user,
        status="returned",
        reason="请补充文件依据",
    )
    page = role_client("reporter").get(f"/units/{reporter_unit.pk}/").content.decode()
    assert "已退回" in page and "请补充文件依据" in page and "条线未部署。" in page


def test_unit_list_for_the_office_and_redirect_for_reporters(role_client, reporter_unit, reporter_user):
    mark = _mark("人武部", 4)
    for status in ("returned", "submitted"):
        MarkRequest.objects.create(mark=mark, kind="done", text="好了", submitted_by=reporter_user, status=status)
    response = role_client("staff").get("/units/")
    units = list(response.context["units"])
    assert len(units) == 70
    army = next(u for u in units if u.name == "人武部")
    assert (army.pending, army.open_requests) == (5, 1)  # columns 4, 5, 7, 8, 9 as printed
    # each name links its unit's page
    assert f'<a href="/units/{army.pk}/">人武部</a>' in response.content.decode()
    assert role_client("staff").get(f"/units/{army.pk}/").status_code == 200
    response = role_client("reporter").get("/units/")
    assert response.status_code == 302 and response["Location"] == f"/units/{reporter_unit.pk}/"


def _add_department_units(n):
    scheme = SchemeUnit.objects.filter(scheme__year=2019, scheme__category__slug="departments").first().scheme
    indicators = list(Indicator.objects.filter(scheme=scheme))
    for _ in range(n):
        unit = UnitFactory(category=scheme.category)
        SchemeUnit.objects.create(scheme=scheme, unit=unit, order=900 + unit.pk)
        for ind in indicators:
            Mark.objects.create(
                unit=unit,
                indicator=ind,
                state="*" if ind.accepts_count else "*" if "*" in ind.allowed_states else ind.allowed_states[0],
            )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["reporter", "staff"])
def test_unit_page_queries_stay_flat(role_client, reporter_unit, reporter_user, staff_user, role):
    client = role_client(role)
    url = f"/units/{reporter_unit.pk}/"
    few = _queries(client, url)
    _add_department_units(25)
    # More history and more requests for the unit itself don't add queries either.
    for state in ("*", "√", "*"):
        set_mark(_mark("发改委", 4), state, staff_user)
    MarkRequest.objects.create(mark=_mark("发改委", 4), kind="done", text="好了", submitted_by=reporter_user)
    many = _queries(client, url)
    assert few == many, (few, many)


def test_unit_list_queries_stay_flat(role_client):
    client = role_client("staff")
    few = _queries(client, "/units/")
    _add_department_units(25)
    assert _queries(client, "/units/") == few


def test_unit_list_shows_100_units_a_page_with_their_counts(role_client):
    _add_department_units(40)  # 110 units
    client = role_client("staff")
    first = client.get("/units/")
    assert len(first.context["units"]) == 100
    assert "第 1 / 2 页，共 110 个单位" in first.content.decode()
    last = client.get("/units/?page=2")
    units = list(last.context["units"])
    assert len(units) == 10
    every = cells.pending_by_unit(cells.year_cells(2019)[1])  # counted from every Cell of the year
    assert [u.pending for u in units] == [every.get(u.pk, 0) for u in units]
    assert units[-1].pending > 0
    assert {u.pk for u in first.context["units"]}.isdisjoint(u.pk for u in units)
