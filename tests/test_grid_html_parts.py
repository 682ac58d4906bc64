"""The grid's selects and notes written in Python (assessment.marks.grid) are the bytes its template's loops wrote."""

import pytest
from django.template import Context, Template

from assessment.marks.grid import indicator_options_html, notes_html
from assessment.models import Indicator, Note, Scheme

pytestmark = pytest.mark.django_db

# templates/assessment/grid.html's loops before they were written in Python
FILTER = (
    '{% for ind in indicators %}<option value="{{ ind.pk }}"{% if ind.pk == selected %} selected{% endif %}>'
    "{{ ind.title }}</option>{% endfor %}"
)
BULK = (
    '{% for ind in indicators %}<option value="{{ ind.pk }}" data-allowed="{{ ind.allowed_states|join:\'|\' }}"'
    "{% if ind.pk == selected %} selected{% endif %}>{{ ind.title }}</option>{% endfor %}"
)
NOTES = '{% for note in notes %}<li value="{{ note.number }}">{{ note.number }}. {{ note.text }}</li>{% endfor %}'


def _escaping(scheme):
    """The scheme's columns and notes with texts the page must escape."""
    indicators = list(Indicator.objects.filter(scheme=scheme).order_by("order"))
    indicators[0].title = '<b>"指标" & 其他</b>'
    indicators[1].allowed_states = ["√", "<*>", "已说明"]
    notes = list(Note.objects.filter(scheme=scheme).order_by("number"))
    notes[0].text = "见<附件>“A&B”"
    return indicators, notes


@pytest.mark.parametrize("slug", ["towns", "departments", "offices"])
def test_the_selects_and_the_notes_are_the_template_loops_bytes(slug):
    scheme = Scheme.objects.get(year=2019, category__slug=slug)
    indicators, notes = _escaping(scheme)
    assert notes and len(indicators) > 2
    for selected in (None, indicators[1].pk, -1):
        context = Context({"indicators": indicators, "selected": selected})
        assert indicator_options_html(indicators, selected) == Template(FILTER).render(context)
        assert indicator_options_html(indicators, selected, allowed=True) == Template(BULK).render(context)
    assert notes_html(notes) == Template(NOTES).render(Context({"notes": notes}))
    assert "&lt;b&gt;" in indicator_options_html(indicators, None) and "&lt;附件&gt;" in notes_html(notes)
