"""扣分情况 from the score: once the year is closed, every unit's text says every point its score lost.

The text is written from the very lines that make the frozen total (assessment.scoring.lines,
`score_deduction_text`), computed deductions (a “*” left at the year end, note 6's missing cases)
and recorded ones alike, each with its points: the points named add up to full − score. The scores
page, the scores API and workbook, the progress tables (page, the year's workbook, an issue published
after the close) all show that one text. Until the close the column stays empty, as printed.
"""

import datetime
import io
import re
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from assessment.models import Indicator, Unit
from assessment.scoring.live import frozen_scores, latest_assessment
from assessment.scoring.services import close_year
from assessment.tables import build_tables, schemes_with_parts

from .factories import DeductionFactory, correct_demo_issue

POINTS = re.compile(r"扣(\d+(?:\.\d+)?)分")


@pytest.fixture
def closed(db, staff_user, on_day):
    """The demo closed at 2019-12-31, 震川 with a recorded 宣传 miss as well (扣0.5分) and 周庄镇 a serious event."""
    on_day(datetime.date(2019, 12, 31))
    offices_publicity = Indicator.objects.get(scheme__year=2019, scheme__category__slug="offices", order=5)
    DeductionFactory(unit=Unit.objects.get(name="震川城市管理办事处"), indicator=offices_publicity, count=1)
    towns_event = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=6)
    DeductionFactory(unit=Unit.objects.get(name="周庄镇"), indicator=towns_event, count=None, amount=D("3"))
    close_year(2019, staff_user)
    return {u.unit_name: u for c in frozen_scores(latest_assessment(2019)) for u in c.units}


def _points(text):
    return sum((D(p) for p in POINTS.findall(text)), D(0))


def test_before_the_close_the_column_is_empty_as_printed(db):
    texts = [row.deduction_text for t in build_tables(schemes_with_parts().filter(year=2019)) for row in t.rows]
    assert len(texts) == 70 and set(texts) == {""}


def test_every_units_text_adds_up_to_full_minus_total(closed):
    assert len(closed) == 70
    losing = [s for s in closed.values() if s.score < s.full_points]
    assert len(losing) > 38  # the demo's 38, 科技局 and its like short in the fourth quarter, 周庄镇
    for score in closed.values():
        text = score.deduction_text
        assert _points(text) == score.full_points - score.score, (score.unit_name, text)
        assert bool(text) == (score.score != score.full_points), score.unit_name


def test_the_text_says_what_was_computed_and_what_was_recorded(closed):
    # 震川: 试点项目 and 信用审查 left * (2 + 2) and one recorded 宣传 miss (0.5): 10 − 4.5.
    zhenchuan = closed["震川城市管理办事处"]
    assert zhenchuan.score == D("5.5")
    assert zhenchuan.deduction_text == (
        "配合推进国家守信激励创新试点项目未完成，扣2分；信用审查未完成，扣2分；诚信专题宣传任务未完成1次，扣0.5分"
    )
    # 科技局: its 前三季度 record leaves the fourth quarter without a case (note 6's wording, data).
    assert closed["科技局"].deduction_text == "未按要求报送奖惩案例1条，扣0.05分"
    assert closed["昆山开发区"].deduction_text == "信用审查未完成，扣0.4分"
    assert closed["周庄镇"].deduction_text.endswith("，扣3分") and closed["周庄镇"].score == D("-1")
    assert closed["行政审批局"].deduction_text == ""


def _page_cells(html, category_slug):
    table = re.search(rf'<table class="score-table" data-category="{category_slug}">(.*?)</table>', html, re.S)
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table.group(1).split("<tbody>")[1], re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
        rows[cells[1]] = cells[-1]
    return rows


def test_the_scores_page_api_and_workbooks_show_the_same_text(closed, role_client, api_client):
    wanted = {name: score.deduction_text for name, score in closed.items()}
    # The scores page (the frozen version), every category.
    html = role_client("leader").get("/assessment/2019/scores/").content.decode()
    shown = {}
    for slug in ("towns", "offices", "departments"):
        shown |= _page_cells(html, slug)
    assert shown == wanted
    assert f'扣分情况：</span><span class="deduction-text">{wanted["科技局"]}</span>' in html
    # The scores API.
    body = api_client("leader").get("/api/v1/scores/2019/").json()
    assert {u["unit_name"]: u["deduction_text"] for c in body["categories"] for u in c["units"]} == wanted
    # The scores workbook.
    response = role_client("leader").get("/assessment/2019/scores/ranking.xlsx")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    from_sheets = {}
    for name in ("区镇得分", "城市管理办事处得分", "部门得分"):
        rows = list(wb[name].iter_rows(values_only=True))
        assert rows[1][-1] == "扣分情况"
        from_sheets |= {r[1]: r[-1] or "" for r in rows[2:]}
    assert from_sheets == wanted
    # The year's progress workbook and the progress tables of the bulletin page.
    response = role_client("staff").get("/assessment/2019/progress.xlsx")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    in_progress = {}
    for ws in wb.worksheets:
        header = next(r for r in ws.iter_rows(values_only=True) if r and r[-1] == "扣分情况")
        width = len(header)
        in_progress |= {r[0]: r[width - 1] or "" for r in ws.iter_rows(values_only=True) if r and r[0] in wanted}
    assert in_progress == wanted
    tables = build_tables(schemes_with_parts().filter(year=2019))
    assert {row.unit.name: row.deduction_text for t in tables for row in t.rows} == wanted


def test_an_issue_published_after_the_close_prints_the_text(closed, client):
    assert correct_demo_issue("年终考核后印发扣分情况")
    html = client.get("/bulletins/2019/11/").content.decode()
    assert f'<td class="deduction-col">{closed["震川城市管理办事处"].deduction_text}</td>' in html
    response = client.get("/bulletins/2019/11/progress.xlsx")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["部门"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "科技局")
    assert row[-1] == "未按要求报送奖惩案例1条，扣0.05分"


def test_the_frozen_version_keeps_its_text(closed, staff_user):
    """The text is stored with the frozen result, and read back from it: later changes do not alter it."""
    results = latest_assessment(2019).results
    stored = {u["unit_name"]: u["deduction_text"] for c in results["categories"] for u in c["units"]}
    assert stored == {name: score.deduction_text for name, score in closed.items()}
