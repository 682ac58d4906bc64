"""core.prepared: a query compiled once gives the rows its queryset gives, converted as the ORM converts them."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.models import Category, Indicator, Scheme
from bulletins.models import Issue
from core import prepared
from core.prepared import Prepared

from .factories import IndicatorFactory, IssueFactory, SchemeFactory

pytestmark = pytest.mark.django_db


def _indicators(scheme_id):
    return (
        Indicator.objects.filter(scheme_id=scheme_id)
        .order_by("order")
        .values_list("pk", "title", "points", "allowed_states", "accepts_count", "due_date")
    )


def test_rows_are_the_querysets_rows_with_its_conversions():
    scheme = SchemeFactory()
    IndicatorFactory(scheme=scheme, order=1, points=Decimal("2.50"), accepts_count=True, due_date=None)
    IndicatorFactory(
        scheme=scheme, order=2, points=Decimal("0.5"), allowed_states=["√", "*"], due_date=datetime.date(2019, 6, 30)
    )
    query = Prepared(_indicators)
    rows = query.rows(scheme.pk)
    assert rows == list(_indicators(scheme.pk))
    assert [type(v) for v in rows[0]] == [int, str, Decimal, list, bool, type(None)]
    assert rows[1][5] == datetime.date(2019, 6, 30) and rows[1][3] == ["√", "*"]
    assert query.first(scheme.pk) == rows[0] and query.value(scheme.pk) == rows[0][0]
    assert query.rows(scheme.pk + 1000) == [] and query.first(scheme.pk + 1000) is None


def test_aware_datetimes_and_extra_select_columns():
    published = IssueFactory(year=2031, number=11, published_at=timezone.now())
    IssueFactory(year=2031, number=12, published_at=None)

    def issues(year):
        # distinct() with an ordering outside the values: Django selects the ordering too, and drops it.
        return Issue.objects.filter(year=year).order_by("-number").values_list("number", "published_at").distinct()

    query = Prepared(issues)
    assert query.rows(2031) == list(issues(2031))
    assert len(query.rows(2031)[0]) == 2
    at = query.rows(2031)[1][1]
    assert at == Issue.objects.get(pk=published.pk).published_at and timezone.is_aware(at)
    assert query.rows(2031)[0] == (12, None)


def test_compiled_once_per_arguments_then_sent_as_is():
    built = []

    def years(at_least):
        built.append(at_least)
        return Scheme.objects.filter(year__gte=at_least).order_by("year").values_list("year", flat=False)

    SchemeFactory(year=2041)
    query = Prepared(years)
    assert query.rows(2040) == [(2041,)]
    SchemeFactory(year=2042)  # the data is read afresh each time, only the SQL is kept
    with CaptureQueriesContext(connection) as queries:
        assert query.rows(2040) == [(2041,), (2042,)]
    assert len(queries) == 1
    assert query.rows(2042) == [(2042,)]
    assert built == [2040, 2042]


def test_an_empty_result_set_sends_nothing():
    query = Prepared(lambda ids: Scheme.objects.filter(pk__in=ids).values_list("pk"))
    with CaptureQueriesContext(connection) as queries:
        assert query.rows(()) == []
    assert len(queries) == 0


def test_the_store_starts_afresh_at_its_limit(monkeypatch):
    monkeypatch.setattr(prepared, "LIMIT", 3)
    query = Prepared(lambda year: Scheme.objects.filter(year=year).values_list("pk"))
    for year in range(2050, 2060):
        assert query.rows(year) == []
    assert len(connections["default"].__dict__["prepared_queries"]) <= 3


def test_objects_are_the_querysets_instances_and_year_schemes_is_the_prefetch():
    from django.db.models import prefetch_related_objects

    from assessment.tables import read_notes, scheme_parts, schemes_with_parts, year_schemes

    scheme = SchemeFactory(year=2043)
    for order in (3, 1, 2):
        IndicatorFactory(scheme=scheme, order=order, points=Decimal(order))
    query = Prepared(lambda scheme_id: Indicator.objects.filter(scheme_id=scheme_id).order_by("order"))
    made = query.objects(scheme.pk)
    expected = list(Indicator.objects.filter(scheme_id=scheme.pk).order_by("order"))
    assert [vars(i) | {"_state": None} for i in made] == [vars(i) | {"_state": None} for i in expected]
    assert all(not i._state.adding and i._state.db == "default" for i in made)
    with pytest.raises(TypeError):
        Prepared(lambda: Indicator.objects.select_related("scheme")).objects()

    prefetched = Scheme.objects.get(pk=scheme.pk)
    prefetch_related_objects([prefetched], *scheme_parts(units=False))
    category = Category.objects.get(pk=scheme.category_id)
    (read,) = year_schemes(2043)
    read_notes(read)
    with CaptureQueriesContext(connection) as queries:
        indicators = list(read.indicators.all())
        assert [vars(i) | {"_state": None} for i in indicators] == [
            vars(i) | {"_state": None} for i in prefetched.indicators.all()
        ]
        assert [i.order for i in indicators] == [1, 2, 3]
        assert all(i.scheme is read for i in indicators)
        assert list(read.notes.all()) == list(prefetched.notes.all())
        assert vars(read.category) | {"_state": None} == vars(category) | {"_state": None}
    assert len(queries) == 0
    # every year of the demo as the ORM's prefetch reads it: the schemes, their categories, their indicators
    for year in (2018, 2019, 2044):
        orm = list(schemes_with_parts(units=False, notes=False).filter(year=year).order_by("category__order", "pk"))
        mine = year_schemes(year)
        assert [(s.pk, s.year, s.category_id) for s in mine] == [(s.pk, s.year, s.category_id) for s in orm]
        assert [(s.category.name, s.category.slug, s.category.order) for s in mine] == [
            (s.category.name, s.category.slug, s.category.order) for s in orm
        ]
        assert [[(i.pk, i.title, i.points, i.allowed_states) for i in s.indicators.all()] for s in mine] == [
            [(i.pk, i.title, i.points, i.allowed_states) for i in s.indicators.all()] for s in orm
        ]
