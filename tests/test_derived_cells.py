"""A derived cell (奖惩案例, counted from the case records) is refused on every write path, in one message.

The rule lives in one place (Indicator.check_value asks assessment.derived), so the grid, the bulk set,
the Excel import, the API's single and batch writes and the admin all refuse a typed number the same way,
and nothing is written. The column's words (非考核项…) stay writable: a unit may owe no cases.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from assessment.marks.services import set_mark
from assessment.models import ImportSession, Indicator, Mark
from core.errors import DomainError

from .conftest import log_in

MESSAGE = "“奖惩案例”一栏由奖惩案例记录自动统计，不能直接填写数量。"


@pytest.fixture
def cases_mark(db):
    return Mark.objects.select_related("indicator").get(
        unit__name="发改委", indicator__scheme__year=2019, indicator__accepts_count=True
    )


def _state(mark):
    mark = Mark.objects.get(pk=mark.pk)
    return mark.state, mark.count, mark.version, mark.history.count()


def test_the_service(cases_mark, staff_user):
    before = _state(cases_mark)
    with pytest.raises(DomainError, match=MESSAGE):
        set_mark(cases_mark, "4", staff_user)
    assert _state(cases_mark) == before == ("*", None, 1, 1)


def test_the_grid(role_client, cases_mark):
    response = role_client("staff").post(f"/assessment/marks/{cases_mark.pk}/", {"value": "4", "version": "1"})
    assert (response.status_code, response.json()["error"], response.json()["value"]) == (400, MESSAGE, "6")
    assert _state(cases_mark) == ("*", None, 1, 1)


def test_the_bulk_set(role_client, cases_mark):
    client = role_client("staff")
    url = "/assessment/2019/departments/bulk/"
    response = client.post(url, {"indicator": cases_mark.indicator_id, "value": "4", "cell": f"{cases_mark.pk}:1"})
    assert any(MESSAGE in str(m) for m in response.wsgi_request._messages)
    assert _state(cases_mark) == ("*", None, 1, 1)


def test_the_import(role_client, cases_mark):
    client = role_client("staff")
    wb = load_workbook(io.BytesIO(b"".join(client.get("/assessment/2019/progress.xlsx").streaming_content)))
    ws = wb["部门"]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "发改委")
    assert ws.cell(row, 9).value == 6  # what the cell shows, exported as a number
    ws.cell(row, 9).value = 4
    out = io.BytesIO()
    wb.save(out)
    response = client.post("/assessment/2019/import/", {"file": SimpleUploadedFile("进度.xlsx", out.getvalue())})
    session = ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])
    assert [e["message"] for e in session.errors] == [f"发改委：{MESSAGE}"]
    assert _state(cases_mark) == ("*", None, 1, 1)


def test_the_api_single_and_batch(api_client, cases_mark):
    client = api_client("staff")
    response = client.patch(f"/api/v1/marks/{cases_mark.pk}/", {"value": "4", "version": 1}, format="json")
    assert (response.status_code, response.json()["detail"]) == (409, MESSAGE)
    other = Mark.objects.get(unit__name="财政局", indicator__scheme__year=2019, indicator__order=2)
    response = client.post(
        "/api/v1/marks/batch/",
        {"changes": [{"id": other.pk, "value": "√", "version": 1}, {"id": cases_mark.pk, "value": "4", "version": 1}]},
        format="json",
    )
    assert response.status_code == 409 and MESSAGE in response.json()["detail"]
    assert _state(cases_mark) == ("*", None, 1, 1)
    assert Mark.objects.get(pk=other.pk).state == "*"  # all or nothing


def test_the_admin(client, staff_user, cases_mark):
    staff_user.is_staff = staff_user.is_superuser = True
    staff_user.save()
    log_in(client, staff_user)
    response = client.post(
        f"/admin/assessment/mark/{cases_mark.pk}/change/",
        {"unit": cases_mark.unit_id, "indicator": cases_mark.indicator_id, "state": "", "count": "4"},
    )
    assert response.status_code == 200 and MESSAGE in response.content.decode()
    assert _state(cases_mark) == ("*", None, 1, 1)


def test_the_words_of_the_column_stay_writable(role_client, cases_mark):
    """非考核项 on the cases column: the unit owes no cases, and every consumer says so."""
    response = role_client("staff").post(f"/assessment/marks/{cases_mark.pk}/", {"value": "非考核项", "version": "1"})
    answer = response.json()
    assert (answer["ok"], answer["value"], answer["version"], answer["status"]) == (True, "非考核项", 2, "not_assessed")
    quarterly = role_client("staff").get("/cases/2019/").context["sections"][0]
    assert next(r for r in quarterly.rows if r.unit.name == "发改委").deduction is None
    assert Indicator.objects.get(pk=cases_mark.indicator_id).is_derived
