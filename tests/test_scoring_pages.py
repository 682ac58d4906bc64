"""The scores pages as staff, leaders and reporters see them; the Excel export; flat query counts."""

import datetime
import io
import re
from urllib.parse import unquote

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessment.models import Deduction, Indicator, Mark, Scheme, SchemeUnit, Unit
from assessment.scoring.services import close_year, reopen_year

from .conftest import MENU_TODO_QUERIES
from .factories import DeductionFactory

RANKING = "/assessment/2019/scores/"
# The date: the printed 前三季度 counts cover every quarter due (from 2020 on, the fourth is short).
AS_PRINTED = datetime.date(2019, 11, 26)
XLSX = "/assessment/2019/scores/ranking.xlsx"


def _unit_url(name):
    return f"/assessment/2019/scores/{Unit.objects.get(name=name).pk}/"


def _rows(html, category_slug):
    """(rank, unit, cells…) of one category's ranking table."""
    table = re.search(rf'<table class="score-table" data-category="{category_slug}">(.*?)</table>', html, re.S).group(1)
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
        rows.append(cells)
    return rows


def test_ranking_per_category_with_ties_shown(role_client):
    html = role_client("staff").get(RANKING).content.decode()
    assert '区镇<span class="full-points">（满分 2 分）' in html
    assert '部门<span class="full-points">（满分 1.8 分）' in html
    towns = _rows(html, "towns")
    # rank, unit, full, confirmed deduction, current score, pending, year-end score
    assert towns[0] == ["并列1", "昆山高新区", "2", "", "2", "", "2"]
    assert towns[5] == ["并列6", "昆山开发区", "2", "", "2", "−0.4", "1.6"]
    departments = _rows(html, "departments")
    assert departments[-1] == ["54", "烟草专卖局", "1.8", "", "1.8", "−0.55", "1.25"]
    assert departments[-2][:2] == ["并列50", "昆山盐业公司"]


def test_the_breakdown_of_every_unit_is_on_the_page(role_client, on_day):
    on_day(AS_PRINTED)
    html = role_client("leader").get(RANKING).content.decode()
    assert html.count('class="unit-breakdown"') == 70
    block = html.split(f'id="breakdown-{Unit.objects.get(name="烟草专卖局").pk}"')[1].split("</details>")[0]
    assert "说明1：未配合市信用办落实创建国家信用体系建设示范城市和应对国家城市信用监测" in block
    assert "2项合并计分：任一项未完成扣0.3分" in block
    assert block.count('<tr class="line-') == 3  # notes 1, 3 and 7: what costs something
    full = html.split(f'id="breakdown-{Unit.objects.get(name="税务局").pk}"')[1].split("</details>")[0]
    assert "没有扣分，也没有待定的“*”" in full
    page = role_client("leader").get(_unit_url("烟草专卖局")).content.decode()
    assert page.count('<tr class="line-') == 8 and "非考核项，不作为扣分项" in page


def test_a_units_own_breakdown_for_its_reporter_and_nobody_else(role_client, on_day):
    on_day(AS_PRINTED)
    url = _unit_url("发改委")
    page = role_client("reporter").get(url).content.decode()
    assert "发改委 · 2019年考核得分" in page and "满分 <b>1.8</b> 分" in page
    assert "已完成，不扣分" in page
    assert "部门并列第1名" in page  # its rank among all 54 departments, not among itself
    assert role_client("other_reporter").get(url).status_code == 404
    assert role_client("reporter").get(RANKING).status_code == 404
    assert role_client("anonymous").get(url)["Location"].startswith("/accounts/login/")


def test_the_unit_page_include_and_function_for_the_unit_page(db, rf, on_day):
    """What the unit page (another area) embeds: unit_score(unit, year) into score_breakdown.html."""
    on_day(AS_PRINTED)
    from django.template.loader import render_to_string

    from assessment.scoring.live import unit_score

    unit = Unit.objects.get(name="团市委")
    html = render_to_string("assessment/score_breakdown.html", {"score": unit_score(unit, 2019)})
    assert '若今日年终考核：扣 <b>0.26</b> 分，得 <b class="score-final">1.54</b> 分' in html
    assert html.count('<tr class="line-') == 8  # 10 columns, two pairs scored together
    assert unit_score(Unit.objects.get(name="团市委"), 2030) is None


