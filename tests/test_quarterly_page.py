"""The quarterly table's page (cases.quarterly_page): its units read a page at a time, its rows written as HTML
exactly as the template's loop wrote them."""

import datetime

import pytest
from django.template import Context, Template

from assessment.models import Indicator, Mark, MarkState, SchemeUnit, Unit
from cases import quarterly_sql
from cases.duty import DEFAULT_PER_QUARTER, per_quarter_of
from cases.quarterly import RowUnit, build_quarterly
from cases.quarterly_page import SectionUnits, rows_html

from .factories import IndicatorFactory, multiply_units

pytestmark = pytest.mark.django_db

# templates/cases/quarterly.html's loop before its rows were written in Python: rows_html writes the same bytes
TEMPLATE_LOOP = """{% for row in rows %}
              <tr{% if row.flagged %} class="flagged"{% endif %} data-unit="{{ row.unit.name }}">
                <th scope="row">{{ row.unit.name }}</th>
                {% for cell in row.quarters %}
                  <td class="{% if cell.flagged and not row.exempt_label %}missing{% elif not cell.due %}not-due{% endif %}">{{ cell.count }}</td>
                {% endfor %}
                <td class="spans">{{ row.spans_label }}</td>
                <td class="total">{{ row.total }}</td>
                <td>{% if row.exempt_label %}{{ row.exempt_label }}{% else %}{{ row.missed|join:"、"|default:"无" }}{% endif %}</td>
                <td class="deduction">{% if row.deduction is None %}{{ row.exempt_label }}{% else %}{{ row.deduction|floatformat:"-2" }}{% endif %}</td>
              </tr>
            {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("today", [datetime.date(2019, 5, 1), datetime.date(2019, 11, 26), datetime.date(2020, 1, 1)])
def test_rows_are_written_as_the_template_wrote_them(today):
    Unit.objects.filter(name="教育局").update(name="教育局 <b>&\"'")  # escaped in the attribute and the cell
    Mark.objects.filter(unit__name="商务局", indicator__accepts_count=True).update(state=MarkState.EXPLAINED)
    (section,) = build_quarterly(2019, today)
    entries = section.entries
    rows = [section.row(entry) for entry in entries]
    assert any(r.flagged for r in rows) and any(r.spans for r in rows) and any(r.exempt_label for r in rows)
    expected = Template(TEMPLATE_LOOP).render(Context({"rows": rows}))
    assert rows_html(section, entries) == expected
    assert "教育局 &lt;b&gt;&amp;&quot;&#x27;" in expected


class _Section:
    def __init__(self, names):
        self.units = [RowUnit(i, name) for i, name in enumerate(names)]
        self.unit_count = len(self.units)

    def page_units(self, start, stop):
        assert 0 <= start < stop <= self.unit_count  # only the units of the slice are read
        return self.units[start:stop]


def test_section_units_slice_as_the_flat_list_of_every_section():
    sections = [_Section("abc"), _Section(""), _Section("defgh"), _Section("i")]
    flat = [(s, u) for s in sections for u in s.units]
    units = SectionUnits(sections)
    assert len(units) == len(flat) == 9
    for start in range(11):
        for stop in range(start, 12):
            assert units[start:stop] == flat[start:stop]


def test_a_page_reads_its_units_alone():
    multiply_units(3)
    (every,) = build_quarterly(2019)
    names = [unit.name for unit in every.units]
    (section,) = build_quarterly(2019)
    assert section.unit_count == len(names) > 100
    assert [u.name for _, u in SectionUnits([section])[100:200]] == names[100:200]
    assert "units" not in section.__dict__  # every unit was not read


def test_page_entries_read_the_special_units_with_the_page(django_assert_num_queries):
    multiply_units(2)
    (section,) = build_quarterly(2019)
    units = section.units[:30]
    assert section.counts.stored_current
    with django_assert_num_queries(3):  # the special units with their exempting marks, their counts, the page's
        entries = section.page_entries(units)
    assert entries == section.entries_of(units)
    special = section.special_entries
    assert special and special == section.entries_of([entry.unit for entry in special])


def test_a_page_read_with_its_stored_counts_needs_no_more(django_assert_num_queries):
    multiply_units(2)
    (section,) = build_quarterly(2019)
    assert section.counts.stored_current and section.special_entries
    with django_assert_num_queries(1):  # the page's units with their stored counts
        units = section.page_units(30, 130)
    with django_assert_num_queries(0):
        entries = section.page_entries(units)
    assert units == section.units_between(30, 130) and entries == section.entries_of(units)


def _model_fields(instance):
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_columns_read_as_a_compiled_row_are_the_orms(django_assert_num_queries):
    """quarterly_sql.year_columns makes the models from one row each, as select_related does: the same fields, the
    scheme, its category and the duty loaded (none asked again); a column without a duty asks for it, finds none."""
    towns = Indicator.objects.filter(scheme__year=2019, scheme__category__slug="towns").order_by("order").last()
    IndicatorFactory(scheme=towns.scheme, order=towns.order + 1, accepts_count=True, rate="0.05", cap="0.3")
    expected = list(
        Indicator.objects.filter(scheme__year=2019, accepts_count=True)
        .select_related("scheme__category", "case_duty")
        .order_by("scheme__category__order", "order")
    )
    assert len(expected) == 2 and not hasattr(expected[0], "case_duty") and hasattr(expected[1], "case_duty")
    with django_assert_num_queries(1):
        columns = quarterly_sql.year_columns(2019)
    with django_assert_num_queries(0):
        for column, indicator in zip(columns, expected, strict=True):
            assert _model_fields(column) == _model_fields(indicator)
            assert _model_fields(column.scheme) == _model_fields(indicator.scheme)
            assert _model_fields(column.scheme.category) == _model_fields(indicator.scheme.category)
        assert _model_fields(columns[1].case_duty) == _model_fields(expected[1].case_duty)
        assert per_quarter_of(columns[1]) == per_quarter_of(expected[1])
    with django_assert_num_queries(1):  # no duty: asked, none found
        assert per_quarter_of(columns[0]) == DEFAULT_PER_QUARTER == per_quarter_of(expected[0])
    assert [c.enrolled for c in columns] == [SchemeUnit.objects.filter(scheme_id=c.scheme_id).count() for c in columns]
