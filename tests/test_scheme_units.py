"""The units of a year's table on the office's scheme page: a unit of the category joins (the unit pages'
enrolment, one function), moves up or down in the printed order, or leaves the year after confirming —
refused, naming what would be lost, while its row holds anything entered; its untouched cells go with it."""

import datetime

import pytest

from assessment.directory import enrolment
from assessment.directory.units import create_unit
from assessment.marks.services import set_due_override, set_mark
from assessment.models import Category, Mark, Scheme, SchemeUnit, Unit
from assessment.scoring.services import close_year
from core.audit.actions import AuditAction
from core.audit.models import AuditEntry, AuditResult
from core.errors import DomainError

from .conftest import log_in
from .factories import CaseCountRecordFactory, DeductionFactory, MarkRequestFactory

SCHEME = "/office/schemes/2019/departments/"


@pytest.fixture
def office(client, staff_user):
    log_in(client, staff_user)
    return client


def _scheme():
    return Scheme.objects.get(year=2019, category__slug="departments")


def _orders(scheme):
    return list(scheme.scheme_units.order_by("order", "pk").values_list("order", flat=True))


def _names(scheme):
    return list(scheme.scheme_units.order_by("order", "pk").values_list("unit__name", flat=True))


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


@pytest.fixture
def newcomer(staff_user):
    """A department not yet in 2019's table (made on the unit pages without joining a year)."""
    return create_unit(
        Unit(name="数据局", full_name="市数据局", category=Category.objects.get(slug="departments"), order=99),
        staff_user,
    )


@pytest.fixture
def joined(office, newcomer):
    """The newcomer, joined on the scheme page: the last row."""
    response = office.post(f"{SCHEME}join/", {"unit": newcomer.pk})
    assert response.status_code == 302
    return SchemeUnit.objects.get(scheme=_scheme(), unit=newcomer)


def test_the_page_lists_the_units_in_order_and_offers_only_the_categorys_others(office, newcomer):
    scheme = _scheme()
    html = office.get(SCHEME).content.decode()
    rows = list(scheme.scheme_units.select_related("unit").order_by("order"))
    positions = [html.index(f'<th scope="row">{r.unit.name}</th>') for r in rows]
    assert positions == sorted(positions) and len(rows) == 54
    assert f'href="/office/scheme-units/{rows[0].pk}/remove/"' in html and "移出本年度…" in html
    assert f"参评单位（{len(rows)} 家）" in html
    start = html.index('name="unit"')
    offered = html[start : html.index("</select>", start)]
    assert f'<option value="{newcomer.pk}">数据局</option>' in offered
    assert "统计局" not in offered and "千灯镇" not in offered  # already in; another category


def test_a_unit_joins_as_the_last_row_with_every_cell(office, newcomer, staff_user):
    scheme = _scheme()
    response = office.post(f"{SCHEME}join/", {"unit": newcomer.pk}, follow=True)
    assert "“数据局”已加入2019年 部门，排在第55位。" in response.content.decode()
    row = SchemeUnit.objects.get(scheme=scheme, unit=newcomer)
    assert row.order == 55 and _orders(scheme)[-1] == 55
    marks = Mark.objects.filter(unit=newcomer).select_related("indicator")
    assert marks.count() == scheme.indicators.count()
    assert all((m.state, m.count) == m.indicator.initial_value() for m in marks)
    (entry,) = [e for e in _entries(AuditAction.UNIT_CHANGE) if e.object_text == "数据局"]
    assert entry.actor == staff_user and entry.detail == f"加入2019年 部门（{scheme.indicators.count()}项完成情况）"
    grid = office.get("/assessment/2019/departments/").content.decode()
    assert f'<tr data-unit="{newcomer.pk}">' in grid


