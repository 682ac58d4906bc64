"""Closing the year: staff confirm, every remaining “*” without explanation becomes a deduction,
the result is frozen as a version; a re-close after a correction makes the next version with a reason."""

import re
from decimal import Decimal as D

import pytest

from assessment.marks.services import set_mark
from assessment.models import Indicator, Mark, Unit, YearEndAssessment
from assessment.scoring.live import frozen_scores, latest_assessment, unit_score
from core.errors import DomainError

from .factories import DeductionFactory

CLOSE = "/assessment/2019/scores/close/"
REOPEN = "/assessment/2019/scores/reopen/"
RANKING = "/assessment/2019/scores/"


def _mark(unit, slug, order):
    return Mark.objects.get(
        unit__name=unit, indicator__scheme__year=2019, indicator__scheme__category__slug=slug, indicator__order=order
    )


def _frozen(version=None):
    assessment = latest_assessment(2019) if version is None else YearEndAssessment.objects.get(version=version)
    return {u.unit_name: u for c in frozen_scores(assessment) for u in c.units}


def test_the_confirmation_page_lists_what_closing_will_deduct(role_client):
    page = role_client("staff").get(CLOSE).content.decode()
    assert "将转为扣分的“*”" in page
    # 7 towns + 4 offices + 10 departments have a pending “*”; a department's cases * is no longer
    # pending: its quarters have ended and are deducted already (note 6, from the case records).
    assert "（21 家单位）" in page
    assert "年底考核时仍未完成且未作情况说明，不得0.4分" in page  # a town's 信用审查
    assert "按1次计，扣0.05分" in page  # a department's 宣传
    # each unit's lines link its scores
    links = set(re.findall(r'<a href="/assessment/2019/scores/(\d+)/">([^<]+)</a>', page))
    assert len(links) == 21 and all(Unit.objects.get(pk=pk).name == name for pk, name in links)
    assert not YearEndAssessment.objects.exists()


def test_closing_freezes_the_result_as_version_1(role_client, staff_user):
    client = role_client("staff")
    response = client.post(CLOSE, {"reason": ""})
    assert response.status_code == 302 and response["Location"] == RANKING
    assessment = YearEndAssessment.objects.get()
    assert (assessment.year, assessment.version, assessment.closed_by) == (2019, 1, staff_user)
    frozen = _frozen()
    assert (frozen["昆山开发区"].score, frozen["柏庐城市管理办事处"].score, frozen["烟草专卖局"].score) == (
        D("1.6"),
        D("6"),
        D("1.25"),
    )
    line = next(line for line in frozen["昆山开发区"].lines if line.title == "信用审查")
    assert (line.deduction, line.status, line.note_number) == (D("0.4"), "deducted", 5)
    assert line.explanation == "年底考核时仍未完成且未作情况说明，不得0.4分"
    page = client.get(RANKING).content.decode()
    assert "年终考核结果 <b>第1版</b>" in page and "若今日年终考核" not in page


def test_a_closed_year_is_locked_until_reopened_with_a_reason(role_client, staff_user):
    client = role_client("staff")
    client.post(CLOSE, {"reason": ""})
    mark = _mark("昆山开发区", "towns", 5)
    with pytest.raises(DomainError, match="2019年度已完成年终考核（第1版），考核数据已锁定"):
        set_mark(mark, "√", staff_user)
    response = client.post(f"/assessment/marks/{mark.pk}/", {"value": "√", "version": mark.version})
    assert response.status_code == 400 and "考核数据已锁定" in response.json()["error"]
    response = client.post(REOPEN, {"reason": ""}, follow=True)
    assert "重新开放年度须填写原因" in response.content.decode()
    assert latest_assessment(2019).locks_year
    client.post(REOPEN, {"reason": "昆山开发区补交材料"})
    assessment = latest_assessment(2019)
    assert (assessment.reopen_reason, assessment.reopened_by) == ("昆山开发区补交材料", staff_user)
    assert not assessment.locks_year
    assert "重新开放（原因：昆山开发区补交材料）" in client.get(CLOSE).content.decode()
    set_mark(mark, "√", staff_user)
    assert _mark("昆山开发区", "towns", 5).state == "√"


