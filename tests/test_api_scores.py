"""Scores over the API: the same figures as the scores page, live or frozen at year end."""

from decimal import Decimal

from assessment.models import Mark
from assessment.scoring.live import year_scores
from assessment.scoring.services import close_year


def test_staff_read_the_live_scores_as_the_page_computes_them(api_client):
    body = api_client("staff").get("/api/v1/scores/2019/").json()
    assert (body["year"], body["frozen"], body["version"]) == (2019, False, None)
    assert [c["category"] for c in body["categories"]] == ["区镇", "城市管理办事处", "部门"]
    expected = {c.category: [(u.unit_name, str(u.score)) for u in c.units] for c in year_scores(2019)}
    for category in body["categories"]:
        assert [(u["unit_name"], u["score"]) for u in category["units"]] == expected[category["category"]]
    departments = body["categories"][2]
    assert Decimal(departments["full_points"]) == Decimal("1.8")
    assert len(departments["units"]) == 54 and all(u["lines"] for u in departments["units"])


def test_after_the_year_is_closed_the_frozen_version_is_served(api_client, staff_user):
    # At the close every remaining * without an accepted explanation becomes a deduction.
    close_year(2019, staff_user, reason="")
    body = api_client("leader").get("/api/v1/scores/2019/").json()
    assert body["frozen"] is True and body["version"] == 1
    caizheng = next(u for u in body["categories"][2]["units"] if u["unit_name"] == "财政局")
    assert Decimal(caizheng["score"]) < Decimal("1.8")
    # A mark changed afterwards does not change the frozen result.
    mark = Mark.objects.get(unit__name="财政局", indicator__order=2, indicator__scheme__category__slug="departments")
    Mark.objects.filter(pk=mark.pk).update(state="√")
    again = api_client("leader").get("/api/v1/scores/2019/").json()
    assert again["categories"] == body["categories"]


def test_years_list_and_unknown_year(api_client):
    assert api_client("leader").get("/api/v1/scores/").json() == [2019]
    response = api_client("staff").get("/api/v1/scores/2031/")
    assert response.status_code == 404 and "没有考核方案" in response.json()["detail"]


def test_queries_are_flat_in_the_number_of_units(api_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import multiply_units

    client = api_client("staff")
    with CaptureQueriesContext(connection) as before:
        client.get("/api/v1/scores/2019/")
    multiply_units(3)
    with CaptureQueriesContext(connection) as after:
        body = client.get("/api/v1/scores/2019/").json()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert sum(len(c["units"]) for c in body["categories"]) == 210
