"""Note 6 by the quarters an offline record covers (“每个季度未按要求…报…案例的，扣 0.05 分/条”).

An offline count record says which quarters it covers: “2019年前三季度报送 6 例” covers quarters one
to three, a record of one quarter that quarter, a whole-year record all four. Its cases fill only
those quarters. On the issue's date (2019-11-26) quarters one to three are due and the printed
前三季度 counts cover them; from 2020 on the fourth is due too and is short wherever nothing covers it:
a department with only its 前三季度 record loses 0.05 for it (发改委 1.8 → 1.75, 科技局 likewise),
unless a case of its own was accepted in the fourth quarter (行政审批局, 住建局).
"""

import datetime
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from assessment.models import Indicator, Unit
from assessment.scoring.live import frozen_scores, latest_assessment, year_end, year_scores
from assessment.scoring.services import close_year
from cases.models import CaseCountRecord, CaseStatus

from .factories import CaseFactory

AS_PRINTED = datetime.date(2019, 11, 26)  # the demo's issue: quarters one to three due
YEAR_END = year_end(2019)  # 2020-01-01: all four due
QUARTERLY = "/cases/2019/"
QUARTERLY_XLSX = "/cases/2019/quarterly.xlsx"


def _cases_line(unit_name, as_of):
    """(deduction, [quarter labels short]) of the unit's 奖惩案例 line in the live scores as of `as_of`;
    an exempt line (非考核项, 已说明) lists nothing, whatever is short."""
    for category in year_scores(2019, as_of=as_of):
        for score in category.units:
            if score.unit_name == unit_name:
                line = next(line for line in score.lines if line.title == "奖惩案例")
                return line.deduction, [r.reason for r in line.records] if line.status != "exempt" else []
    raise AssertionError(unit_name)


def _add_record(client, unit_name, quarters, count, note):
    unit = Unit.objects.get(name=unit_name)
    data = {"unit": unit.pk, "year": 2019, "quarters": quarters, "date": "2019-12-20", "count": count, "note": note}
    response = client.post("/cases/counts/", data)
    assert response.status_code == 302, response.content.decode()
    return CaseCountRecord.objects.filter(unit=unit).latest("pk")


def _accept_case(unit_name, quarter):
    unit = Unit.objects.get(name=unit_name)
    return CaseFactory(source_unit=unit, source_label=unit.name, year=2019, quarter=quarter, status=CaseStatus.ACCEPTED)


def test_the_demos_printed_counts_cover_the_first_three_quarters(db):
    records = CaseCountRecord.objects.filter(year=2019)
    assert records.count() == 34  # one per department with a printed number
    assert {r.quarters for r in records} == {(1, 3)}
    assert all(r.note == f"2019年前三季度报送 {r.count} 例" and r.quarters_label == "前三季度" for r in records)


def test_a_record_of_the_first_three_quarters_without_a_fourth_quarter_case(db):
    # On the date the 6 printed cases of 发改委 cover every quarter due: nothing deducted (as printed).
    assert _cases_line("发改委", AS_PRINTED) == (D("0"), [])
    # At the year end the fourth quarter is due and nothing covers it.
    assert _cases_line("发改委", YEAR_END) == (D("0.05"), ["四季度"])
    # 教育局 printed 1: the record fills the first quarter only, whatever the date.
    assert _cases_line("教育局", AS_PRINTED) == (D("0.10"), ["二季度", "三季度"])
    assert _cases_line("教育局", YEAR_END) == (D("0.15"), ["二季度", "三季度", "四季度"])


def test_a_record_of_the_first_three_quarters_with_a_fourth_quarter_case(db):
    # 行政审批局: 3 printed 前三季度 + its printed case accepted in the fourth quarter.
    assert _cases_line("行政审批局", YEAR_END) == (D("0"), [])
    _accept_case("发改委", 4)
    assert _cases_line("发改委", YEAR_END) == (D("0"), [])
    # A case of the third quarter does not fill the fourth.
    _accept_case("科技局", 3)
    assert _cases_line("科技局", YEAR_END) == (D("0.05"), ["四季度"])


def test_a_whole_year_record_fills_any_quarter_of_the_year(role_client):
    client = role_client("staff")
    assert _cases_line("商务局", YEAR_END) == (D("0.20"), ["一季度", "二季度", "三季度", "四季度"])
    record = _add_record(client, "商务局", "1-4", 2, "2019年全年报送 2 例")
    assert (record.quarters, record.quarters_label) == ((1, 4), "全年")
    # Two cases fill the two earliest short quarters.
    assert _cases_line("商务局", YEAR_END) == (D("0.10"), ["三季度", "四季度"])
    _add_record(client, "商务局", "1-4", 2, "补报 2 例")
    assert _cases_line("商务局", YEAR_END) == (D("0"), [])


def test_a_whole_year_record_leaves_the_quarters_that_have_their_own_cases_to_them(role_client):
    client = role_client("staff")
    _accept_case("商务局", 1)
    _accept_case("商务局", 2)
    _add_record(client, "商务局", "1-4", 2, "2019年全年报送 2 例")
    assert _cases_line("商务局", YEAR_END) == (D("0"), [])


