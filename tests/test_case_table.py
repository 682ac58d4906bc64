"""The case lists' rows written in Python (cases.case_table) are the bytes the template's loop wrote, and the
pages show them."""

import datetime
import itertools

import pytest
from django.template import Context, Template

from cases.case_table import case_rows_html
from cases.models import Case, CaseKind, CaseStatus
from cases.views import LIST_FIELDS
from core.links import IdLink

from .factories import CaseFactory

pytestmark = pytest.mark.django_db

# templates/cases/_case_table.html's loop before it was written in Python (its {% empty %} row stays there)
LOOP = """{% for case in page %}
      <tr class="status-{{ case.status }}">
        {% if selectable %}<td><input type="checkbox" name="cases" value="{{ case.pk }}" aria-label="选择 {{ case.title }}"{% if not case.is_pending %} disabled{% endif %}></td>{% endif %}
        <td class="case-title-cell"><a href="{{ case_link.prefix }}{{ case.pk }}{{ case_link.suffix }}">{{ case.title }}</a></td>
        <td>{{ case.get_kind_display }}</td>
        <td>{{ case.source_label }}</td>
        <td>{{ case.year }}年{{ case.quarter }}季度</td>
        <td><span class="status-badge status-{{ case.status }}">{{ case.get_status_display }}</span></td>
        <td>{{ case.submitted_at|date:"Y-m-d H:i"|default:"—" }}</td>
        <td>{% if case.for_bulletin %}是{% endif %}</td>
      </tr>
    {% endfor %}"""  # noqa: E501

TITLES = ["<script>alert('x')</script>", 'A & B "引号"', "普通标题", "  空格  "]


@pytest.fixture
def cases():
    """A case of every kind and status, some submitted (one just before local midnight), titles to escape."""
    made = []
    moments = itertools.cycle(
        [None, datetime.datetime(2019, 3, 31, 15, 59, tzinfo=datetime.UTC), datetime.datetime(2019, 12, 1, 1, 2)]
    )
    for n, (kind, status) in enumerate(itertools.product(CaseKind.values, CaseStatus.values)):
        at = next(moments)
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=datetime.UTC)
        made.append(
            CaseFactory(
                kind=kind,
                status=status,
                title=TITLES[n % len(TITLES)],
                source_label="<市>局" if n % 3 else "市测试局",
                year=2019,
                quarter=1 + n % 4,
                submitted_at=at,
                for_bulletin=bool(n % 2),
            )
        )
    return list(Case.objects.filter(pk__in=[c.pk for c in made]).only(*LIST_FIELDS).order_by("pk"))


@pytest.mark.parametrize("selectable", [False, True])
def test_the_rows_are_the_template_loops_bytes(cases, selectable):
    link = IdLink("cases:detail")
    expected = Template(LOOP).render(Context({"page": cases, "case_link": link, "selectable": selectable}))
    assert case_rows_html(cases, link, selectable=selectable) == expected
    assert "&lt;script&gt;" in expected and "—" in expected and "2019-03-31 23:59" in expected
    assert (" disabled" in expected) is selectable
    assert case_rows_html([], link, selectable=selectable) == ""


def test_the_list_and_the_review_queue_show_them(cases, role_client):
    client = role_client("staff")
    listed = client.get("/cases/?year=2019").content.decode()
    assert listed.count('<td class="case-title-cell">') == min(Case.objects.filter(year=2019).count(), 20) > 10
    assert 'name="cases"' not in listed
    queue = client.get("/cases/review/?status=").content.decode()
    assert 'name="cases"' in queue and 'class="select-all"' in queue
    empty = client.get("/cases/?year=2031").content.decode()
    assert "没有符合条件的案例。" in empty and 'colspan="7"' in empty
