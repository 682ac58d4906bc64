"""The year page's table (assessment.marks.grid.year_progress): each scheme's enrolled units and columns as the
rows say, whatever reads them."""

import pytest

from assessment.marks.grid import year_progress
from assessment.models import Scheme, SchemeUnit

from .factories import multiply_units

pytestmark = pytest.mark.django_db


def test_each_scheme_counts_its_enrolled_units_and_its_columns():
    multiply_units(2)
    offices = Scheme.objects.get(year=2019, category__slug="offices")
    SchemeUnit.objects.filter(scheme=offices).delete()  # a table without units
    progress = year_progress(2019)
    schemes = Scheme.objects.filter(year=2019).order_by("category__order", "pk")
    assert [p.scheme.pk for p in progress] == [s.pk for s in schemes]
    for p in progress:
        assert p.scheme.unit_count == SchemeUnit.objects.filter(scheme=p.scheme).count()
        assert p.scheme.indicator_count == p.scheme.indicators.count()
    assert [p.scheme.unit_count for p in progress if p.scheme.pk == offices.pk] == [0]
    assert year_progress(2031) == []
