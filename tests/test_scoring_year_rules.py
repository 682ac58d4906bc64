"""The scores page's Rules read as rows (assessment.scoring.year_rules) and its stale stored scores read as SQL
(stored.stale_rows) say what the schemes as models and the ORM's stored rows say."""

import datetime
import random
from decimal import Decimal as D

import pytest
from django.db.models import Q

from assessment.models import Indicator, RuleGroup, RuleKind, Scheme, UnitYearScore
from assessment.scoring.live import year_schemes
from assessment.scoring.rules import rules_from_scheme
from assessment.scoring.stored import Lines, make_current, stale_rows, stored_rows
from assessment.scoring.year_rules import year_rules

from .factories import CategoryFactory, IndicatorFactory, NoteFactory, SchemeFactory

pytestmark = pytest.mark.django_db

YEAR = 2019


def _from_models(year):
    return {scheme.pk: rules_from_scheme(scheme) for scheme in year_schemes(year)}


def _shuffle_rules(rng, year):
    """Random points, rates, caps, kinds, wordings, notes and groups on the year's columns."""
    indicators = list(Indicator.objects.filter(scheme__year=year).order_by("pk"))
    amounts = [D("0"), D("0.05"), D("0.1"), D("0.3"), D("2.5"), D("20")]
    for indicator in rng.sample(indicators, len(indicators) // 2):
        indicator.points = rng.choice(amounts)
        indicator.rule_kind = rng.choice(list(RuleKind.values))
        indicator.rate, indicator.cap = rng.choice([(None, None), (D("0.05"), D("0.3")), (D("1"), D("2.50"))])
        indicator.in_full_points = rng.random() < 0.7
        indicator.deduction_wording = rng.choice(["", "未完成", "不合格"])
        indicator.save()
    for indicator in rng.sample(indicators, 5):
        note = NoteFactory(scheme=indicator.scheme, number=rng.randint(20, 90), text=f"说明 <{indicator.pk}>")
        note.indicators.add(indicator)
    scheme = rng.choice(list(Scheme.objects.filter(year=year)))
    note = NoteFactory(scheme=scheme, number=99, text="合并计分")
    group = RuleGroup.objects.create(scheme=scheme, note=note, points=rng.choice(amounts[1:]))
    Indicator.objects.filter(pk__in=[i.pk for i in indicators if i.scheme_id == scheme.pk][:2]).update(rule_group=group)


@pytest.mark.parametrize("seed", range(3))
def test_the_rules_read_as_rows_are_the_schemes_rules(seed):
    assert year_rules(YEAR) == _from_models(YEAR)
    _shuffle_rules(random.Random(seed), YEAR)
    rules = year_rules(YEAR)
    assert rules == _from_models(YEAR) and list(rules) == list(_from_models(YEAR))  # the same order
    assert any(item.is_group for r in rules.values() for item in r.items)
    # the values as the models read them: Decimals of their places, bools
    column = next(c for r in rules.values() for c in r.columns if c.rate is not None)
    assert isinstance(column.rate, D) and isinstance(column.in_full, bool)


def test_a_scheme_without_columns_and_a_year_without_schemes():
    scheme = SchemeFactory(year=2031, category=CategoryFactory(order=0))
    later = SchemeFactory(year=2031)
    IndicatorFactory(scheme=later, rate=D("0.05"), cap=D("0.3"), rule_kind=RuleKind.PER_OCCURRENCE)
    assert year_rules(2031) == _from_models(2031) and list(year_rules(2031)) == [scheme.pk, later.pk]
    assert year_rules(2032) == {} == _from_models(2032)


def _stale(today):
    """stale_rows as the ORM asked for them (in no order)."""
    return sorted(stored_rows(YEAR, ~Q(stored_score__as_of=today)))


def test_the_stale_rows_written_as_sql_are_the_orms():
    today = datetime.date(2019, 11, 26)
    assert sorted(stale_rows(YEAR, today)) == _stale(today) and len(_stale(today)) == 70  # no stored score yet
    assert make_current(YEAR, Lines(YEAR), as_of=today)
    assert stale_rows(YEAR, today) == [] == _stale(today)
    tomorrow = today + datetime.timedelta(days=1)
    assert sorted(stale_rows(YEAR, tomorrow)) == _stale(tomorrow) and len(_stale(tomorrow)) == 70
    rows = UnitYearScore.objects.filter(year=YEAR).order_by("pk")
    UnitYearScore.objects.filter(pk__in=[r.pk for r in rows[:3]]).update(as_of=None)  # cleared by a writer
    UnitYearScore.objects.filter(pk=rows.last().pk).delete()  # no row at all
    stale = sorted(stale_rows(YEAR, today))
    assert stale == _stale(today) and len(stale) == 4
    assert any(row.deduction is not None for row in stale)  # the totals as the model reads them
    assert all(isinstance(row.deduction, D) for row in stale if row.deduction is not None)


def test_the_page_reads_no_scheme_when_no_line_is_made(django_assert_num_queries):
    assert make_current(YEAR, Lines(YEAR))
    lines = Lines(YEAR)
    with django_assert_num_queries(1):  # the stale stored scores: none
        assert make_current(YEAR, lines)
    with django_assert_num_queries(2):  # the schemes with their columns and notes, the rule groups, as rows
        rules = lines.rules
    assert rules == _from_models(YEAR)
    assert "schemes" not in lines.__dict__
