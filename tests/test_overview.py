"""The leaders' overview: share of √ per indicator, units with the most *, the trend across the year's issues."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.marks.services import set_mark
from assessment.models import Indicator, Mark, Unit
from bulletins import services
from bulletins.models import Issue

from .factories import multiply_units, unit_without_contact

URL = "/overview/2019/"


@pytest.fixture
def leader(role_client):
    return role_client("leader")


def _section(html, slug):
    return html.split(f'id="cat-{slug}"')[1].split("</section>")[0]


def _shares(section):
    return re.findall(
        r'<span class="share-title">(.*?) <span class="muted">.*?<span class="share-figure">(.*?)</span>', section, re.S
    )


def _publish_issue_12(staff_user):
    for unit in ("昆山开发区", "张浦镇"):
        mark = Mark.objects.get(unit__name=unit, indicator__order=5, indicator__scheme__category__slug="towns")
        set_mark(mark, "√", staff_user)
    issue = services.create_issue(year=2019, number=12, date=datetime.date(2019, 12, 20))
    return services.publish_issue(issue, staff_user)


def test_who_may_see_it(role_client):
    assert role_client("staff").get(URL).status_code == 200
    assert role_client("leader").get(URL).status_code == 200
    assert role_client("reporter").get(URL).status_code == 404  # a page about every unit
    response = role_client("anonymous").get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_index_goes_to_the_latest_year(leader):
    response = leader.get("/overview/")
    assert response.status_code == 302 and response["Location"] == URL
    assert leader.get("/overview/2031/").status_code == 404


def test_share_of_done_per_indicator(leader):
    html = leader.get(URL).content.decode()
    towns = _shares(_section(html, "towns"))
    assert towns == [
        ("完成创建国家信用示范城市任务", "100%（12/12）"),
        ("完成推进国家守信激励创新试点任务", "100%（12/12）"),
        ("政务诚信建设", "100%（12/12）"),
        ("贯标创建", "100%（12/12）"),
        ("信用审查", "42%（5/12）"),
    ]
    offices = dict(_shares(_section(html, "offices")))
    assert offices["配合推进国家守信激励创新试点项目"] == "0%（0/4）"
    departments = dict(_shares(_section(html, "departments")))
    # 8 √, 7 *, 35 已说明情况; the 4 非考核项 do not count.
    assert departments["奖惩措施和信用应用成效反馈"] == "16%（8/50）"
    # 奖惩案例: a reported count is done (34), * is not (17); 非考核项 (3) does not count.
    assert departments["奖惩案例"] == "67%（34/51）"
    # The serious-event column (无 everywhere) is no task to complete.
    assert "被国家监测到严重失信事件" not in _section(html, "departments").split("figure-behind")[0]


def test_each_share_links_to_the_grid_column(leader):
    html = leader.get(URL).content.decode()
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", title="信用审查")
    assert f'href="/assessment/2019/towns/?indicator={indicator.pk}"' in _section(html, "towns")
    assert _section(html, "towns").count('<svg class="share-bar"') == 5


def test_units_with_the_most_stars_link_to_their_rows(leader):
    section = _section(leader.get(URL).content.decode(), "departments")
    behind = re.findall(
        r'<a href="([^"]+)">([^<]+)</a>\s*<svg class="behind-bar".*?<span class="share-figure">(\d+) 项', section, re.S
    )
    assert [(name, int(n)) for _, name, n in behind][:6] == [
        ("人武部", 5),
        ("银保监管组", 5),
        ("安全局", 5),
        ("昆山盐业公司", 5),
        ("团市委", 4),
        ("烟草专卖局", 4),
    ]
    unit = Unit.objects.get(name="人武部")
    assert behind[0][0] == f"/bulletins/2019/11/#unit-departments-{unit.pk}"
    # The anchor exists on the issue page.
    assert f'id="unit-departments-{unit.pk}"' in leader.get("/bulletins/2019/11/").content.decode()


def test_trend_across_the_year_issues_from_their_snapshots(leader, staff_user):
    section = _section(leader.get(URL).content.decode(), "towns")
    assert section.count('<circle class="trend-point"') == 1 and "第11期：88%" in section
    _publish_issue_12(staff_user)
    # A later change of marks moves the live shares, not the published trend.
    mark = Mark.objects.get(unit__name="周市镇", indicator__order=5, indicator__scheme__category__slug="towns")
    set_mark(mark, "√", staff_user)
    html = leader.get(URL).content.decode()
    section = _section(html, "towns")
    points = re.findall(r'<circle class="trend-point" cx="([\d.]+)" cy="([\d.]+)" r="5"><title>(.*?)</title>', section)
    assert [title for _, _, title in points] == ["第11期：88%，* 7 项", "第12期：92%，* 5 项"]
    assert float(points[1][1]) < float(points[0][1])  # higher share is drawn higher
    # The chart's text alternative: a table of the same numbers, each issue a link (no link inside the image).
    rows = re.findall(
        r'<tr><th scope="row"><a href="([^"]+)">([^<]+)</a></th><td>([^<]+)</td><td>(\d+)</td></tr>', section
    )
    assert rows == [
        ("/bulletins/2019/11/#table-towns", "第11期", "88%", "7"),
        ("/bulletins/2019/12/#table-towns", "第12期", "92%", "5"),
    ]
    assert re.search(r'<path class="trend-line" d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+"', section)
    assert dict(_shares(section))["信用审查"] == "67%（8/12）"


def test_changes_since_the_last_issue_are_listed(leader, staff_user):
    assert "没有可比较的上一期" in _section(leader.get(URL).content.decode(), "towns")
    _publish_issue_12(staff_user)
    html = leader.get(URL).content.decode()
    changes = _section(html, "towns").split("figure-changes")[1]
    unit = Unit.objects.get(name="昆山开发区")
    assert f'<a href="/bulletins/2019/12/#unit-towns-{unit.pk}">昆山开发区</a> · 信用审查：* → √' in changes
    assert "张浦镇" in changes
    assert "2019年第12期与2019年第11期相比没有变化" in _section(html, "offices")


def test_query_count_is_flat_in_the_number_of_issues_and_units(leader, staff_user):
    with CaptureQueriesContext(connection) as few:
        assert leader.get(URL).status_code == 200
    for number in range(12, 24):
        issue = services.create_issue(year=2019, number=number, date=datetime.date(2019, 12, 20))
        services.publish_issue(issue, staff_user)
    multiply_units(4)
    with CaptureQueriesContext(connection) as many:
        response = leader.get(URL)
    assert response.content.decode().count('<circle class="trend-point"') == 3 * 13
    assert len(many.captured_queries) == len(few.captured_queries)
    # session and user, schemes with parts, enrolled rows, whether the case counts are current, per derived column
    # its words and its * cells (assessment.derived_columns), issues and the latest version's changes and units,
    # years, pending cases and requests (one query), the office's changed due dates (assessment.due), the names of
    # the units shown, per table the units with the most * (with a derived column, twice: those that can still reach
    # the last place shown) and, when a typed column is overdue, its first cells
    assert len(few.captured_queries) <= 22


def test_pending_cases_and_requests_link_to_their_queues(leader, reporter_case, staff_user):
    """A submitted case and an open request about a * item show as pending work, linking to the queues."""
    from .factories import MarkRequestFactory

    html = leader.get(URL).content.decode()
    assert "待审核的奖惩案例 1 件" in html
    # A leader cannot open the review queue (403): the link is the case list, filtered the same way.
    assert 'href="/cases/?status=pending&amp;year=2019"' in html and "/cases/review/" not in html
    assert leader.get("/cases/?status=pending&year=2019").status_code == 200
    assert "单位的完成情况申请（报告已完成、情况说明）0 件" in html
    mark = Mark.objects.filter(unit__name="财政局", indicator__scheme__year=2019, state="*").first()
    MarkRequestFactory(mark=mark, submitted_by=staff_user)
    html = leader.get(URL).content.decode()
    assert "单位的完成情况申请（报告已完成、情况说明）1 件" in html
    assert 'href="/units/requests/"' in html


def _overdue_total(html):
    return sum(int(n) for n in re.findall(r"已逾期的事项（(\d+) 项）", html))


def test_overdue_cells_are_counted_and_the_first_linked_with_one_pattern(leader, on_day):
    """The overview reverses the grid's address once per category, not once per overdue cell: the number of
    reversals and of queries stays the same when four times the units are overdue (observed, not replaced)."""
    from django.urls.resolvers import URLResolver

    on_day(datetime.date(2019, 11, 26))
    reverse_original = URLResolver._reverse_with_prefix
    calls = []

    def counting(self, *args, **kwargs):
        calls.append(args[0])
        return reverse_original(self, *args, **kwargs)

    def measure():
        calls.clear()
        with (
            CaptureQueriesContext(connection) as queries,
            pytest.MonkeyPatch.context() as patch,
        ):
            patch.setattr(URLResolver, "_reverse_with_prefix", counting)
            html = leader.get(URL).content.decode()
        return html, len(calls), len(queries.captured_queries)

    html, few_reversals, few_queries = measure()
    assert _overdue_total(html) == 17
    multiply_units(4)
    Mark.objects.filter(unit__name__contains="#", state="√").update(state="*")
    html, many_reversals, many_queries = measure()
    assert _overdue_total(html) > 4 * 17
    assert (many_reversals, many_queries) == (few_reversals, few_queries)
    # the first items shown, each with the grid's one pattern and its own query
    unit = Unit.objects.get(name="统战部")
    cases = Indicator.objects.get(scheme__year=2019, title="奖惩案例")
    link = f"/assessment/2019/departments/?indicator={cases.pk}&amp;due=overdue&amp;q=%E7%BB%9F%E6%88%98%E9%83%A8"
    assert f'<a href="{link}">{unit.name} · 奖惩案例</a>' in html


def test_a_unit_behind_links_to_the_latest_issue_only_once_it_is_in_it(leader, staff_user):
    # a unit enrolled after issue 11 with five * (人武部's cells): behind, but not in the issue, so not linked
    unit = unit_without_contact("人武部", "新设单位")
    section = _section(leader.get(URL).content.decode(), "departments")
    assert re.search(r"<li>新设单位\s*<svg", section)
    # republished, the issue holds it: the overview's next request reads the new version's units
    issue = Issue.objects.get(year=2019, number=11)
    services.publish_issue(issue, staff_user, reason="补充新设单位", keep_tables=False)
    section = _section(leader.get(URL).content.decode(), "departments")
    assert f'<a href="/bulletins/2019/11/#unit-departments-{unit.pk}">新设单位</a>' in section
