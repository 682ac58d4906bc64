"""The common widgets' HTML written in Python, byte for byte what Django's own widget templates give.

Every filter bar of the portal (the grid's, the case lists', the quarterly table's…) renders its fields through
Django's widget templates: an `<input>` is three templates, a `<select>` one more per option, and the case
list's seven fields cost 3 ms of CPU a request — a fifth of the page at 20,000 units (issue 25). The renderer
(core.forms.PortalFormRenderer) asks `html_for` first; a template not named here (radio lists, the project's
own) is rendered by its template as before.

Each function follows its template line by line (django/forms/templates/django/forms/widgets/): a value is
written as `{{ value }}` writes it (`_text`: localized, escaped unless safe), `|stringformat:'s'` as `_formatted`.
tests/test_widget_html.py compares every path with the templates' output, and fails if the project ever
overrides one of these templates.
"""

from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime


def _text(value):
    """`{{ value }}` with autoescape on (django.template.base.render_value_in_context)."""
    value = localize(template_localtime(value))
    if not isinstance(value, str):
        value = str(value)
    return conditional_escape(value)


def _formatted(value):
    """`{{ value|stringformat:'s' }}`: str() of it, still safe if it was (the filter is_safe)."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return _text(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs):
    """attrs.html: ` name="value"` each, a True one bare, a False one left out."""
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget):
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>\n'


def _option(option):
    return f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{_text(option["label"])}</option>\n'


def _select(widget):
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None  # an option of a template of its own: the templates render the whole select
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _textarea(widget):
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'


OPTION = "django/forms/widgets/select_option.html"
INPUT = "django/forms/widgets/input.html"
# The widget templates that only include input.html (their type comes from the widget).
INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in ("text", "number", "email", "url", "password", "hidden", "search", "tel", "date", "datetime", "time")
} | {INPUT}
WRITERS = {**dict.fromkeys(INPUTS, _input), "django/forms/widgets/select.html": _select}
WRITERS["django/forms/widgets/textarea.html"] = _textarea


def html_for(template_name, context):
    """The widget's HTML as its template would render it (before the renderer strips it), or None for a template
    not written here."""
    writer = WRITERS.get(template_name)
    return writer(context["widget"]) if writer is not None else None
