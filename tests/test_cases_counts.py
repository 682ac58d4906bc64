"""The 奖惩案例 column is derived: accepted cases of the unit in the year plus offline records."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessment.models import Indicator, Mark, Unit
from assessment.tables import build_tables, schemes_with_parts
from cases import stored_counts
from cases.counts import quarterly_counts, year_counts
from cases.models import Case, CaseCountRecord, CaseStatus

from . import reference
from .factories import CaseCountRecordFactory, CaseFactory, correct_demo_issue
from .test_bulletin_page import parse

BULLETIN = "/bulletins/2019/11/"
WORKBOOK = "/bulletins/2019/11/progress.xlsx"
CASES_COLUMN = 8  # 奖惩案例 is the 8th indicator of the department table


def page_cell(client, unit_name):
    """The unit's 奖惩案例 cell as the bulletin page shows it once the office prints the current figures.

    A published issue is frozen (issue 6): the office publishes a correction to take new counts in.
    """
    correct_demo_issue()
    departments = parse(client.get(BULLETIN).content.decode()).tables[2]
    for row in departments[1:]:
        if row[0][1] == unit_name:
            return row[CASES_COLUMN][1]
    raise AssertionError(f"{unit_name} not in the department table")


def workbook_cell(client, unit_name):
    correct_demo_issue()
    wb = load_workbook(io.BytesIO(b"".join(client.get(WORKBOOK).streaming_content)))
    for row in wb["部门"].iter_rows(min_row=3, values_only=True):
        if row[0] == unit_name:
            return row[CASES_COLUMN]
    raise AssertionError(f"{unit_name} not in the workbook")


def accepted_case(unit_name, year=2019, quarter=4, **kwargs):
    unit = Unit.objects.get(name=unit_name)
    return CaseFactory(
        source_unit=unit, source_label=unit.name, year=year, quarter=quarter, status=CaseStatus.ACCEPTED, **kwargs
    )


def test_demo_records_make_every_printed_count_come_out(db):
    printed = {row[0]: row[CASES_COLUMN] for row in reference.tables()["部门"]["rows"]}
    counts = year_counts(2019)
    ids = dict(Unit.objects.values_list("name", "pk"))
    for name, cell in printed.items():
        assert counts.get(ids[name], 0) == (int(cell) if cell.isdigit() else 0), name


def test_the_printed_cases_of_two_departments_are_accepted_cases_and_the_rest_is_offline(db):
    for name, printed in (("行政审批局", 4), ("住建局", 10)):
        unit = Unit.objects.get(name=name)
        case = Case.objects.get(source_unit=unit, year=2019)
        assert case.status == CaseStatus.ACCEPTED and case.for_bulletin
        record = CaseCountRecord.objects.get(unit=unit, year=2019)
        assert record.count == printed - 1
        assert record.note == f"2019年前三季度报送 {printed - 1} 例" and record.quarters == (1, 3)
    # The 331 task force is not an assessed unit: its case counts for nobody.
    assert Case.objects.get(source_label="市“331”专班").source_unit is None
    # Every department with a printed count has exactly one offline record, the others none.
    assert CaseCountRecord.objects.filter(year=2019).count() == sum(
        1 for row in reference.tables()["部门"]["rows"] if row[CASES_COLUMN].isdigit()
    )


def test_an_accepted_case_adds_one_on_the_page_and_in_the_workbook(client, db):
    assert page_cell(client, "发改委") == "6"
    accepted_case("发改委")
    assert page_cell(client, "发改委") == "7"
    assert workbook_cell(client, "发改委") == 7  # a number the office can sum, not text


@pytest.mark.parametrize(
    "status",
    [CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.RETURNED, CaseStatus.RESUBMITTED, CaseStatus.WITHDRAWN],
)
def test_cases_not_accepted_do_not_count(client, db, status):
    unit = Unit.objects.get(name="发改委")
    CaseFactory(source_unit=unit, year=2019, quarter=4, status=status)
    assert page_cell(client, "发改委") == "6"


def test_a_case_of_another_year_does_not_count(client, db):
    accepted_case("发改委", year=2018)
    assert page_cell(client, "发改委") == "6"


def test_acceptance_through_the_review_counts(role_client, reporter_case):
    client = role_client("staff")
    assert page_cell(client, "发改委") == "6"
    client.post(f"/cases/case/{reporter_case.pk}/accept/")
    assert page_cell(client, "发改委") == "7"


def test_staff_add_an_offline_record_and_it_counts_with_its_source(role_client, staff_user):
    client = role_client("staff")
    unit = Unit.objects.get(name="商务局")
    assert page_cell(client, "商务局") == "*"
    response = client.post(
        "/cases/counts/",
        {
            "unit": unit.pk,
            "year": 2019,
            "quarters": "2-2",
            "date": "2019-06-28",
            "count": 3,
            "note": "纸质材料报送 3 例",
        },
    )
    assert response.status_code == 302
    record = CaseCountRecord.objects.get(unit=unit)
    assert (record.quarters, record.count, record.created_by) == ((2, 2), 3, staff_user)
    assert page_cell(client, "商务局") == "3"
    listing = client.get("/cases/counts/?year=2019").content.decode()
    assert "纸质材料报送 3 例" in listing and "t_staff" in listing and "<td>二季度</td>" in listing
    assert f'<a href="/cases/counts/{record.pk}/delete/">删除</a>' in listing  # the listing links its delete
    # Deleting asks first, then the number goes back.
    confirm = client.get(f"/cases/counts/{record.pk}/delete/").content.decode()
    assert "确定删除" in confirm
    client.post(f"/cases/counts/{record.pk}/delete/")
    assert page_cell(client, "商务局") == "*"


def test_at_zero_the_cell_shows_the_marks_state(client, db):
    # 商务局 printed *, 机关事务管理中心 printed 非考核项: no records, the mark's word shows.
    assert page_cell(client, "商务局") == "*"
    assert page_cell(client, "机关事务管理中心") == "非考核项"
    # Without its records, a department whose count was typed in before shows as not done.
    CaseCountRecord.objects.filter(unit__name="发改委").delete()
    assert page_cell(client, "发改委") == "*"
    assert workbook_cell(client, "发改委") == "*"


def test_an_exempt_word_stands_over_a_count(client, db):
    """A unit that owes no cases (非考核项) keeps its word even after a case: it is not assessed on them
    (assessment.cells), so the scores and the quarterly table exempt it too."""
    accepted_case("机关事务管理中心")
    assert page_cell(client, "机关事务管理中心") == "非考核项"


def test_reporters_see_their_own_units_records_only(role_client):
    page = role_client("reporter").get("/cases/counts/").content.decode()
    assert "2019年前三季度报送 6 例" in page and "教育局" not in page and "录入线下报送记录" not in page


def test_counts_by_quarter_keep_records_over_several_quarters_apart(db):
    unit = Unit.objects.get(name="发改委")
    accepted_case("发改委", quarter=1)
    accepted_case("发改委", quarter=1)
    CaseCountRecordFactory(unit=unit, quarter=2, count=4)
    assert quarterly_counts(2019)[unit.pk] == {(1, 3): 6, 1: 2, 2: 4}
    assert year_counts(2019, [unit.pk]) == {unit.pk: 12}


def _add_cases(n):
    units = list(Unit.objects.filter(category__slug="departments"))
    Case.objects.bulk_create(
        Case(
            kind="reward",
            title=f"批量{i}",
            body="正文",
            source_unit=units[i % len(units)],
            source_label="x",
            year=2019,
            quarter=i % 4 + 1,
            status=CaseStatus.ACCEPTED,
        )
        for i in range(n)
    )
    CaseCountRecord.objects.bulk_create(
        CaseCountRecord(
            unit=units[i % len(units)],
            year=2019,
            first_quarter=i % 4 + 1,
            last_quarter=i % 4 + 1,
            date="2019-03-01",
            count=1,
            note="x",
        )
        for i in range(n)
    )
    stored_counts.invalidate([2019])  # bulk_create sends no signal: the year is counted afresh on its next read


def test_build_tables_reads_the_counts_in_one_query_whatever_the_number_of_cases(db):
    _add_cases(10)
    with CaptureQueriesContext(connection) as few:
        build_tables(schemes_with_parts().filter(year=2019))
    _add_cases(500)
    with CaptureQueriesContext(connection) as many:
        tables = build_tables(schemes_with_parts().filter(year=2019))
    assert len(many.captured_queries) == len(few.captured_queries)
    count_queries = [q["sql"] for q in many.captured_queries if "UNION" in q["sql"].upper()]
    assert len(count_queries) == 1
    departments = tables[2]
    assert sum(c.count or 0 for row in departments.rows for c in row.cells if getattr(c, "derived", False)) > 1000


def test_a_scheme_without_a_count_column_costs_no_count_query(db):
    schemes = schemes_with_parts().filter(year=2019, category__slug="towns")
    with CaptureQueriesContext(connection) as queries:
        build_tables(schemes)
    assert not [q for q in queries.captured_queries if "UNION" in q["sql"].upper()]


def test_the_marks_of_count_columns_are_left_alone(client, db):
    """Counting reads the records; the mark (its version, its history) is not touched."""
    mark = Mark.objects.get(unit__name="发改委", indicator=Indicator.objects.get(scheme__year=2019, accepts_count=True))
    accepted_case("发改委")
    client.get(BULLETIN)
    mark.refresh_from_db()
    assert (mark.state, mark.count, mark.version) == ("*", None, 1)


def test_running_load_demo_again_keeps_cases_accepted_since(client, db):
    from .conftest import load_demo

    accepted_case("发改委")
    accepted_case("行政审批局")
    load_demo()
    assert page_cell(client, "发改委") == "7"
    assert page_cell(client, "行政审批局") == "5"
    assert CaseCountRecord.objects.get(unit__name="行政审批局").count == 3


def test_a_reading_for_some_units_counts_only_theirs(db):
    """A page of the ranking scores 100 units: the shared reading of the case counts holds theirs, not the year's."""
    from assessment import derived
    from cases.counts import CaseCounts

    whole = derived.Readings().of(CaseCounts(), 2019)
    assert len(whole) > 1
    unit_id = sorted(whole)[0]
    some = derived.Readings([unit_id]).of(CaseCounts(), 2019)
    assert some == {unit_id: whole[unit_id]}
