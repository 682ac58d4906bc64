"""Saving one cell of the entry grid: the JSON endpoint the grid's script posts to."""

import pytest
from django.test import Client

from assessment.marks.services import HOW, set_mark
from assessment.models import Mark

from .conftest import log_in
from .factories import IndicatorFactory, MarkFactory, SchemeUnitFactory, UserFactory

# A saved √ is done: no due mark left on the cell (assessment.due).
DONE = {"status": "done", "due_text": "", "due_title": ""}


@pytest.fixture
def mark(db):
    """财政局's second column: * in the printed issue."""
    return Mark.objects.get(unit__name="财政局", indicator__order=2, indicator__scheme__category__slug="departments")


def url(mark):
    return f"/assessment/marks/{mark.pk}/"


def snapshot(mark):
    mark.refresh_from_db()
    return mark.state, mark.count, mark.version, mark.history.count()


def test_staff_saves_a_cell_and_gets_the_new_version(role_client, mark, staff_user):
    response = role_client("staff").post(url(mark), {"value": "√", "version": "1"})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "value": "√", "version": 2, **DONE}
    mark.refresh_from_db()
    assert (mark.state, mark.version, mark.updated_by) == ("√", 2, staff_user)
    entry = mark.history.first()
    assert (entry.history_user, entry.history_change_reason, entry.prev_record.state) == (staff_user, HOW.GRID, "*")


@pytest.mark.parametrize(
    ("value", "reason"),
    [("无", "不是"), ("3", "不能填数量"), ("", "不能为空"), ("√√", "不是"), ("<b>√</b>", "不是")],
)
def test_value_outside_the_column_is_refused_with_the_reason(role_client, mark, value, reason):
    before = snapshot(mark)
    response = role_client("staff").post(url(mark), {"value": value, "version": "1"})
    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False and data["value"] == "*" and data["version"] == 1
    assert reason in data["error"]
    assert snapshot(mark) == before


def test_stale_version_is_409_with_who_changed_it_and_to_what(role_client, mark):
    colleague = UserFactory(username="zhang", first_name="张三")
    set_mark(mark, "非考核项", colleague, expected_version=1)
    before = snapshot(mark)
    response = role_client("staff").post(url(mark), {"value": "√", "version": "1"})
    assert response.status_code == 409
    data = response.json()
    assert data["stale"] is True and data["by"] == "张三"
    assert (data["value"], data["version"]) == ("非考核项", 2)
    assert "张三" in data["error"] and "非考核项" in data["error"] and "未保存" in data["error"]
    assert snapshot(mark) == before
    # The user decides to keep their value: a save against the version they were shown now works.
    response = role_client("staff").post(url(mark), {"value": "√", "version": "2"})
    assert response.json() == {"ok": True, "value": "√", "version": 3, **DONE}


def test_a_second_submit_of_the_same_value_is_not_a_conflict(role_client, mark):
    client = role_client("staff")
    assert client.post(url(mark), {"value": "√", "version": "1"}).json()["version"] == 2
    response = client.post(url(mark), {"value": "√", "version": "1"})
    assert response.status_code == 200 and response.json() == {"ok": True, "value": "√", "version": 2, **DONE}
    assert mark.history.count() == 2  # the demo entry and one change


def test_forged_fields_are_ignored(role_client, mark, leader_user):
    other = Mark.objects.get(unit__name="教育局", indicator=mark.indicator)
    response = role_client("staff").post(
        url(mark),
        {
            "value": "√",
            "version": "1",
            "state": "非考核项",
            "count": "9",
            "unit": other.unit_id,
            "updated_by": leader_user.pk,
            "version_": "7",
        },
    )
    assert response.status_code == 200
    mark.refresh_from_db()
    assert (mark.state, mark.count, mark.unit.name, mark.version) == ("√", None, "财政局", 2)
    assert mark.updated_by.username == "t_staff"
    other_before = other.state, other.version
    other.refresh_from_db()
    assert (other.state, other.version) == other_before


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "1.0"])
def test_missing_or_garbled_version_is_refused(role_client, mark, version):
    data = {"value": "√"} if version is None else {"value": "√", "version": version}
    before = snapshot(mark)
    response = role_client("staff").post(url(mark), data)
    assert response.status_code == 400 and "版本号" in response.json()["error"]
    assert snapshot(mark) == before


