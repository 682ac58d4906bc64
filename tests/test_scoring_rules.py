"""Worked examples, one per rule kind, on the demo's 2019 schemes (the printed notes' numbers).

Each docstring works the figure out from the notes of the reference issue; the test changes marks
through set_mark and records deductions through the service, as staff would, then reads the score.
"""

import datetime
from decimal import Decimal as D

import pytest

from assessment.marks.services import set_mark
from assessment.models import Indicator, Mark, Unit
from assessment.scoring import live
from assessment.scoring.live import year_scores
from assessment.scoring.services import record_deduction
from cases import services
from core.errors import DomainError

# The date: quarters one to three due, which the printed 前三季度 counts cover. The examples of
# other rules are read on it, so that note 6's fourth quarter (short for every department without a case
# of its own in it, from 2020 on) does not enter their arithmetic.
AS_PRINTED = datetime.date(2019, 11, 26)


def _scores(**kwargs):
    return {u.unit_name: u for c in year_scores(2019, **kwargs) for u in c.units}


def _indicator(slug, order):
    return Indicator.objects.get(scheme__year=2019, scheme__category__slug=slug, order=order)


def _set(unit_name, slug, order, text, user):
    set_mark(Mark.objects.get(unit__name=unit_name, indicator=_indicator(slug, order)), text, user)


def _record(unit_name, slug, order, user, *, month=6, **kwargs):
    return record_deduction(
        unit=Unit.objects.get(name=unit_name),
        indicator=_indicator(slug, order),
        date=datetime.date(2019, month, 15),
        reason="测试",
        user=user,
        confirm=True,
        **kwargs,
    )


def _line(score, title_part):
    return next(line for line in score.lines if title_part in line.title)


def test_earn_a_town_earns_the_points_of_what_it_completed(db):
    """区镇 notes 1–5: completing each task earns 0.6, 0.4, 0.2, 0.4, 0.4 (2.0 in all).

    昆山开发区 is printed √ √ √ √ *: during the year the * (信用审查, note 5) is pending, so it stands
    at 2.0; if the year ended today it would earn 0.6 + 0.4 + 0.2 + 0.4 = 1.6, not the 0.4 of note 5.
    """
    score = _scores()["昆山开发区"]
    assert score.full_points == D("2.0")
    assert (score.deduction, score.score) == (D("0"), D("2.0"))
    assert (score.year_end_deduction, score.year_end_score) == (D("0.4"), D("1.6"))
    line = _line(score, "信用审查")
    assert (line.status, line.note_number, line.rule) == ("pending", 5, "完成得0.4分")
    assert "不得0.4分" in line.explanation
    assert _line(score, "贯标创建").explanation == "已完成，得0.4分"


def test_lose_an_office_loses_the_points_of_what_it_left_undone(db, staff_user):
    """城市管理办事处 notes 1–4: not done loses 3, 2, 1, 2; the full score is 3 + 2 + 1 + 2 + 2 = 10.

    柏庐 is printed √ * √ * √: at year end it would lose 2 (note 2) + 2 (note 4) = 4 → 6.
    Once 信用审查 is done (√) only note 2 costs: 10 − 2 = 8.
    """
    score = _scores()["柏庐城市管理办事处"]
    assert (score.full_points, score.score, score.year_end_score) == (D("10"), D("10"), D("6"))
    assert [(line.note_number, line.year_end_deduction) for line in score.deduction_lines] == [
        (2, D("2")),
        (4, D("2")),
    ]
    _set("柏庐城市管理办事处", "offices", 4, "√", staff_user)
    assert _scores()["柏庐城市管理办事处"].year_end_score == D("8")


def test_per_occurrence_an_office_with_two_missed_tasks_loses_one_point(db, staff_user):
    """城市管理办事处 note 5: 未完成相关专题宣传任务的，扣0.5分/次，扣满2分为止.

    亭林 missed two 宣传 tasks (one record of 2, confirmed): 0.5 × 2 = 1 point, deducted now,
    so its current score is 10 − 1 = 9; at year end its two * (notes 2, 4) add 4 → 5.
    """
    _record("亭林城市管理办事处", "offices", 5, staff_user, count=2)
    score = _scores()["亭林城市管理办事处"]
    line = _line(score, "诚信专题宣传任务")
    assert (line.deduction, line.status, line.note_number) == (D("1"), "deducted", 5)
    assert line.explanation == "已确认2次：0.5分×2次=1分，扣1分"
    assert (score.score, score.year_end_score) == (D("9"), D("5"))