def test_a_single_quarter_record_fills_that_quarter_only(role_client):
    client = role_client("staff")
    record = _add_record(client, "商务局", "2-2", 3, "二季度纸质材料报送 3 例")
    assert (record.quarters, record.quarters_label) == ((2, 2), "二季度")
    # Three cases in the second quarter: the others stay short.
    assert _cases_line("商务局", AS_PRINTED) == (D("0.10"), ["一季度", "三季度"])
    assert _cases_line("商务局", YEAR_END) == (D("0.15"), ["一季度", "三季度", "四季度"])
    # The listing says which quarters every record covers.
    listing = client.get("/cases/counts/?year=2019").content.decode()
    assert '<th scope="col">所涵盖的季度</th>' in listing
    assert "<td>二季度</td>" in listing and "<td>前三季度</td>" in listing


def test_a_record_over_quarters_fills_the_one_that_needs_it_most():
    """Where a quarter could take from several records, the one that ends soonest goes first, so that
    the whole-year record is left for the fourth quarter."""
    from cases.duty import shortfalls

    assert shortfalls({(1, 3): 3, (1, 4): 1}, due=(1, 2, 3, 4)) == {1: 0, 2: 0, 3: 0, 4: 0}
    assert shortfalls({(1, 3): 4}, due=(1, 2, 3, 4)) == {1: 0, 2: 0, 3: 0, 4: 1}
    assert shortfalls({(2, 3): 2}, due=(1, 2, 3)) == {1: 1, 2: 0, 3: 0}


def test_the_form_asks_which_quarters_a_record_covers(role_client):
    client = role_client("staff")
    page = client.get("/cases/counts/").content.decode()
    assert "所涵盖的季度" in page and '<option value="1-3">前三季度</option>' in page
    assert '<option value="1-4">全年</option>' in page and '<option value="4-4">四季度</option>' in page
    unit = Unit.objects.get(name="商务局")
    data = {"unit": unit.pk, "year": 2019, "date": "2019-06-28", "count": 3, "note": "纸质材料报送 3 例"}
    page = client.post("/cases/counts/", data).content.decode()
    assert "请选择记录所涵盖的季度。" in page and not CaseCountRecord.objects.filter(unit=unit).exists()
    page = client.post("/cases/counts/", data | {"quarters": "3-1"}).content.decode()
    assert "请从列表中选择所涵盖的季度。" in page and not CaseCountRecord.objects.filter(unit=unit).exists()


def test_an_exempt_unit_owes_no_case_in_any_quarter(db):
    # 机关事务管理中心 is printed 非考核项 in the cases column: nothing deducted at the year end either.
    assert _cases_line("机关事务管理中心", YEAR_END) == (D("0"), [])
    # A unit that explained (已说明) owes nothing either, even with its fourth quarter uncovered.
    from assessment.models import Mark

    indicator = Indicator.objects.get(scheme__year=2019, accepts_count=True)
    Mark.objects.filter(unit__name="发改委", indicator=indicator).update(state="已说明")
    assert _cases_line("发改委", YEAR_END) == (D("0"), [])


def test_closing_the_year_freezes_the_fourth_quarter_short(db, staff_user):
    close_year(2019, staff_user)
    frozen = {u.unit_name: u for c in frozen_scores(latest_assessment(2019)) for u in c.units}
    assert frozen["科技局"].score == D("1.75")
    assert frozen["行政审批局"].score == frozen["住建局"].score == D("1.8")
    # Every department owing cases without a case of its own in the fourth quarter is short in it.
    short_in_q4 = {
        name
        for name, score in frozen.items()
        for line in score.lines
        if line.title == "奖惩案例" and line.deduction and "四季度" in [r.reason for r in line.records]
    }
    assert len(short_in_q4) == 49  # 51 departments owe cases; 行政审批局 and 住建局 have a Q4 case
    assert {"科技局", "发改委", "税务局", "商务局"} <= short_in_q4
    assert not {"行政审批局", "住建局", "机关事务管理中心"} & short_in_q4


def _page_row(html, unit_name):
    start = html.index(f'data-unit="{unit_name}">')
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def test_the_quarterly_table_shows_the_fourth_quarter_short_after_the_year_end(role_client, on_day):
    client = role_client("leader")
    on_day(AS_PRINTED)
    row = _page_row(client.get(QUARTERLY).content.decode(), "发改委")
    assert 'class="flagged"' not in row and "前三季度6例" in row and "<td>无</td>" in row
    on_day(datetime.date(2020, 1, 15))
    html = client.get(QUARTERLY).content.decode()
    row = _page_row(html, "发改委")
    assert '<tr class="flagged" data-unit="发改委">' in html
    assert '<td class="missing">0</td>' in row and "四季度缺1条" in row and ">0.05<" in row
    assert "只补足它所涵盖的季度中不足的季度" in html
    assert "四季度缺1条" not in _page_row(html, "行政审批局")


def test_the_quarterly_workbook_shows_the_fourth_quarter_short(role_client, on_day):
    on_day(datetime.date(2020, 1, 15))
    response = role_client("staff").get(QUARTERLY_XLSX)
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)))["部门"].iter_rows(values_only=True))
    assert rows[1][5] == "跨季度记录"
    by_unit = {r[0]: r for r in rows[2:56]}
    assert by_unit["发改委"][1:] == (0, 0, 0, 0, "前三季度6例", 6, "四季度缺1条", pytest.approx(0.05))
    assert by_unit["科技局"][7:] == ("四季度缺1条", pytest.approx(0.05))
    assert by_unit["行政审批局"][1:8] == (0, 0, 0, 1, "前三季度3例", 4, "无")
    assert by_unit["教育局"][7] == "二季度缺1条、三季度缺1条、四季度缺1条"
