"""The per-unit × per-quarter table of a year and note 6's deduction (rate and cap from the data)."""

import datetime
import io
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessment.models import Indicator, Mark, Unit
from cases.duty import due_quarters, quarterly_deduction, shortfalls
from cases.models import CaseCountRecord, CaseDuty, CaseStatus
from cases.quarterly import build_quarterly

from .factories import CaseCountRecordFactory, CaseFactory, IndicatorFactory

URL = "/cases/2019/"


@pytest.fixture
def cases_indicator(db):
    return Indicator.objects.get(scheme__year=2019, accepts_count=True)


# --- the rule, as a plain function


def test_rate_per_missing_case_per_quarter(cases_indicator):
    assert (cases_indicator.rate, cases_indicator.cap) == (Decimal("0.05"), Decimal("0.3"))
    assert quarterly_deduction(cases_indicator, {1: 1, 2: 1, 3: 1, 4: 1}) == 0
    assert quarterly_deduction(cases_indicator, {1: 1, 3: 2}) == Decimal("0.10")
    assert quarterly_deduction(cases_indicator, {}) == Decimal("0.20")


def test_capped_at_the_indicators_cap(cases_indicator):
    # Two cases a quarter demanded, none reported: 8 missing × 0.05 = 0.4, capped at 0.3.
    assert quarterly_deduction(cases_indicator, {}, per_quarter=2) == Decimal("0.3")
    assert quarterly_deduction(cases_indicator, {1: 2, 2: 2}, per_quarter=2) == Decimal("0.20")


def test_rate_and_cap_are_read_from_the_indicator_not_the_code(db):
    indicator = IndicatorFactory(rate=Decimal("0.5"), cap=Decimal("1.2"), accepts_count=True)
    assert quarterly_deduction(indicator, {1: 1}) == Decimal("1.5").min(Decimal("1.2"))
    indicator.cap = Decimal("10")
    assert quarterly_deduction(indicator, {1: 1}) == Decimal("1.5")


def test_an_indicator_without_rate_or_cap_is_an_error(db):
    with pytest.raises(ValueError, match="没有填写每次扣分"):
        quarterly_deduction(IndicatorFactory(rate=None, cap=None), {})


def test_only_ended_quarters_can_be_missed():
    assert due_quarters(2019, datetime.date(2019, 11, 26)) == (1, 2, 3)
    assert due_quarters(2019, datetime.date(2019, 3, 31)) == ()
    assert due_quarters(2019, datetime.date(2020, 1, 1)) == (1, 2, 3, 4)
    assert shortfalls({}, due=(1, 2, 3)) == {1: 1, 2: 1, 3: 1}


def test_records_over_several_quarters_fill_the_earliest_short_quarters_they_cover():
    # “前三季度报送 2 例” with one case in Q3: Q1 and Q2 filled, Q4 short.
    assert shortfalls({(1, 3): 2, 3: 1}, due=(1, 2, 3, 4)) == {1: 0, 2: 0, 3: 0, 4: 1}
    # A whole-year record of 3 cases, two a quarter due: Q1 filled, Q2 half.
    assert shortfalls({(1, 4): 3}, due=(1, 2, 3, 4), per_quarter=2) == {1: 0, 2: 1, 3: 2, 4: 2}


# --- the table


def _row(sections, unit_name):
    return next(r for r in sections[0].rows if r.unit.name == unit_name)


def test_table_of_the_demo_year(db):
    sections = build_quarterly(2019, datetime.date(2019, 11, 26))
    assert [s.category.name for s in sections] == ["部门"]
    section = sections[0]
    assert len(section.rows) == 54 and section.due == (1, 2, 3) and section.per_quarter == 1
    # 发改委: 6 reported in the first three quarters, no breakdown → duty met.
    fgw = _row(sections, "发改委")
    assert (fgw.spans_label, fgw.total, fgw.flagged, fgw.deduction) == ("前三季度6例", 6, False, 0)
    # 教育局: one case only → two quarters short.
    edu = _row(sections, "教育局")
    assert edu.missed == ["二季度缺1条", "三季度缺1条"] and edu.deduction == Decimal("0.10")
    # 商务局 printed *: nothing reported → three quarters short.
    assert _row(sections, "商务局").deduction == Decimal("0.15")
    # 行政审批局: 3 offline + the printed case accepted in Q4.
    xz = _row(sections, "行政审批局")
    assert ([c.count for c in xz.quarters], xz.spans, xz.total) == ([0, 0, 0, 1], [((1, 3), 3)], 4)
    # 非考核项 owes nothing.
    exempt = _row(sections, "机关事务管理中心")
    assert exempt.exempt_label == "非考核项" and exempt.deduction is None and not exempt.flagged


