"""Due rules as data (assessment.due): by a date, at each quarter's end, by the year-end assessment; the
office's changed date for one unit × indicator; a leap year; the new-year step; the scheme's JSON."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from assessment import due
from assessment.due import DueStatus, cell_due, rule_date, same_day_next_year
from assessment.imports.schemes import export_year, import_year
from assessment.marks.services import clear_due_override, set_due_override, start_new_year
from assessment.models import DueOverride, DueRule, Indicator, Mark, Unit
from core.errors import DomainError

pytestmark = pytest.mark.django_db

D = datetime.date


def indicator(rule, due_date=None):
    return Indicator(due_rule=rule, due_date=due_date)


def status(value, ind, as_of, year=2019, override=None):
    return cell_due(value, ind, year, as_of, override)


def test_by_a_date():
    ind = indicator(DueRule.DATE, D(2019, 6, 30))
    assert rule_date(ind, 2019, D(2019, 1, 5)) == (D(2019, 6, 30), False)
    assert status("*", ind, D(2019, 6, 1)).status == DueStatus.NOT_DUE  # 29 days left
    soon = status("*", ind, D(2019, 6, 16))
    assert (soon.status, soon.days_left, soon.phrase) == (DueStatus.DUE_SOON, 14, "还剩14天")
    assert status("*", ind, D(2019, 6, 30)).phrase == "今天到期"
    late = status("*", ind, D(2019, 7, 12))
    assert (late.status, late.phrase, late.label) == (DueStatus.OVERDUE, "已逾期12天", "已逾期")


def test_by_the_year_end_assessment():
    ind = indicator(DueRule.YEAR_END)
    assert status("*", ind, D(2019, 11, 26)).date == D(2019, 12, 31)
    assert status("*", ind, D(2019, 11, 26)).status == DueStatus.NOT_DUE
    assert status("*", ind, D(2019, 12, 17)).status == DueStatus.DUE_SOON
    # Once the year has ended, an open item is 年终未完成: the year-end result, not days overdue.
    ended = status("*", ind, D(2026, 12, 6))
    assert (ended.status, ended.label, ended.phrase, ended.mark_text) == (
        DueStatus.YEAR_END,
        "年终未完成",
        "",
        "年终未完成",
    )
    assert "已逾期" not in ended.mark_title and "年度已结束" in ended.mark_title
    assert status("*", indicator(DueRule.QUARTERLY), D(2020, 1, 1)).status == DueStatus.YEAR_END
    # A date the office set in the next January still counts down until it passes.
    late_date = indicator(DueRule.DATE, due_date=D(2020, 1, 15))
    assert status("*", late_date, D(2020, 1, 5)).status == DueStatus.DUE_SOON
    assert status("*", late_date, D(2020, 1, 16)).status == DueStatus.YEAR_END


def test_at_each_quarters_end():
    ind = indicator(DueRule.QUARTERLY)
    first = status("*", ind, D(2019, 2, 1))
    assert (first.date, first.status) == (D(2019, 3, 31), DueStatus.NOT_DUE)
    assert status("*", ind, D(2019, 3, 20)).status == DueStatus.DUE_SOON
    # once a quarter ended without the duty met, a * is overdue since that quarter's end
    late = status("*", ind, D(2019, 11, 26))
    assert due.due_quarters(2019, D(2019, 11, 26)) == (1, 2, 3)
    assert (late.date, late.status, late.phrase) == (D(2019, 3, 31), DueStatus.OVERDUE, "已逾期240天")
    # a number of cases, √, an explanation or 非考核项 owe nothing
    assert status("6", ind, D(2019, 11, 26)).status == DueStatus.DONE


def test_the_soon_window_is_a_setting(settings):
    ind = indicator(DueRule.YEAR_END)
    settings.DUE_SOON_DAYS = 3
    assert status("*", ind, D(2019, 12, 17)).status == DueStatus.NOT_DUE
    assert status("*", ind, D(2019, 12, 28)).status == DueStatus.DUE_SOON


def test_values_that_owe_nothing():
    ind = indicator(DueRule.YEAR_END)
    later = D(2020, 3, 1)
    assert [status(v, ind, later).status for v in ("√", "4", "已说明", "已说明情况", "非考核项", "无")] == [
        DueStatus.DONE,
        DueStatus.DONE,
        DueStatus.EXPLAINED,
        DueStatus.EXPLAINED,
        DueStatus.NOT_ASSESSED,
        DueStatus.NOT_ASSESSED,
    ]
    assert status("√", ind, later).phrase == ""  # nothing open, no days shown


def test_a_date_rule_needs_its_date_and_only_it_has_one():
    ind = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=1)
    ind.due_rule = DueRule.DATE
    with pytest.raises(ValidationError, match="需要填写截止日期"):
        ind.full_clean()
    ind.due_rule, ind.due_date = DueRule.YEAR_END, D(2019, 6, 30)
    with pytest.raises(ValidationError, match="只有“限期完成”"):
        ind.full_clean()
    ind.due_rule, ind.due_date = DueRule.DATE, D(2023, 6, 30)
    with pytest.raises(ValidationError, match="2019年或次年"):
        ind.full_clean()


def _mark(unit="财政局", order=9):
    return Mark.objects.select_related("unit", "indicator__scheme").get(
        unit__name=unit, indicator__scheme__year=2019, indicator__order=order
    )


def test_an_override_moves_one_cells_date_with_a_reason(staff_user, leader_user):
    mark = _mark()
    with pytest.raises(DomainError, match="原因"):
        set_due_override(mark, D(2019, 11, 30), " ", staff_user)
    with pytest.raises(DomainError, match="只有市信用办"):
        set_due_override(mark, D(2019, 11, 30), "领导要求提前", leader_user)
    saved = set_due_override(mark, D(2019, 11, 30), "配合省考核提前", staff_user)
    assert (saved.set_by, saved.reason) == (staff_user, "配合省考核提前")
    set_due_override(mark, D(2019, 12, 5), "再调整", staff_user)
    assert DueOverride.objects.count() == 1  # one per unit × indicator
    override = DueOverride.objects.get()
    moved = cell_due("*", mark.indicator, 2019, D(2019, 11, 26), override)
    assert (moved.date, moved.status, moved.reason) == (D(2019, 12, 5), DueStatus.DUE_SOON, "再调整")
    assert clear_due_override(mark, staff_user) is True
    assert not DueOverride.objects.exists()


def test_the_changed_dates_are_read_for_every_unit_or_some(staff_user):
    """overrides_for (the grid, the overview, the cells): every changed date of the columns as the rows hold it,
    read afresh after each change though its query is compiled once for the columns."""
    marks = list(Mark.objects.filter(indicator__scheme__year=2019).order_by("pk")[:40:7])
    columns = {m.indicator_id for m in marks}

    def expected(unit_ids=None):
        rows = DueOverride.objects.filter(indicator_id__in=columns)
        rows = rows if unit_ids is None else rows.filter(unit_id__in=unit_ids)
        return {(o.unit_id, o.indicator_id): (o.date, o.reason) for o in rows}

    assert due.overrides_for(columns) == expected() == {}
    for n, mark in enumerate(marks):
        set_due_override(mark, D(2019, 10, 1 + n), f"调整{n}", staff_user)
        assert due.overrides_for(columns) == expected()
    some = {marks[0].unit_id, marks[-1].unit_id}
    assert due.overrides_for(sorted(columns, reverse=True), some) == expected(some) != expected()
    found = due.overrides_for(columns)[(marks[2].unit_id, marks[2].indicator_id)]
    assert (found.date, found.reason) == (D(2019, 10, 3), "调整2")
    clear_due_override(marks[2], staff_user)
    assert due.overrides_for(columns) == expected() and len(expected()) == len(marks) - 1


def test_an_override_stays_in_its_year_and_with_enrolled_units(staff_user):
    with pytest.raises(DomainError, match="2019年或次年"):
        set_due_override(_mark(), D(2022, 1, 1), "太远", staff_user)


def test_a_leap_day_moves_to_the_28th_in_the_next_year():
    assert same_day_next_year(D(2020, 2, 29)) == D(2021, 2, 28)
    assert same_day_next_year(D(2019, 6, 30)) == D(2020, 6, 30)
    # and in a leap year the quarter ends stay where they are
    assert due.quarter_end(2020, 1) == D(2020, 3, 31) and due.quarter_end(2020, 4) == D(2020, 12, 31)


def test_a_new_year_copies_rules_and_overrides_one_year_on(staff_user):
    towns = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=1)
    towns.due_rule, towns.due_date = DueRule.DATE, D(2019, 6, 30)
    towns.save()
    set_due_override(_mark(), D(2019, 12, 15), "年底集中验收", staff_user)
    leap = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=2)
    start_new_year(2019, staff_user)
    # a 29 February in 2020 becomes 28 February in 2021
    Indicator.objects.filter(scheme__year=2020, scheme__category__slug="towns", order=2).update(
        due_rule=DueRule.DATE, due_date=D(2020, 2, 29)
    )
    start_new_year(2020, staff_user)
    new = {i.title: i for i in Indicator.objects.filter(scheme__year=2021, scheme__category__slug="towns")}
    assert (new[towns.title].due_rule, new[towns.title].due_date) == (DueRule.DATE, D(2021, 6, 30))
    assert new[leap.title].due_date == D(2021, 2, 28)
    cases = Indicator.objects.get(scheme__year=2020, scheme__category__slug="departments", title="奖惩案例")
    assert (cases.due_rule, cases.due_date) == (DueRule.QUARTERLY, None)
    copied = DueOverride.objects.get(indicator__scheme__year=2020)
    assert (copied.unit.name, copied.date, copied.reason) == ("财政局", D(2020, 12, 15), "年底集中验收")


def test_the_demo_has_the_cases_quarterly_and_the_rest_by_the_year_end():
    rules = {(i.scheme.category.slug, i.title): i.due_rule for i in Indicator.objects.filter(scheme__year=2019)}
    assert rules.pop(("departments", "奖惩案例")) == DueRule.QUARTERLY
    assert set(rules.values()) == {DueRule.YEAR_END}


def test_the_schemes_json_carries_rules_and_overrides(staff_user):
    set_due_override(_mark(), D(2019, 12, 15), "年底集中验收", staff_user)
    data = export_year(2019)
    departments = data["schemes"][2]
    assert departments["indicators"][7]["due_rule"] == "quarterly"
    assert departments["due_overrides"] == [
        {"unit": "财政局", "indicator": 9, "date": "2019-12-15", "reason": "年底集中验收"}
    ]
    DueOverride.objects.all().delete()
    departments["indicators"][0].update(due_rule="date", due_date="2019-09-30")
    import_year(data)
    assert Indicator.objects.get(scheme__year=2019, scheme__category__slug="departments", order=1).due_date == D(
        2019, 9, 30
    )
    override = DueOverride.objects.get()
    assert (override.unit, override.date) == (Unit.objects.get(name="财政局"), D(2019, 12, 15))