def test_later_changes_never_change_a_frozen_result(role_client, staff_user):
    client = role_client("staff")
    client.post(CLOSE, {"reason": ""})
    client.post(REOPEN, {"reason": "更正"})
    set_mark(_mark("昆山开发区", "towns", 5), "√", staff_user)
    assert _frozen()["昆山开发区"].score == D("1.6")
    assert unit_score(Unit.objects.get(name="昆山开发区"), 2019).score == D("1.6")
    page = client.get(RANKING).content.decode()
    assert "当前计算与本版结果不同" in page
    live = client.get(RANKING + "?live=1").content.decode()
    assert "当前计算（非年终考核结果" in live


def test_a_re_close_needs_a_reason_and_makes_version_2_keeping_version_1(role_client, staff_user):
    client = role_client("staff")
    client.post(CLOSE, {"reason": ""})
    client.post(REOPEN, {"reason": "补交情况说明"})
    set_mark(_mark("昆山开发区", "towns", 5), "已说明", staff_user)  # the explanation arrived late
    response = client.post(CLOSE, {"reason": ""}, follow=True)
    assert "重新考核须填写更正原因" in response.content.decode()
    assert YearEndAssessment.objects.count() == 1
    client.post(CLOSE, {"reason": "昆山开发区补交情况说明"})
    assert list(YearEndAssessment.objects.values_list("version", "reason")) == [
        (2, "昆山开发区补交情况说明"),
        (1, ""),
    ]
    assert _frozen()["昆山开发区"].score == D("2")
    assert _frozen(version=1)["昆山开发区"].score == D("1.6")
    old = client.get("/assessment/2019/scores/versions/1/").content.decode()
    assert "第1版" in old and "已被后来的版本取代" in old
    versions = client.get("/assessment/2019/scores/versions/").content.decode()
    assert "第2版" in versions and "昆山开发区补交情况说明" in versions


def test_a_re_close_with_nothing_changed_is_refused(role_client):
    client = role_client("staff")
    client.post(CLOSE, {"reason": ""})
    response = client.post(CLOSE, {"reason": "再来一次"}, follow=True)
    assert "考核数据已锁定。如需更正，请先重新开放该年度" in response.content.decode()
    client.post(REOPEN, {"reason": "核对"})
    response = client.post(CLOSE, {"reason": "再来一次"}, follow=True)
    assert "结果与第1版相同，无需重新考核" in response.content.decode()
    assert YearEndAssessment.objects.count() == 1


def test_unconfirmed_records_block_closing(role_client):
    DeductionFactory(
        unit=Unit.objects.get(name="发改委"),
        indicator=Indicator.objects.get(scheme__year=2019, scheme__category__slug="departments", order=9),
        confirmed_at=None,
        confirmed_by=None,
    )
    client = role_client("staff")
    assert "还有 1 条扣分记录未确认" in client.get(CLOSE).content.decode()
    response = client.post(CLOSE, {"reason": ""}, follow=True)
    assert "还有1条扣分记录未确认" in response.content.decode()
    assert not YearEndAssessment.objects.exists()


def test_a_cell_never_entered_blocks_closing(role_client):
    _mark("发改委", "departments", 3).delete()
    response = role_client("staff").post(CLOSE, {"reason": ""}, follow=True)
    assert "还有1项完成情况未填写（如发改委的“(参照条线) 信用等级评价和分类监管”）" in response.content.decode()
    assert not YearEndAssessment.objects.exists()


def test_confirmed_records_are_frozen_with_their_reason(role_client, staff_user):
    DeductionFactory(
        unit=Unit.objects.get(name="发改委"),
        indicator=Indicator.objects.get(scheme__year=2019, scheme__category__slug="departments", order=9),
        count=2,
        reason="两次宣传任务未报送",
    )
    role_client("staff").post(CLOSE, {"reason": ""})
    line = next(line for line in _frozen()["发改委"].lines if line.title == "诚信专题宣传任务")
    assert line.deduction == D("0.1")
    assert [(r.count, r.reason) for r in line.records] == [(2, "两次宣传任务未报送")]


def test_leaders_and_reporters_cannot_close(role_client):
    assert role_client("leader").post(CLOSE, {"reason": ""}).status_code == 403
    assert role_client("reporter").post(CLOSE, {"reason": ""}).status_code == 404
    assert not YearEndAssessment.objects.exists()