def test_the_year_over_every_quarter_counts(db):
    sections = build_quarterly(2019, datetime.date(2020, 1, 1))
    assert _row(sections, "商务局").deduction == Decimal("0.20")
    # 发改委's 前三季度 record does not cover the fourth quarter: one case short there.
    assert _row(sections, "发改委").deduction == Decimal("0.05")
    # 行政审批局's case accepted in Q4 fills it.
    assert _row(sections, "行政审批局").deduction == 0


def test_the_quarterly_duty_is_data(cases_indicator):
    CaseDuty.objects.filter(indicator=cases_indicator).update(per_quarter=3)
    sections = build_quarterly(2019, datetime.date(2020, 1, 1))
    assert sections[0].per_quarter == 3
    # 6 offline cases (前三季度) fill Q1 and Q2; Q3 and Q4 miss 3 each: 6 × 0.05 capped at 0.3.
    assert _row(sections, "发改委").deduction == Decimal("0.3")


def test_explained_units_are_not_deducted(cases_indicator, staff_user):
    mark = Mark.objects.get(unit__name="商务局", indicator=cases_indicator)
    mark.state = "已说明"
    mark.save()
    row = _row(build_quarterly(2019, datetime.date(2020, 1, 1)), "商务局")
    assert row.deduction is None and row.exempt_label == "已说明" and not row.flagged


def test_page_flags_the_units_that_missed_the_duty(role_client, on_day):
    on_day(datetime.date(2019, 11, 26))  # the demo's issue: quarters one to three due
    page = role_client("leader").get(URL).content.decode()
    assert "2019年奖惩案例季度报送情况" in page
    assert '<tr class="flagged" data-unit="商务局">' in page
    assert '<tr data-unit="发改委">' in page
    assert "每个季度未按要求向市信用办报守信联合激励案例或失信联合惩戒案例的" in page  # note 6 as data
    assert "按说明6应扣分" in page


def test_a_new_accepted_case_fills_its_quarter(role_client):
    unit = Unit.objects.get(name="商务局")
    for quarter in (1, 2, 3, 4):
        CaseFactory(source_unit=unit, year=2019, quarter=quarter, status=CaseStatus.ACCEPTED)
    page = role_client("staff").get(URL).content.decode()
    assert '<tr data-unit="商务局">' in page


def test_a_year_without_schemes_is_a_404(role_client):
    assert role_client("staff").get("/cases/2031/").status_code == 404
    assert role_client("staff").get("/cases/2031/quarterly.xlsx").status_code == 404


def test_a_year_without_a_count_column_is_a_page(role_client, cases_indicator):
    Indicator.objects.filter(pk=cases_indicator.pk).update(accepts_count=False)
    response = role_client("staff").get(URL)
    assert response.status_code == 200 and "2019年的考核方案中没有奖惩案例一栏" in response.content.decode()


def test_export_uses_the_one_excel_writer_with_numbers(role_client):
    response = role_client("staff").get("/cases/2019/quarterly.xlsx")
    assert response.status_code == 200
    assert "奖惩案例季度报送情况-2019年.xlsx" in unquote(response["Content-Disposition"])
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb["部门"]
    rows = list(ws.iter_rows(values_only=True))
    assert "2019年奖惩案例季度报送情况" in rows[0][0]
    assert rows[1] == (
        "部门",
        "一季度",
        "二季度",
        "三季度",
        "四季度",
        "跨季度记录",
        "合计",
        "未达要求的季度",
        "按说明6应扣分",
    )
    by_unit = {r[0]: r for r in rows[2:56]}
    assert by_unit["发改委"][1:7] == (0, 0, 0, 0, "前三季度6例", 6)
    assert by_unit["行政审批局"][4] == 1 and isinstance(by_unit["行政审批局"][6], int)
    assert by_unit["商务局"][8] == pytest.approx(0.2)
    assert by_unit["机关事务管理中心"][7:] == ("非考核项", "非考核项")
    assert ws.page_setup.orientation == "landscape"  # the writer's print layout


def _more_cases_and_units(n):
    units = list(Unit.objects.filter(category__slug="departments"))
    for i in range(n):
        CaseFactory(source_unit=units[i % len(units)], year=2019, quarter=i % 4 + 1, status=CaseStatus.ACCEPTED)
        CaseCountRecordFactory(unit=units[i % len(units)], quarter=i % 4 + 1)


def test_query_count_is_flat_in_the_number_of_cases(role_client, django_assert_num_queries):
    client = role_client("leader")
    urls = [URL, "/cases/2019/quarterly.xlsx"]
    few = {}
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        few[url] = len(captured.captured_queries)
    _more_cases_and_units(200)
    assert CaseCountRecord.objects.count() > 200
    for url in urls:
        with django_assert_num_queries(few[url]):
            assert client.get(url).status_code == 200
    # the sections (their notes one more), whether the year's counts are current, the page's units with their
    # stored counts, the units with an exempting cell or an offline record (their counts one more), the other
    # units grouped by their counts (cases.quarterly_sql); the rest is every page's (session, menu)
    assert few[URL] <= 12
