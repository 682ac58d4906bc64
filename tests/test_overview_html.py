"""The overview's lists written in Python (bulletins.overview_html) are the bytes the template's loops wrote."""

import datetime

import pytest
from django.template import Context, Template

from assessment.models import Unit
from bulletins.models import Issue
from bulletins.overview import year_overview
from bulletins.overview_html import category_html
from core.links import IdLink

from .test_overview_counts import busy_year  # noqa: F401  (the year with every kind of cell, three issues)

pytestmark = pytest.mark.django_db

# templates/bulletins/overview.html's loops before they were written in Python: each field of CategoryHtml
LOOPS = {
    "status_heads": '{% for status, n in c.statuses %}<th scope="col"><span class="due-badge due-{{ status.value }}">'
    "{{ status.label }}</span></th>{% endfor %}",
    "status_counts": '{% for status, n in c.statuses %}<td data-status="{{ status.value }}">{{ n }}</td>{% endfor %}',
    "overdue": '{% for o in c.overdue %}<li><span class="due-date">{{ o.date|date:"Y-m-d" }}</span> '
    '<span class="due-badge due-overdue">{{ o.phrase }}</span> <a href="{{ o.link }}">{{ o.unit }} · '
    '{{ o.indicator }}</a>{% if can.manage and o.unit_id %} <a class="urge-link" href="{{ urge_link.prefix }}'
    '{{ o.unit_id }}{{ urge_link.suffix }}" aria-label="催办{{ o.unit }}">催办</a>{% endif %}</li>{% endfor %}',
    "shares": """{% for s in c.shares %}
            <li><a href="{{ s.link }}">
              <span class="share-title">{{ s.title }} <span class="muted">{{ s.points_label }}</span></span>
              <svg class="share-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                <rect class="pending" x="0" y="0" width="100" height="8"/>
                <rect class="done" x="0" y="0" width="{{ s.percent }}" height="8"/>
                <rect class="explained" x="{{ s.percent }}" y="0" width="{{ s.explained_percent }}" height="8"/>
              </svg>
              <span class="share-figure">{{ s.percent }}%（{{ s.done }}/{{ s.counted }}）</span>
            </a></li>
          {% endfor %}""",  # noqa: E501
    "behind": """{% for name, count, link in c.behind %}
              <li>{% if link %}<a href="{{ link }}">{{ name }}</a>{% else %}{{ name }}{% endif %}
                <svg class="behind-bar" viewBox="0 0 {{ c.most_pending }} 6" preserveAspectRatio="none" aria-hidden="true"><rect x="0" y="0" width="{{ count }}" height="6"/></svg>
                <span class="share-figure">{{ count }} 项</span></li>
            {% endfor %}""",  # noqa: E501  # noqa: E501
    "trend_title": "{% for p in c.trend %}{{ p.label }} {{ p.percent }}%"
    "{% if not forloop.last %}，{% endif %}{% endfor %}",
    "gridlines": """{% for pct, y in c.gridlines %}
              <line class="grid" x1="{{ c.left }}" x2="{{ c.axis_x2 }}" y1="{{ y }}" y2="{{ y }}"/>
              <text class="axis-label" x="{{ c.left|add:'-6' }}" y="{{ y }}" text-anchor="end" dominant-baseline="middle">{{ pct }}%</text>
            {% endfor %}""",  # noqa: E501  # noqa: E501
    "points": """{% for p in c.trend %}
              <circle class="trend-point" cx="{{ p.x }}" cy="{{ p.y }}" r="5"><title>{{ p.label }}：{{ p.percent }}%，* {{ p.pending }} 项</title></circle>
              <text class="point-label" x="{{ p.x }}" y="{{ p.y }}" dy="-9" text-anchor="middle">{{ p.percent }}%</text>
              <text class="axis-label" x="{{ p.x }}" y="{{ c.axis_y }}" dy="18" text-anchor="middle">{{ p.label }}</text>
            {% endfor %}""",  # noqa: E501  # noqa: E501
    "trend_rows": '{% for p in c.trend %}<tr><th scope="row"><a href="{{ p.link }}">{{ p.label }}</a></th>'
    "<td>{{ p.percent }}%</td><td>{{ p.pending }}</td></tr>{% endfor %}",
    "changes": """{% for change in c.changes %}
                <li><a href="{{ latest.get_absolute_url }}#unit-{{ c.slug }}-{{ change.unit_id }}">{{ change.unit }}</a> · {{ change.indicator }}：{{ change.before|default:"（空）" }} → {{ change.after|default:"（空）" }}</li>
              {% endfor %}""",  # noqa: E501  # noqa: E501  # noqa: E501
}


class _Can:
    def __init__(self, manage):
        self.manage = manage


def _compare(data):
    compared = set()
    for manage in (True, False):
        urge = IdLink("units:urge")
        for category in data["categories"]:
            made = category_html(category, latest_url=data["latest_url"], urge=urge if manage else None)
            context = {"c": category, "can": _Can(manage), "urge_link": urge, "latest": data["latest"]}
            for name, loop in LOOPS.items():
                expected = Template(loop).render(Context(context))
                assert getattr(made, name) == expected, (category.slug, name)
                if expected:
                    compared.add(name)
    return compared


@pytest.mark.parametrize("day", [datetime.date(2019, 11, 26), datetime.date(2020, 1, 10)])
def test_the_lists_are_what_the_template_wrote(busy_year, on_day, day):  # noqa: F811
    on_day(day)
    # Texts to escape in every place a name, a title or a changed value is written.
    Unit.objects.filter(name="人武部").update(name="人武部 <b>&\"'")
    data = year_overview(2019)
    departments = next(c for c in data["categories"] if c.slug == "departments")
    assert any("&" in name for name, _, _ in departments.behind)
    assert any(not link for _, _, link in departments.behind)  # a unit after the last issue: no row to link
    assert departments.changes and len(departments.trend) == 3
    # The issues are read as rows (bulletins.overview._published): the latest as the model reads it.
    latest = data["latest"]
    stored = Issue.objects.get(pk=latest.pk)
    assert (latest.date, latest.label, data["latest_url"]) == (stored.date, stored.label, stored.get_absolute_url())
    compared = _compare(data)
    assert compared == set(LOOPS) - ({"overdue"} if day.year == 2020 else set())
