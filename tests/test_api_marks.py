"""Setting marks over the API: the rules of services.set_mark / bulk_set_marks, refusals in Chinese."""

import pytest

from assessment.marks.services import HOW, set_mark, undo_batch
from assessment.models import ChangeBatch, Mark

from .conftest import log_in


def _cell(unit, order=2, category="departments"):
    return Mark.objects.select_related("unit", "indicator").get(
        unit__name=unit, indicator__order=order, indicator__scheme__category__slug=category
    )


def _patch(client, mark, body):
    return client.patch(f"/api/v1/marks/{mark.pk}/", body, format="json")


def test_staff_sets_one_mark_with_history_saying_who_and_how(api_client, office_system_user):
    mark = _cell("财政局")  # * in the printed issue
    response = _patch(api_client("staff"), mark, {"value": "√", "version": mark.version})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["value"], body["state"], body["version"]) == (mark.pk, "√", "√", 2)
    assert body["unit_name"] == "财政局" and body["updated_by"] == "t_office_system"  # the office's system account
    mark.refresh_from_db()
    assert (mark.state, mark.version, mark.updated_by) == ("√", 2, office_system_user)
    entry = mark.history.first()
    assert entry.history_user == office_system_user and entry.history_change_reason == HOW.API


def test_a_derived_count_is_refused_as_the_grid_refuses_it(api_client):
    mark = Mark.objects.select_related("indicator").filter(indicator__accepts_count=True, unit__name="发改委").first()
    response = _patch(api_client("staff"), mark, {"value": "4", "version": mark.version})
    assert response.status_code == 409
    assert response.json()["detail"] == "“奖惩案例”一栏由奖惩案例记录自动统计，不能直接填写数量。"
    body = api_client("staff").get(f"/api/v1/marks/{mark.pk}/").json()
    assert (body["value"], body["count"], body["state"], body["derived"], body["version"]) == ("6", 6, "", True, 1)