def test_joining_twice_or_another_category_is_refused_and_nothing_is_written(office, joined, staff_user):
    scheme = _scheme()
    marks, rows = Mark.objects.count(), SchemeUnit.objects.count()
    response = office.post(f"{SCHEME}join/", {"unit": joined.unit_id}, follow=True)
    assert "请选择一家本类别、尚未加入本年度的单位。" in response.content.decode()
    town = Unit.objects.get(name="千灯镇")
    response = office.post(f"{SCHEME}join/", {"unit": town.pk}, follow=True)
    assert "请选择一家本类别、尚未加入本年度的单位。" in response.content.decode()
    with pytest.raises(DomainError, match="已在2019年 部门中"):
        enrolment.join_scheme(scheme, joined.unit, staff_user)
    with pytest.raises(DomainError, match="属于区镇，不能加入2019年 部门"):
        enrolment.join_scheme(scheme, town, staff_user)
    assert (Mark.objects.count(), SchemeUnit.objects.count()) == (marks, rows)
    assert [e.result for e in _entries(AuditAction.UNIT_CHANGE)][-2:] == [AuditResult.FAILED, AuditResult.FAILED]


def test_move_a_unit_up_and_down_the_printed_order(office):
    scheme = _scheme()
    names = _names(scheme)
    second = scheme.scheme_units.get(order=2)
    response = office.post(f"/office/scheme-units/{second.pk}/move/", {"step": "up"}, follow=True)
    assert f"“{names[1]}”现在排在第1位。" in response.content.decode()
    assert _names(scheme) == [names[1], names[0], *names[2:]] and _orders(scheme) == list(range(1, 55))
    (entry,) = _entries(AuditAction.UNIT_CHANGE)
    assert entry.object_text == names[1] and entry.detail == f"2019年 部门中的顺序：2 → 1（与“{names[0]}”交换）"
    response = office.post(f"/office/scheme-units/{second.pk}/move/", {"step": "up"}, follow=True)
    assert f"“{names[1]}”已经是第一家。" in response.content.decode()
    last = scheme.scheme_units.get(order=54)
    response = office.post(f"/office/scheme-units/{last.pk}/move/", {"step": "down"}, follow=True)
    assert "已经是最后一家。" in response.content.decode()
    grid = office.get("/assessment/2019/departments/").content.decode()
    first_rows = [r.unit_id for r in scheme.scheme_units.order_by("order")[:2]]
    assert grid.index(f'<tr data-unit="{first_rows[0]}">') < grid.index(f'<tr data-unit="{first_rows[1]}">')


def test_a_unit_joined_by_mistake_leaves_after_confirming(office, joined):
    scheme = _scheme()
    office.post(f"/office/scheme-units/{joined.pk}/move/", {"step": "up"})  # not the last row: the rest move up
    joined.refresh_from_db()
    names = [n for n in _names(scheme) if n != "数据局"]
    page = office.get(f"/office/scheme-units/{joined.pk}/remove/").content.decode()
    assert "确认移出本年度" in page and "单位本身保留" in page
    assert SchemeUnit.objects.filter(pk=joined.pk).exists()  # the GET only asks
    response = office.post(f"/office/scheme-units/{joined.pk}/remove/", follow=True)
    assert "已将“数据局”移出2019年 部门。" in response.content.decode()
    assert not SchemeUnit.objects.filter(pk=joined.pk).exists() and not Mark.objects.filter(unit=joined.unit).exists()
    assert Unit.objects.filter(pk=joined.unit_id).exists()
    assert _names(scheme) == names and _orders(scheme) == list(range(1, 55))
    (entry,) = _entries(AuditAction.UNIT_WITHDRAW)
    assert entry.result == AuditResult.OK and entry.object_text == "数据局"
    assert f"删除未填写的完成情况{scheme.indicators.count()}项" in entry.detail
    # It may join again (its old cells are gone, new ones start afresh).
    office.post(f"{SCHEME}join/", {"unit": joined.unit_id})
    assert Mark.objects.filter(unit=joined.unit).count() == scheme.indicators.count()


