"""The status of every cell of the demo as of 2019-11-26 (the day of 第11期), from its value and its date.

The expectation is worked out here from the printed values and the notes' rules, not read from the code:
√ or a number is done, 已说明/已说明情况 explained, 非考核项/无 not assessed; a * in 奖惩案例 (each quarter,
note 6) is overdue since quarters one to three have ended without a case; every other * is due by the year-end
assessment, 35 days away: not due yet.
"""

import datetime
import json

import pytest

from assessment.cells import year_cells
from assessment.due import DueStatus
from assessment.models import Indicator, Unit
from bulletins.management.commands.load_demo import DEMO_DIR

pytestmark = pytest.mark.django_db

DAY = datetime.date(2019, 11, 26)


def expected_status(value, quarterly):
    if value == "√" or isinstance(value, int):
        return DueStatus.DONE
    if value in ("已说明", "已说明情况"):
        return DueStatus.EXPLAINED
    if value in ("非考核项", "无"):
        return DueStatus.NOT_ASSESSED
    assert value == "*"
    return DueStatus.OVERDUE if quarterly else DueStatus.NOT_DUE


def printed_statuses():
    data = json.loads((DEMO_DIR / "schemes-2019.json").read_text(encoding="utf-8"))
    result = {}
    for scheme in data["schemes"]:
        cases_column = [i["title"] == "奖惩案例" for i in scheme["indicators"]]
        for unit in scheme["units"]:
            for order, (value, quarterly) in enumerate(zip(unit["marks"], cases_column, strict=True), start=1):
                result[scheme["category"]["slug"], unit["name"], order] = expected_status(value, quarterly)
    return result


def demo_statuses(as_of):
    _, cells = year_cells(2019, as_of=as_of)
    units = dict(Unit.objects.values_list("pk", "name"))
    indicators = {i.pk: i for i in Indicator.objects.filter(scheme__year=2019).select_related("scheme__category")}
    return {(indicators[i].scheme.category.slug, units[u], indicators[i].order): cell for (u, i), cell in cells.items()}


def test_every_cell_of_the_demo_as_of_the_issue_date():
    cells = demo_statuses(DAY)
    assert {key: cell.status for key, cell in cells.items()} == printed_statuses()
    statuses = [cell.status for cell in cells.values()]
    assert statuses.count(DueStatus.OVERDUE) == 17  # the departments without a case this year
    assert DueStatus.DUE_SOON not in statuses


def test_a_department_without_a_case_is_overdue_since_the_first_quarter():
    cells = demo_statuses(DAY)
    no_case = cells["departments", "统战部", 8]
    assert (no_case.value, no_case.status, no_case.due_date) == ("*", DueStatus.OVERDUE, datetime.date(2019, 3, 31))
    assert no_case.due.phrase == "已逾期240天"
    with_cases = cells["departments", "财政局", 8]
    assert (with_cases.value, with_cases.status) == ("5", DueStatus.DONE)
    year_end = cells["departments", "财政局", 9]
    assert (year_end.status, year_end.due_date, year_end.due.phrase) == (
        DueStatus.NOT_DUE,
        datetime.date(2019, 12, 31),
        "还剩35天",
    )


def test_before_the_first_quarter_ended_no_case_was_late_yet():
    cells = demo_statuses(datetime.date(2019, 3, 25))
    assert cells["departments", "统战部", 8].status == DueStatus.DUE_SOON  # the quarter ends in 6 days


def test_the_year_end_items_turn_yellow_then_show_the_year_end_result():
    soon = demo_statuses(datetime.date(2019, 12, 20))
    assert soon["departments", "财政局", 9].status == DueStatus.DUE_SOON
    assert soon["departments", "财政局", 9].due.phrase == "还剩11天"
    late = demo_statuses(datetime.date(2020, 1, 1))
    assert late["departments", "财政局", 9].status == DueStatus.YEAR_END
    assert late["towns", "昆山开发区", 5].due.mark_text == "年终未完成"
    assert late["towns", "昆山高新区", 5].status == DueStatus.DONE


def test_an_archive_year_shows_the_year_end_result_not_thousands_of_days():
    """Every open cell of 2019 as of 2026-12-06 is 年终未完成 (the printed * cells, the quarterly ones too)."""
    cells = demo_statuses(datetime.date(2026, 12, 6))
    printed = printed_statuses()
    assert {key for key, cell in cells.items() if cell.status == DueStatus.YEAR_END} == {
        key for key, status in printed.items() if status in (DueStatus.OVERDUE, DueStatus.NOT_DUE)
    }
    assert not any("天" in cell.due.phrase for cell in cells.values() if cell.due is not None)