def test_per_occurrence_seven_missing_cases_lose_the_cap_not_more(db, staff_user):
    """部门 note 6: 每个季度未按要求报案例的，扣0.05分/条，扣满0.3分为止.

    发改委 missed 2, 1, 3 and 1 cases in the four quarters: 7 × 0.05 = 0.35, capped at 0.3,
    so it scores 1.8 − 0.3 = 1.5, not 1.45 (read on the issue's date, when its printed 前三季度 cases
    leave no quarter short). Fed as the cases' quarterly shortfall the result is the same.
    """
    for month, missing in ((3, 2), (6, 1), (9, 3), (12, 1)):
        _record("发改委", "departments", 8, staff_user, count=missing, month=month)
    score = _scores(as_of=AS_PRINTED)["发改委"]
    line = _line(score, "奖惩案例")
    assert line.deduction == D("0.3")
    assert "0.05分×7次=0.35分，扣满0.3分为止，扣0.3分" in line.explanation
    assert score.score == score.year_end_score == D("1.5")


def test_per_occurrence_cases_shortfall_given_explicitly(db):
    """The same 7 missing cases passed as `case_shortfall` (the shape the cases app computes): 1.8 − 0.3 = 1.5."""
    unit, indicator = Unit.objects.get(name="发改委"), _indicator("departments", 8)
    shortfall = {(unit.pk, indicator.pk): [("第1季度", 2), ("第2季度", 1), ("第3季度", 3), ("第4季度", 1)]}
    score = _scores(case_shortfall=shortfall)["发改委"]
    assert score.score == D("1.5")
    assert [r.reason for r in _line(score, "奖惩案例").records] == ["第1季度", "第2季度", "第3季度", "第4季度"]
    assert _scores(as_of=AS_PRINTED)["发改委"].score == D("1.8")  # its 6 printed cases cover quarters 1–3
    assert _scores()["发改委"].score == D("1.75")  # but not the fourth


def test_per_occurrence_cases_shortfall_from_the_case_records(db, staff_user):
    """Note 6 from the case records (cases.counts.CaseCounts, registered by the cases app).

    统战部 printed * and has no case: on 2019-11-26 quarters one to three are due → 3 × 0.05 = 0.15; from
    2020 on all four → 0.20. A case accepted for the first quarter covers it: 0.10 then 0.15.
    """
    unit = Unit.objects.get(name="统战部")
    assert _scores(as_of=datetime.date(2019, 11, 26))["统战部"].score == D("1.65")
    assert _scores()["统战部"].score == D("1.60")
    case = services.create_case(
        staff_user,
        {
            "kind": "reward",
            "title": "一季度案例",
            "body": "正文。",
            "subject": "某企业",
            "event_date": datetime.date(2019, 2, 10),
        }
        | {"source_unit": unit},
        submit=True,
    )
    services.accept_case(case, staff_user)
    assert _scores(as_of=datetime.date(2019, 11, 26))["统战部"].score == D("1.70")
    score = _scores()["统战部"]
    assert score.score == D("1.65")
    assert [r.reason for r in _line(score, "奖惩案例").records] == ["二季度", "三季度", "四季度"]
    assert live.unit_score(unit, 2019).score == D("1.65")


def test_per_occurrence_feedback_counts_by_the_hundredth(db, staff_user):
    """部门 note 5: 未按要求反馈联合奖惩措施和应用成效的，扣0.01分/次，扣满0.3分为止.

    科技局 (√ in the column) failed to report back 12 times: 12 × 0.01 = 0.12 → 1.8 − 0.12 = 1.68.
    """
    _record("科技局", "departments", 7, staff_user, count=12)
    assert _scores(as_of=AS_PRINTED)["科技局"].score == D("1.68")
    assert _scores()["科技局"].score == D("1.63")  # and the fourth quarter without a case: 0.05


