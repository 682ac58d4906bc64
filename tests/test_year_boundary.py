"""The year boundary: issue numbers restart each year, “新建一期” proposes the year and number from the date,
the first issue of a year compares with the previous year's last issue by unit and indicator title (never an
empty sentence, never “no change” from two different tables), and every page and role share one current year.

The clock is the portal's today (`assessment.due.today`), set with the `on_day` fixture.
"""

import datetime

import pytest

from assessment import years
from assessment.marks.services import start_new_year
from assessment.models import Unit
from bulletins import services
from bulletins.models import Issue
from bulletins.snapshot import comparison_sentence
from core.errors import DomainError

JAN_8 = datetime.date(2020, 1, 8)


@pytest.fixture
def started_2020(staff_user):
    start_new_year(2019, staff_user)


@pytest.fixture
def december_published(staff_user):
    """2019 第12期 published on 2019-12-20 (the year's last issue)."""
    issue = services.create_issue(year=2019, number=12, date=datetime.date(2019, 12, 20))
    services.publish_issue(issue, staff_user)
    issue.refresh_from_db()
    return issue


def test_in_january_the_proposal_is_the_new_years_first_issue(role_client, started_2020, december_published, on_day):
    on_day(JAN_8)
    assert services.propose_next() == (2020, 1, JAN_8)
    html = role_client("staff").get("/bulletins/new/").content.decode()
    assert 'name="year" value="2020"' in html and 'name="number" value="1"' in html
    assert 'name="date" value="2020-01-08"' in html


def test_numbers_restart_and_go_on_within_the_year(started_2020, december_published, staff_user):
    first = services.create_issue(year=2020, number=1, date=datetime.date(2020, 1, 20))
    services.publish_issue(first, staff_user)
    assert services.propose_next(today=datetime.date(2020, 2, 25)) == (2020, 2, datetime.date(2020, 2, 25))
    assert services.propose_next(today=datetime.date(2019, 12, 28)) == (2019, 13, datetime.date(2019, 12, 28))


def test_in_january_before_the_new_year_is_started_the_proposal_is_still_its_first_issue(
    role_client, december_published, on_day
):
    on_day(JAN_8)
    assert services.propose_next() == (2020, 1, JAN_8)
    html = role_client("staff").get("/bulletins/new/").content.decode()
    assert 'name="year" value="2020"' in html and "2020年度尚未开始（还没有考核方案）" in html
    # The demo read years later (an archive): the proposal goes on in its year, a month after its last issue.
    assert services.propose_next(today=datetime.date(2026, 12, 6)) == (2019, 13, datetime.date(2019, 12, 31))


def test_an_issue_is_dated_in_its_own_year(started_2020, december_published):
    with pytest.raises(DomainError, match="2019年的期刊日期应在2019年内"):
        services.create_issue(year=2019, number=13, date=datetime.date(2020, 1, 5))
    assert not Issue.objects.filter(year=2019, number=13).exists()
    with pytest.raises(DomainError, match="2019年的期刊日期应在2019年内"):
        services.update_issue(december_published, date=datetime.date(2020, 1, 2))


def test_the_first_issue_of_2020_compares_with_2019s_last_by_unit_and_title(
    role_client, started_2020, december_published, staff_user
):
    december = december_published.current_version.snapshot
    issue = services.create_issue(year=2020, number=1, date=datetime.date(2020, 1, 20))
    client = role_client("staff")
    publish_page = client.get(f"/bulletins/{issue.year}/{issue.number}/publish/").content.decode()
    version = services.publish_issue(issue, staff_user)
    against = version.changes["against"]
    assert (against["year"], against["number"], against.get("across_years")) == (2019, 12, True)
    # Every table is compared (by category), and a cell √ in 第12期 that is * in the new year is a change.
    assert len(version.changes["tables"]) == 3
    towns_2019 = next(t for t in december["tables"] if t["category"]["slug"] == "towns")
    towns_2020 = next(t for t in version.snapshot["tables"] if t["category"]["slug"] == "towns")
    changes = version.changes["tables"][str(towns_2020["scheme_id"])]
    row = towns_2019["rows"][0]
    title = towns_2019["indicators"][0]["title"]
    assert row["values"][0] == "√"  # 昆山开发区 had its first column done in 2019 (the printed table)
    assert {"unit": row["unit"], "indicator": title, "before": "√", "after": "*"}.items() <= next(
        c for c in changes if c["unit_id"] == row["unit_id"] and c["indicator"] == title
    ).items()
    total = sum(len(c) for c in version.changes["tables"].values())
    assert total > 0
    page = client.get("/bulletins/2020/1/").content.decode()
    assert "本年度第一期，与上年度最后一期2019年第12期（按单位和指标名称对照）相比：区镇" in page
    assert "相比：。" not in page
    # The publish page (before publishing) said how many cells changed, not “表格没有变化”.
    assert "表格没有变化" not in publish_page and "处单元格有变化" in publish_page


def test_a_first_issue_with_nothing_to_compare_says_so_plainly(started_2020, december_published, staff_user):
    issue = services.create_issue(year=2020, number=1, date=datetime.date(2020, 1, 20), with_tables=False)
    services.add_article(issue, title="新年工作安排", body="一、总体要求\n做好2020年信用体系建设工作。")
    version = services.publish_issue(issue, staff_user)
    assert version.changes["against"]["across_years"] and version.changes["tables"] == {}
    # A table added to a correction has nothing in 2019 to compare with: the sentence says so, never “相比：。”.
    changes = {"against": version.changes["against"], "tables": {}}
    sentence = comparison_sentence([(1, "区镇")], changes)
    assert sentence == "本年度第一期：2019年第12期是上年度的最后一期，没有可对照的表格。"


def test_one_current_year_for_every_page_and_role(role_client, started_2020, staff_user):
    unit = Unit.objects.get(name="发改委")
    assert years.current_year() == 2019
    page = role_client("reporter").get(f"/units/{unit.pk}/").content.decode()
    assert "发改委 · 2019年度" in page  # the reporter's page stays where every other page is
    assert role_client("staff").get("/assessment/")["Location"] == "/assessment/2019/"
    issue = services.create_issue(year=2020, number=1, date=datetime.date(2020, 1, 20))
    services.publish_issue(issue, staff_user)
    page = role_client("reporter").get(f"/units/{unit.pk}/").content.decode()
    assert "发改委 · 2020年度" in page
    assert role_client("staff").get("/assessment/")["Location"] == "/assessment/2020/"
    assert "发改委 · 2019年度" in role_client("reporter").get(f"/units/{unit.pk}/?year=2019").content.decode()