def test_a_confirmed_deduction_shows_with_its_record(role_client, staff_user):
    DeductionFactory(
        unit=Unit.objects.get(name="亭林城市管理办事处"),
        indicator=Indicator.objects.get(scheme__year=2019, scheme__category__slug="offices", order=5),
        count=2,
        reason="两次宣传任务未完成",
        entered_by=staff_user,
    )
    html = role_client("staff").get(_unit_url("亭林城市管理办事处")).content.decode()
    assert "已确认2次：0.5分×2次=1分，扣1分" in html
    assert "2019-06-30 2次 两次宣传任务未完成（t_staff录入）" in html
    offices = _rows(role_client("staff").get(RANKING).content.decode(), "offices")
    assert offices[-1] == ["4", "亭林城市管理办事处", "10", "−1", "9", "−4", "5"]


def test_excel_ranking_and_breakdown(role_client):
    response = role_client("leader").get(XLSX)
    assert response.status_code == 200
    assert "考核得分-2019年-当前.xlsx" in unquote(response["Content-Disposition"])
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["区镇得分", "城市管理办事处得分", "部门得分", "计分明细"]
    ws = wb["部门得分"]
    rows = list(ws.iter_rows(values_only=True))
    assert "2019年" in rows[0][0]
    assert rows[1] == ("名次", "部门", "满分", "已确认扣分", "当前得分", "待定（*）扣分", "若今日年终考核得分")
    assert rows[-1] == ("第54名", "烟草专卖局", 1.8, 0, 1.8, 0.55, 1.25)
    assert rows[2][0] == "并列第1名"
    detail = list(wb["计分明细"].iter_rows(values_only=True))
    assert len(detail) == 2 + 12 * 6 + 4 * 6 + 54 * 8
    line = next(r for r in detail if r[1] == "烟草专卖局" and r[2].startswith("配合创建"))
    assert line[4] == "2项合并计分：任一项未完成扣0.3分" and line[7] == 0.3
    assert line[-1].startswith("说明1：")


def test_excel_of_a_frozen_version(role_client, staff_user):
    close_year(2019, staff_user)
    response = role_client("staff").get("/assessment/2019/scores/versions/1/ranking.xlsx")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb["区镇得分"].iter_rows(values_only=True))
    assert "第1版" in rows[0][0]
    assert rows[1] == ("名次", "区镇", "满分", "扣分", "得分", "扣分情况")
    assert rows[-1] == ("并列第6名", "淀山湖镇", 2, 0.4, 1.6, "信用审查未完成，扣0.4分")
    latest = role_client("staff").get(XLSX)
    assert "第1版" in unquote(latest["Content-Disposition"])


def test_nav_link_for_staff_and_leaders_only(role_client):
    for role, shown in (("staff", True), ("leader", True), ("reporter", False), ("anonymous", False)):
        html = role_client(role).get("/bulletins/2019/11/").content.decode()
        assert ('href="/assessment/scores/">得分</a>' in html) is shown, role
    response = role_client("leader").get("/assessment/scores/")
    assert response["Location"] == RANKING


