"""The units index (assessment.mark_requests.unit_index): its units read a page at a time as tuples, its rows
written as HTML exactly as the template's loop wrote them."""

import random

import pytest
from django.db.models import Count
from django.template import Context, Template

from assessment.mark_requests.unit_index import EnrolledUnits, IndexRow, rows_html
from assessment.models import Mark, MarkRequest, Unit
from core.links import IdLink

from .factories import multiply_units

pytestmark = pytest.mark.django_db

# templates/units/index.html's loop before its rows were written in Python: rows_html writes the same bytes
TEMPLATE_LOOP = """    {% for unit in units %}
      <tr>
        <td>{{ unit.category.name }}</td>
        <td><a href="{{ unit_link.prefix }}{{ unit.pk }}{{ unit_link.suffix }}">{{ unit.name }}</a></td>
        <td>{% if unit.pending %}<span class="pending-count">{{ unit.pending }}</span>{% else %}—{% endif %}</td>
        <td>{{ unit.open_requests|default:"—" }}</td>
      </tr>
    {% endfor %}
"""


def _orm_units(year):
    """The units as the index read them with the ORM before (its join and order)."""
    return (
        Unit.objects.filter(scheme_units__scheme__year=year)
        .select_related("category")
        .order_by("category__order", "scheme_units__order", "pk")
    )


def _open_requests(year):
    submitted = MarkRequest.objects.filter(status=MarkRequest.Status.SUBMITTED, mark__indicator__scheme__year=year)
    return dict(submitted.order_by().values_list("mark__unit_id").annotate(n=Count("pk")))


def test_rows_are_written_as_the_template_wrote_them():
    rng = random.Random(25)
    units = list(_orm_units(2019))
    Unit.objects.filter(pk=units[0].pk).update(name="教育局 <b>&\"'")  # escaped in the cell
    units = list(_orm_units(2019))
    for unit in units:
        unit.pending = rng.choice([0, 0, 1, 5, 12])
        unit.open_requests = rng.choice([0, 0, 1, 3])
    link = IdLink("units:detail")
    expected = Template(TEMPLATE_LOOP).render(Context({"units": units, "unit_link": link}))
    rows = [IndexRow(u.pk, u.name, u.category.name, u.open_requests, u.pending) for u in units]
    assert f"    {rows_html(rows, link)}\n" == expected
    assert "教育局 &lt;b&gt;&amp;&quot;&#x27;" in expected


def test_enrolled_units_slice_and_count_as_the_orm_query(reporter_user):
    multiply_units(3)
    rng = random.Random(7)
    marks = list(Mark.objects.filter(indicator__scheme__year=2019).order_by("pk"))
    for mark in rng.sample(marks, 40):
        status = rng.choice([MarkRequest.Status.SUBMITTED, MarkRequest.Status.SUBMITTED, MarkRequest.Status.RETURNED])
        MarkRequest.objects.create(mark=mark, kind="done", text="好了", submitted_by=reporter_user, status=status)
    waiting = _open_requests(2019)
    assert waiting
    expected = [IndexRow(u.pk, u.name, u.category.name, waiting.get(u.pk, 0)) for u in _orm_units(2019)]
    units = EnrolledUnits(2019)
    assert len(units) == len(expected) > 200
    for start, stop in [(0, 100), (100, 200), (200, 300), (len(expected) - 5, len(expected) + 95), (7, 7)]:
        assert units[start:stop] == expected[start:stop]
    assert len(EnrolledUnits(None)) == len(EnrolledUnits(2031)) == 0