def test_a_unit_with_entered_marks_stays(office):
    row = _scheme().scheme_units.select_related("unit").get(unit__name="统计局")
    marks = Mark.objects.filter(unit=row.unit).count()
    page = office.get(f"/office/scheme-units/{row.pk}/remove/").content.decode()
    assert "“统计局”在2019年 部门中已有" in page and "项完成情况（如" in page and "确认移出本年度" not in page
    response = office.post(f"/office/scheme-units/{row.pk}/remove/", follow=True)
    assert "移出会丢失这些记录，不能移出本年度。" in response.content.decode()
    assert SchemeUnit.objects.filter(pk=row.pk).exists() and Mark.objects.filter(unit=row.unit).count() == marks
    assert _entries(AuditAction.UNIT_WITHDRAW)[-1].result == AuditResult.FAILED


def _refusal(row):
    row = SchemeUnit.objects.select_related("unit", "scheme").get(pk=row.pk)
    return row.withdrawal_refusal()


def test_a_cell_set_back_to_its_first_value_still_has_a_past(joined, staff_user):
    mark = Mark.objects.filter(unit=joined.unit, indicator__order=1).select_related("indicator").get()
    initial = mark.indicator.initial_value()[0]
    set_mark(mark, "√", staff_user)
    set_mark(Mark.objects.get(pk=mark.pk), initial, staff_user)
    assert "1项完成情况" in _refusal(joined)
    with pytest.raises(DomainError, match="不能移出本年度"):
        enrolment.withdraw_unit(joined, staff_user)
    assert Mark.objects.filter(unit=joined.unit).count() == _scheme().indicators.count()


def test_deductions_due_dates_and_requests_are_kept_records(joined, staff_user, reporter_user):
    scheme = _scheme()
    assert _refusal(joined) is None
    per_occurrence = scheme.indicators.get(order=9)
    DeductionFactory(unit=joined.unit, indicator=per_occurrence, entered_by=staff_user)
    assert "扣分记录1条" in _refusal(joined)
    mark = Mark.objects.select_related("indicator__scheme").get(unit=joined.unit, indicator__order=1)
    set_due_override(mark, datetime.date(2019, 12, 31), "延期", staff_user)
    MarkRequestFactory(mark=mark, submitted_by=reporter_user)
    refusal = _refusal(joined)
    assert "扣分记录1条" in refusal and "截止日期调整1条" in refusal and "单位申请1条" in refusal
    with pytest.raises(DomainError):
        enrolment.withdraw_unit(joined, staff_user)
    assert SchemeUnit.objects.filter(pk=joined.pk).exists()


def test_cases_counted_in_the_year_are_kept_records(joined):
    """The 奖惩案例 column is counted from the case records (assessment.derived): its number is no stored
    cell, yet the unit's row would lose it."""
    CaseCountRecordFactory(unit=joined.unit, year=2019, count=2)
    column = _scheme().indicators.get(accepts_count=True)
    assert f"“{column.title}”2个（奖惩案例记录）" in _refusal(joined)


def test_a_written_deduction_text_is_kept(joined):
    SchemeUnit.objects.filter(pk=joined.pk).update(deduction_text="扣0.1分")
    assert "扣分情况的文字" in _refusal(joined)


def test_a_closed_year_refuses_every_change(office, joined, staff_user):
    close_year(2019, staff_user)
    scheme = _scheme()
    names = _names(scheme)
    page = office.get(SCHEME).content.decode()
    assert f"/office/scheme-units/{joined.pk}/remove/" not in page and f'action="{SCHEME}join/"' not in page
    assert "考核数据已锁定，不能移出单位" in office.get(f"/office/scheme-units/{joined.pk}/remove/").content.decode()
    response = office.post(f"/office/scheme-units/{joined.pk}/remove/", follow=True)
    assert "考核数据已锁定" in response.content.decode()
    response = office.post(f"/office/scheme-units/{joined.pk}/move/", {"step": "up"}, follow=True)
    assert "考核数据已锁定" in response.content.decode()
    other = create_unit(Unit(name="档案局", category=Category.objects.get(slug="departments"), order=98), staff_user)
    with pytest.raises(DomainError, match="考核数据已锁定"):
        enrolment.join_scheme(scheme, other, staff_user)
    assert _names(scheme) == names and SchemeUnit.objects.filter(pk=joined.pk).exists()