def test_a_derived_count_is_refused_in_the_grid(role_client):
    cases = Mark.objects.get(unit__name="发改委", indicator__accepts_count=True, indicator__scheme__year=2019)
    before = snapshot(cases)
    response = role_client("staff").post(url(cases), {"value": "7", "version": str(cases.version)})
    assert response.status_code == 400
    assert response.json()["error"] == "“奖惩案例”一栏由奖惩案例记录自动统计，不能直接填写数量。"
    assert response.json()["value"] == "6"  # what the cell shows: the cases counted
    assert snapshot(cases) == before == ("*", None, 1, 1)


def test_another_years_mark_is_checked_against_its_own_column(role_client):
    su = SchemeUnitFactory(scheme__year=2031)
    indicator = IndicatorFactory(scheme=su.scheme, allowed_states=["√", "*"])
    other_year = MarkFactory(unit=su.unit, indicator=indicator, state="*")
    response = role_client("staff").post(url(other_year), {"value": "非考核项", "version": "1"})
    assert response.status_code == 400 and "可填：√、*" in response.json()["error"]
    other_year.refresh_from_db()
    assert other_year.state == "*"


def test_unknown_mark_is_404(role_client):
    assert role_client("staff").post("/assessment/marks/999999/", {"value": "√", "version": "1"}).status_code == 404


def test_leader_post_is_403_and_writes_nothing(role_client, mark):
    before = snapshot(mark)
    response = role_client("leader").post(url(mark), {"value": "√", "version": "1"})
    assert response.status_code == 403
    assert snapshot(mark) == before


@pytest.mark.parametrize("role", ["reporter", "other_reporter"])
def test_reporter_post_is_404_even_for_their_own_unit(role_client, role):
    own = Mark.objects.get(unit__name="发改委", indicator__order=2, indicator__scheme__year=2019)
    before = snapshot(own)
    assert role_client(role).post(url(own), {"value": "*", "version": "1"}).status_code == 404
    assert snapshot(own) == before


def test_anonymous_post_goes_to_login_and_writes_nothing(role_client, mark):
    before = snapshot(mark)
    response = role_client("anonymous").post(url(mark), {"value": "√", "version": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert snapshot(mark) == before


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post_is_allowed(role_client, mark, method):
    assert getattr(role_client("staff"), method)(url(mark)).status_code == 405


def test_csrf_token_is_required(staff_user, mark):
    client = Client(enforce_csrf_checks=True)
    log_in(client, staff_user)
    assert client.post(url(mark), {"value": "√", "version": "1"}).status_code == 403
    html = client.get("/assessment/2019/departments/").content.decode()
    token = html.split('<meta name="csrf-token" content="')[1].split('"')[0]
    response = client.post(url(mark), {"value": "√", "version": "1"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.json()["ok"] is True


def test_a_saved_cell_shows_on_the_grid_and_in_the_summary(role_client, mark):
    from .grid_html import parse_grid

    client = role_client("staff")
    before = parse_grid(client.get("/assessment/2019/departments/").content.decode())
    client.post(url(mark), {"value": "√", "version": "1"})
    after = parse_grid(client.get("/assessment/2019/departments/").content.decode())
    cell = after.row("财政局")[1]
    assert (cell.value, cell.version) == ("√", 2)
    assert after.summary[1]["done"] == before.summary[1]["done"] + 1
    assert after.summary[1]["pending"] == before.summary[1]["pending"] - 1
