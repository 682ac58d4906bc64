"""The current year is the latest year with a published issue unless one is chosen: starting 2020 does not
send the overview, the scores, the grid or the case pages to an empty 2020."""

import datetime

import pytest

from assessment import years
from assessment.marks.services import start_new_year
from bulletins.services import create_issue, publish_issue

REDIRECTS = {
    "/overview/": "/overview/{year}/",
    "/assessment/scores/": "/assessment/{year}/scores/",
    "/assessment/": "/assessment/{year}/",
}


@pytest.fixture
def started_2020(staff_user):
    start_new_year(2019, staff_user)


def _targets(client):
    return {url: client.get(url)["Location"] for url in REDIRECTS}


def test_right_after_starting_2020_pages_stay_on_2019(role_client, started_2020):
    assert years.current_year() == 2019 and years.latest_scheme_year() == 2020
    for role in ("staff", "leader"):
        assert _targets(role_client(role)) == {url: t.format(year=2019) for url, t in REDIRECTS.items()}
    assert 'href="/cases/2019/"' in role_client("staff").get("/cases/").content.decode()  # 季度报送情况


def test_2020_is_still_there_when_chosen(role_client, started_2020):
    client = role_client("leader")
    assert client.get("/overview/2020/").status_code == 200
    assert client.get("/assessment/2020/scores/").status_code == 200


def test_the_first_published_2020_issue_makes_2020_current(role_client, started_2020, staff_user):
    issue = create_issue(year=2020, number=1, date=datetime.date(2020, 1, 20))
    assert years.current_year() == 2019  # a draft changes nothing
    publish_issue(issue, staff_user)
    assert years.current_year() == 2020
    assert _targets(role_client("leader")) == {url: t.format(year=2020) for url, t in REDIRECTS.items()}


def test_without_published_issues_the_latest_scheme_year_is_current(started_2020):
    from bulletins.models import Issue

    Issue.objects.update(current_version=None)
    assert years.current_year() == 2020