def _multiply_units(factor):
    """Add (factor − 1) copies of every demo unit, with the same marks and a confirmed record each."""
    user = Deduction._meta.get_field("entered_by").related_model.objects.get(username="t_staff")
    for scheme in Scheme.objects.filter(year=2019).prefetch_related("indicators", "scheme_units__unit"):
        indicators = list(scheme.indicators.all())
        recorded = next(i for i in indicators if i.rule_kind in ("per_occurrence", "discretionary"))
        count, amount = (1, None) if recorded.rule_kind == "per_occurrence" else (None, 1)
        originals = list(scheme.scheme_units.all())
        marks = {(m.unit_id, m.indicator_id): m for m in Mark.objects.filter(indicator__scheme=scheme)}
        units = Unit.objects.bulk_create(
            Unit(name=f"{su.unit.name}#{copy}", category=scheme.category, order=10000 + copy * 100 + i)
            for copy in range(1, factor)
            for i, su in enumerate(originals)
        )
        SchemeUnit.objects.bulk_create(SchemeUnit(scheme=scheme, unit=u, order=1000 + i) for i, u in enumerate(units))
        sources = [originals[i % len(originals)].unit_id for i in range(len(units))]
        Mark.objects.bulk_create(
            Mark(unit=u, indicator=ind, state=marks[(src, ind.id)].state, count=marks[(src, ind.id)].count)
            for u, src in zip(units, sources, strict=True)
            for ind in indicators
        )
        Deduction.objects.bulk_create(
            Deduction(
                unit=u,
                indicator=recorded,
                date="2019-06-01",
                count=count,
                amount=amount,
                reason="复制",
                entered_by=user,
                confirmed_by=user,
                confirmed_at="2019-06-02T09:00:00+08:00",
            )
            for u in units
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_query_counts_are_flat_in_the_number_of_units(role_client, staff_user):
    client = role_client("staff")
    urls = [RANKING, XLSX, "/assessment/2019/scores/close/", "/assessment/2019/scores/deductions/"]
    before = {url: _count(client, url)[0] for url in urls}
    _multiply_units(10)
    assert Unit.objects.count() == 700
    after = {url: _count(client, url)[0] for url in urls}
    assert after == before
    # The first read of the day scores the year: session, user, groups, version, 5 for the schemes, the stored
    # rows, marks, records; the derived 奖惩案例 cells and their quarterly shortfalls (assessment.cells,
    # scoring.derived_shortfalls): counts, duty, quarters; the office's changed due dates (assessment.due); the
    # rows' update; then the stale rows asked again, and the page ranked by the database: count, rows, totals.
    assert (
        before[RANKING] <= 26 + MENU_TODO_QUERIES["staff"]
    )  # the second factor's device (core.security), the menu's 待办
    # Read again the same day: nothing to score but the page's 100 units' lines.
    assert _count(client, RANKING)[0] <= 19 + MENU_TODO_QUERIES["staff"]
    html = client.get(RANKING).content.decode()
    # A page of 100 units across the categories (core.paging), each with its breakdown.
    assert html.count('class="unit-breakdown"') == 100 and "共 700 个单位" in html


def test_query_count_of_a_frozen_version_is_flat(role_client, staff_user):
    client = role_client("staff")
    close_year(2019, staff_user)
    before = _count(client, "/assessment/2019/scores/versions/1/")[0]
    reopen_year(2019, staff_user, reason="新增单位")
    _multiply_units(3)
    close_year(2019, staff_user, reason="新增单位")
    assert _count(client, "/assessment/2019/scores/versions/2/")[0] == before


def test_the_case_counts_are_grouped_once(role_client):
    """The scores page shows the 奖惩案例 cells and scores their quarterly shortfalls from one read of the
    cases' stored counts (with the offline records grouped, UNION ALL), not one for the cells and another for
    scoring."""
    from cases.models import CaseCount, CaseCountRecord

    case_table = connection.ops.quote_name(CaseCount._meta.db_table)
    record_table = connection.ops.quote_name(CaseCountRecord._meta.db_table)
    for url in (RANKING, XLSX, "/assessment/2019/scores/close/"):
        with CaptureQueriesContext(connection) as ctx:
            response = role_client("staff").get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        assert response.status_code == 200
        grouped = [
            q["sql"]
            for q in ctx.captured_queries
            if "GROUP BY" in q["sql"] and f"FROM {case_table}" in q["sql"] and record_table in q["sql"]
        ]
        assert len(grouped) == 1, url
