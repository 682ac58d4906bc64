"""Bad input is refused by the models with a Chinese message, and nothing is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assessment.models import Category, Indicator, Mark, Scheme, Unit
from bulletins.models import Issue

from .conftest import log_in
from .factories import IndicatorFactory, SchemeUnitFactory, UnitFactory


def _mark(unit_name, indicator_order, slug="departments"):
    return Mark.objects.get(
        unit__name=unit_name, indicator__order=indicator_order, indicator__scheme__category__slug=slug
    )


def test_mark_outside_the_indicators_values_is_refused(db):
    mark = _mark("发改委", 1)
    mark.state = "无"
    with pytest.raises(ValidationError) as err:
        mark.save()
    assert "不是" in str(err.value) and "可填" in str(err.value)
    mark.refresh_from_db()
    assert mark.state == "√"


def test_explained_wording_belongs_to_its_column(db):
    mark = _mark("发改委", 5)  # 应用信用审查或信用报告: printed as 已说明情况
    mark.state = "已说明情况"
    mark.save()
    mark.state = "已说明"
    with pytest.raises(ValidationError):
        mark.save()


def test_a_count_where_a_state_belongs_is_refused(db):
    mark = _mark("发改委", 1)
    mark.state, mark.count = "", 4
    with pytest.raises(ValidationError, match="不能填数量"):
        mark.save()
    mark.refresh_from_db()
    assert (mark.state, mark.count) == ("√", None)


def test_a_count_in_the_derived_cases_column_is_refused_even_by_the_model(db):
    """The admin and the shell save through Mark.save: the derived column refuses a number there too."""
    mark = _mark("发改委", 8)
    mark.state, mark.count = "", 7
    with pytest.raises(ValidationError, match="“奖惩案例”一栏由奖惩案例记录自动统计，不能直接填写数量。"):
        mark.save()
    assert (_mark("发改委", 8).state, _mark("发改委", 8).count) == ("*", None)


def test_state_and_count_together_are_refused_even_past_the_model(db):
    mark = _mark("发改委", 8)
    mark.count = 4
    with pytest.raises(ValidationError, match="只能是一个标记或一个数量"):
        mark.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Mark.objects.filter(pk=mark.pk).update(count=4)


def test_unknown_word_is_refused(db):
    mark = _mark("发改委", 1)
    mark.state = "完成"
    with pytest.raises(ValidationError):
        mark.save()


def test_mark_for_a_unit_outside_the_scheme_is_refused(db):
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=1)
    unit = Unit.objects.get(name="发改委")
    with pytest.raises(ValidationError, match="不在"):
        Mark.objects.create(unit=unit, indicator=indicator, state="√")
    assert not Mark.objects.filter(unit=unit, indicator=indicator).exists()


def test_a_second_mark_for_the_same_cell_is_refused(db):
    existing = _mark("发改委", 1)
    with pytest.raises(ValidationError, match="已有完成情况"):
        Mark.objects.create(unit=existing.unit, indicator=existing.indicator, state="*")
    assert Mark.objects.filter(unit=existing.unit, indicator=existing.indicator).count() == 1


def test_duplicate_unit_is_refused(db):
    unit = Unit(name="发改委", category=Category.objects.get(slug="departments"))
    with pytest.raises(ValidationError, match="已有同名的责任单位"):
        unit.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()
    assert Unit.objects.filter(name="发改委").count() == 1


def test_second_scheme_for_category_and_year_is_refused(db):
    scheme = Scheme(year=2019, category=Category.objects.get(slug="towns"))
    with pytest.raises(ValidationError, match="已有考核方案"):
        scheme.full_clean()
    assert Scheme.objects.filter(year=2019).count() == 3


def test_issue_number_used_twice_in_a_year_is_refused(db):
    issue = Issue(year=2019, number=11, date=datetime.date(2019, 12, 1))
    with pytest.raises(ValidationError, match="相同期号"):
        issue.full_clean()
    assert Issue.objects.filter(year=2019, number=11).count() == 1


def test_indicator_with_unknown_allowed_value_is_refused(db):
    indicator = IndicatorFactory.build(scheme=Scheme.objects.first(), order=99, allowed_states=["√", "好"])
    with pytest.raises(ValidationError, match="未知的标记"):
        indicator.full_clean()


def test_per_occurrence_rule_needs_rate_and_cap(db):
    indicator = IndicatorFactory.build(scheme=Scheme.objects.first(), order=99, rule_kind="per_occurrence")
    with pytest.raises(ValidationError, match="每次扣分"):
        indicator.full_clean()


def test_scheme_unit_of_another_category_is_refused(db):
    su = SchemeUnitFactory.build(
        scheme=Scheme.objects.get(year=2019, category__slug="towns"), unit=Unit.objects.get(name="发改委")
    )
    with pytest.raises(ValidationError, match="类别"):
        su.full_clean()


def test_a_unit_can_leave_without_losing_its_past(db):
    """A unit that is not enrolled in a later year keeps its earlier marks and rows."""
    unit = Unit.objects.get(name="消防大队")
    unit.is_active = False
    unit.save()
    assert unit.marks.filter(indicator__scheme__year=2019).count() == 10
    new_unit = UnitFactory(category=unit.category)
    assert new_unit.marks.count() == 0


def test_admin_refuses_a_duplicate_unit_in_chinese(client, staff_user, db):
    log_in(client, staff_user)
    staff_user.is_staff = True
    staff_user.is_superuser = True
    staff_user.save()
    before = Unit.objects.count()
    response = client.post(
        "/admin/assessment/unit/add/",
        {"name": "发改委", "category": Category.objects.get(slug="departments").pk, "order": 1, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "已有同名的责任单位" in response.content.decode()
    assert Unit.objects.count() == before


def test_admin_refuses_a_bad_mark_in_chinese(client, staff_user, db):
    staff_user.is_staff = staff_user.is_superuser = True
    staff_user.save()
    log_in(client, staff_user)
    mark = _mark("发改委", 1)
    response = client.post(
        f"/admin/assessment/mark/{mark.pk}/change/",
        {"unit": mark.unit_id, "indicator": mark.indicator_id, "state": "无", "count": ""},
    )
    assert response.status_code == 200
    assert "不是" in response.content.decode()
    mark.refresh_from_db()
    assert mark.state == "√" and mark.version == 1