def test_per_occurrence_a_star_with_nothing_recorded_counts_once_at_year_end(db):
    """部门 note 7 (宣传 0.05/次): 团市委's 宣传 is *, no miss recorded. During the year nothing is
    deducted; closing the year counts the * as one missed task: 0.05."""
    line = _line(_scores()["团市委"], "诚信专题宣传任务")
    assert (line.deduction, line.year_end_deduction, line.status) == (D("0"), D("0.05"), "pending")
    assert "按1次计" in line.explanation


def test_discretionary_a_serious_event_costs_what_the_office_decides_up_to_the_cap(db, staff_user):
    """区镇 note 6: 被国家城市信用监测系统监测到严重失信事件的，视情最高扣20分 (outside the 2.0).

    周庄镇 (all √) is docked 5 for an event: 2.0 − 5 = −3, at once (a confirmed event is not pending).
    21 is refused: above the column's cap of 20.
    """
    _record("周庄镇", "towns", 6, staff_user, amount=D("5"))
    score = _scores()["周庄镇"]
    assert (score.full_points, score.score, score.year_end_score) == (D("2"), D("-3"), D("-3"))
    with pytest.raises(DomainError, match="不能超过本项上限20分"):
        _record("周庄镇", "towns", 6, staff_user, amount=D("21"))


def test_discretionary_a_departments_event_column_is_part_of_its_full_points(db, staff_user):
    """部门 note 8: a serious event costs 0.3; the column prints (0.3分) and is part of the full 1.8
    (0.2 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.3 + 0.3 + 0.2 + 0.3). 税务局 (all done): 1.8 − 0.3 = 1.5."""
    assert _scores()["税务局"].full_points == D("1.8")
    _record("税务局", "departments", 10, staff_user, amount=D("0.3"))
    assert _scores(as_of=AS_PRINTED)["税务局"].score == D("1.5")


def test_group_note_1_loses_its_point_three_if_either_column_is_left_undone(db, staff_user):
    """部门 note 1 scores columns 1 and 2 together: 未配合…或推进试点项目的，扣0.3分.

    发改委 has both √. With 配合推进…试点项目 (0.1 printed) left *, the year end costs the group's 0.3,
    not the column's 0.1: 1.8 − 0.3 = 1.5. Explained instead: nothing is deducted.
    """
    _set("发改委", "departments", 2, "*", staff_user)
    line = _line(_scores(as_of=AS_PRINTED)["发改委"], "配合推进国家守信激励创新试点项目")
    assert (line.kind, line.note_number, line.points, line.year_end_deduction) == ("group", 1, D("0.3"), D("0.3"))
    assert _scores(as_of=AS_PRINTED)["发改委"].year_end_score == D("1.5")
    _set("发改委", "departments", 2, "已说明", staff_user)
    assert _scores(as_of=AS_PRINTED)["发改委"].year_end_score == D("1.8")


def test_group_note_3_costs_its_points_once(db, staff_user):
    """部门 note 3: 在行政管理中未使用信用承诺、信用审查、信用报告的，扣0.2分 (columns 4 and 5).

    发改委 with 应用信用承诺 *: 0.2 at year end. With both columns *: still 0.2, once.
    """
    _set("发改委", "departments", 4, "*", staff_user)
    assert _scores(as_of=AS_PRINTED)["发改委"].year_end_score == D("1.6")
    _set("发改委", "departments", 5, "*", staff_user)
    line = _line(_scores()["发改委"], "应用信用承诺")
    assert (line.year_end_deduction, line.note_number) == (D("0.2"), 3)
    assert "“(参照条线) 应用信用承诺”、“(参照条线) 应用信用审查或信用报告”未完成" in line.explanation


def test_explained_and_not_assessed_items_are_not_deducted(db):
    """Closing note (部门 10): items explained for objective reasons are not deducted; 非考核项 do not apply.

    统战部: √ 非考核项 非考核项 已说明 已说明情况 非考核项 已说明情况 * √ 无 — only the cases * (note 6)
    costs anything: no case in any of the four quarters of 2019, 4 × 0.05 → 1.60.
    """
    score = _scores()["统战部"]
    assert score.year_end_score == D("1.60")
    assert [line.title for line in score.deduction_lines] == ["奖惩案例"]
    assert _line(score, "应用信用承诺").explanation == "已作情况说明，不作为扣分项"
    assert _line(score, "信用等级评价").explanation == "非考核项，不作为扣分项"
