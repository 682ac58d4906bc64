"""The raw queries' helpers (assessment.raw_sql) say what the ORM says: a model's order, a page's records."""

import datetime

import pytest

from assessment import raw_sql
from assessment.models import ChangeBatch, Deduction, Scheme
from assessment.tables import confirmed_deductions, schemes_with_parts

from .factories import DeductionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _demo_departments():
    """The demo's 部门 scheme (its parts read), its per-occurrence columns and its units."""
    scheme = schemes_with_parts(Scheme.objects.filter(year=2019, category__slug="departments")).get()
    indicators = [i for i in scheme.indicators.all() if i.rule_kind == "per_occurrence"]
    return scheme, indicators, [su.unit for su in scheme.scheme_units.all()]


def _raw_order(model):
    table = raw_sql.quoted_table(model)
    return [row[0] for row in raw_sql.fetch(f"SELECT id FROM {table} ORDER BY {raw_sql.ordering(model)}", [])]


def test_a_models_ordering_in_raw_sql_is_the_orms():
    scheme, indicators, units = _demo_departments()
    for n in range(12):  # dates shared by several records: the key breaks the ties
        DeductionFactory(unit=units[n % 3], indicator=indicators[0], date=datetime.date(2019, 1 + n % 4, 1))
    assert _raw_order(Deduction) == list(Deduction.objects.values_list("pk", flat=True))
    user = UserFactory()
    ChangeBatch.objects.bulk_create([ChangeBatch(how="导入", created_by=user) for _ in range(5)])
    ChangeBatch.objects.update(created_at=datetime.datetime(2019, 5, 1, tzinfo=datetime.UTC))  # "-created_at", "-pk"
    assert ChangeBatch._meta.ordering[0].startswith("-")
    assert _raw_order(ChangeBatch) == list(ChangeBatch.objects.values_list("pk", flat=True))


def test_an_ordering_through_a_relation_is_refused():
    with pytest.raises(ValueError):
        raw_sql.ordering(Scheme)


def test_a_pages_confirmed_deductions_are_the_orms():
    scheme, indicators, units = _demo_departments()
    for n, unit in enumerate(units[:9]):
        DeductionFactory(unit=unit, indicator=indicators[n % len(indicators)], date=datetime.date(2019, 3, 1))
        DeductionFactory(unit=unit, indicator=indicators[0], confirmed_at=None)  # not confirmed: never listed
    page = [u.pk for u in units[2:7]]
    whole = confirmed_deductions([scheme])
    of_page = confirmed_deductions([scheme], page)
    assert of_page and set(of_page) == {key for key in whole if key[0] in page}
    for key, records in of_page.items():
        assert [(d.pk, d.amount, d.confirmed_at, d.indicator) for d in records] == [
            (d.pk, d.amount, d.confirmed_at, d.indicator) for d in whole[key]
        ]
    assert confirmed_deductions([scheme], []) == {}
