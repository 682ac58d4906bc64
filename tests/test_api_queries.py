"""Query counts of the API's lists stay flat when the number of rows grows."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import access
from assessment.models import Category, Unit
from bulletins.models import Issue
from bulletins.services import publish_issue

from .conftest import THROTTLE_CACHE_QUERIES, TOKEN_USE_AUDIT_QUERIES, log_in
from .factories import (
    CaseFactory,
    IndicatorFactory,
    IssueFactory,
    NoteFactory,
    SchemeFactory,
    TokenFactory,
    UserFactory,
    multiply_units,
)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


def _grow_schemes():
    for category in Category.objects.all():
        scheme = SchemeFactory(year=2031, category=category)
        indicators = IndicatorFactory.create_batch(6, scheme=scheme)
        for note in NoteFactory.create_batch(3, scheme=scheme):
            note.indicators.set(indicators[:2])


def _grow_cases():
    for unit in Unit.objects.all()[:40]:
        CaseFactory(source_unit=unit, source_label=unit.name)


def _grow_issues():
    IssueFactory.create_batch(20)


@pytest.mark.parametrize(
    ("url", "grow", "rows"),
    [
        ("/api/v1/units/?page_size=1000", lambda: multiply_units(5), 350),
        ("/api/v1/marks/?page_size=1000", lambda: multiply_units(5), 1000),
        ("/api/v1/marks/?category=departments&page_size=1000", lambda: multiply_units(5), 1000),
        ("/api/v1/schemes/", _grow_schemes, 6),
        ("/api/v1/cases/", _grow_cases, 44),
        ("/api/v1/issues/", _grow_issues, 21),
        ("/api/v1/categories/", lambda: None, 3),
    ],
)
@pytest.mark.parametrize("role", ["staff", "reporter"])
def test_list_queries_are_flat(api_client, reporter_unit, url, grow, rows, role):
    CaseFactory(source_unit=reporter_unit, source_label="市发改委")  # a non-empty page for the reporter too
    client = api_client(role)
    before, _ = _queries(client, url)
    grow()
    after, response = _queries(client, url)
    # A page that holds derived cells (奖惩案例) counts them in one more query; growth never adds any.
    assert after <= before, f"{url}: {before} → {after} queries"
    # schemes: indicators, their notes, notes, their indicators, rule groups
    assert before <= 12 + THROTTLE_CACHE_QUERIES + TOKEN_USE_AUDIT_QUERIES
    if role == "staff":
        assert len(response.json()["results"]) == rows


def test_issue_detail_queries_are_flat_in_the_number_of_units(api_client):
    issue = Issue.objects.get(year=2019, number=11)
    client = api_client("anonymous")
    before, _ = _queries(client, f"/api/v1/issues/{issue.pk}/")
    multiply_units(5)
    # A published issue serves its frozen tables: a correction taking the current marks brings the new units in.
    publish_issue(issue, None, reason="加入单位", keep_tables=False)
    after, response = _queries(client, f"/api/v1/issues/{issue.pk}/")
    assert after == before <= 12 + THROTTLE_CACHE_QUERIES
    assert sum(len(t["rows"]) for t in response.json()["tables"]) == 350


def test_token_page_queries_are_flat(client, staff_user):
    log_in(client, staff_user)
    before, _ = _queries(client, "/api/tokens/")
    reporters = Group.objects.get(name=access.REPORTER_GROUP)
    for unit in Unit.objects.all()[:30]:
        user = UserFactory()
        user.groups.add(reporters)
        user.reporter = unit.reporters.create(user=user)
        TokenFactory(user=user)
    after, response = _queries(client, "/api/tokens/")
    assert after == before
    assert response.content.decode().count("已生成") == 30