def test_value_outside_the_column_is_refused_in_the_domain_words(api_client):
    mark = _cell("财政局")
    response = _patch(api_client("staff"), mark, {"value": "无", "version": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "refused" and "不是" in body["detail"] and mark.indicator.title in body["detail"]
    response = _patch(api_client("staff"), mark, {"value": "3", "version": 1})
    assert response.status_code == 409 and "不能填数量" in response.json()["detail"]
    mark.refresh_from_db()
    assert (mark.state, mark.version) == ("*", 1)


def test_missing_fields_are_named(api_client):
    mark = _cell("财政局")
    response = _patch(api_client("staff"), mark, {"value": ""})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"value", "version"}
    assert "value：" in body["detail"] and "version：" in body["detail"]
    assert all("\u4e00" <= ch <= "\u9fff" for ch in body["fields"]["version"][0][:2])  # Chinese text


def test_stale_version_is_refused_with_409_who_and_what(api_client, leader_user):
    mark = _cell("财政局")
    set_mark(mark, "非考核项", leader_user, expected_version=1)  # someone else saved it meanwhile
    response = _patch(api_client("staff"), mark, {"value": "√", "version": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale" and "t_leader" in body["detail"] and "非考核项" in body["detail"]
    assert body["current"]["value"] == "非考核项" and body["current"]["version"] == 2
    assert body["current"]["updated_by"] == "t_leader"
    assert body["current"]["updated_at"] == api_client("staff").get(f"/api/v1/marks/{mark.pk}/").json()["updated_at"]
    mark.refresh_from_db()
    assert mark.state == "非考核项"


def test_unchanged_value_writes_nothing(api_client):
    mark = _cell("财政局")
    response = _patch(api_client("staff"), mark, {"value": "*", "version": 1})
    assert response.status_code == 200 and response.json()["version"] == 1
    assert mark.history.count() == 1


@pytest.mark.parametrize("role", ["leader", "reporter"])
def test_only_staff_write(api_client, role):
    mark = _cell("发改委")
    response = _patch(api_client(role), mark, {"value": "√", "version": mark.version})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["detail"] in ("领导账号只能查看，不能修改。", "只有市信用办可以进行这项操作。")
    batch = api_client(role).post(
        "/api/v1/marks/batch/", {"changes": [{"id": mark.pk, "value": "√", "version": 1}]}, format="json"
    )
    assert batch.status_code == 403
    mark.refresh_from_db()
    assert mark.version == 1


# --- batches


def _batch(client, changes, description="接口测试"):
    return client.post("/api/v1/marks/batch/", {"description": description, "changes": changes}, format="json")


def test_batch_is_one_undoable_batch(api_client, staff_user, office_system_user):
    cells = [_cell("财政局"), _cell("烟草专卖局")]  # both * in the printed issue
    response = _batch(api_client("staff"), [{"id": m.pk, "value": "√", "version": m.version} for m in cells])
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["changed"] == 2 and {m["value"] for m in body["marks"]} == {"√"}
    batch = ChangeBatch.objects.get(pk=body["batch"])
    assert (batch.how, batch.description, batch.created_by) == (HOW.API, "接口测试", office_system_user)
    undo_batch(batch, staff_user)
    assert {_cell("财政局").state, _cell("烟草专卖局").state} == {"*"}


def test_batch_is_all_or_nothing(api_client):
    good, bad = _cell("财政局"), _cell("发改委", order=10)  # the serious-event column takes no √
    response = _batch(
        api_client("staff"),
        [{"id": good.pk, "value": "√", "version": 1}, {"id": bad.pk, "value": "√", "version": bad.version}],
    )
    assert response.status_code == 409
    assert response.json()["code"] == "refused" and "发改委" in response.json()["detail"]
    good.refresh_from_db()
    assert (good.state, good.version) == ("*", 1)
    assert not ChangeBatch.objects.exists()


def test_batch_with_a_stale_cell_is_409_and_changes_nothing(api_client, leader_user):
    first, stale = _cell("财政局"), _cell("烟草专卖局")
    set_mark(stale, "非考核项", leader_user, expected_version=1)
    response = _batch(
        api_client("staff"),
        [{"id": first.pk, "value": "√", "version": 1}, {"id": stale.pk, "value": "√", "version": 1}],
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale" and "烟草专卖局" in body["detail"] and "t_leader" in body["detail"]
    assert body["current"] == {**body["current"], "id": stale.pk, "value": "非考核项", "version": 2}
    first.refresh_from_db()
    assert first.state == "*"


def test_batch_names_unknown_and_repeated_cells(api_client):
    mark = _cell("财政局")
    response = _batch(
        api_client("staff"),
        [{"id": mark.pk, "value": "√", "version": 1}, {"id": 999999999, "value": "√", "version": 1}],
    )
    assert response.status_code == 404 and response.json()["fields"] == {"changes.1.id": ["没有找到这个单元格。"]}
    assert response.json()["code"] == "not_found"
    response = _batch(
        api_client("staff"),
        [{"id": mark.pk, "value": "√", "version": 1}, {"id": mark.pk, "value": "*", "version": 1}],
    )
    assert response.status_code == 409 and "重复" in response.json()["fields"]["changes"][0]
    response = _batch(api_client("staff"), [{"id": mark.pk, "version": 1}, {"id": mark.pk, "value": "√"}])
    assert set(response.json()["fields"]) == {"changes.0.value", "changes.1.version"}
    response = _batch(api_client("staff"), [])
    assert response.status_code == 400 and "changes" in response.json()["fields"]
    mark.refresh_from_db()
    assert mark.version == 1


def test_batch_without_any_change_makes_no_batch(api_client):
    mark = _cell("财政局")
    response = _batch(api_client("staff"), [{"id": mark.pk, "value": "*", "version": 1}])
    assert response.status_code == 200
    assert response.json()["batch"] is None and response.json()["changed"] == 0
    assert not ChangeBatch.objects.exists()


def test_browser_session_writes_need_the_csrf_token(client, staff_user):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    log_in(csrf_client, staff_user)
    mark = _cell("财政局")
    response = csrf_client.patch(
        f"/api/v1/marks/{mark.pk}/", {"value": "√", "version": 1}, content_type="application/json"
    )
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    mark.refresh_from_db()
    assert mark.state == "*"
