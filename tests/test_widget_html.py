"""The widgets written in Python (core.widget_html) give byte for byte what Django's widget templates give."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from assessment.models import Category
from core import widget_html
from core.forms import PortalFormRenderer

from .factories import CategoryFactory

TEMPLATES = TemplatesSetting()
PORTAL = PortalFormRenderer()

VALUES = [
    None,
    "",
    "昆山 <b>&\"'",
    mark_safe("<i>已说明</i>"),
    0,
    2019,
    Decimal("1.50"),
    1.5,
    datetime.date(2019, 12, 31),
]
ATTRS = [
    {},
    {"placeholder": "单位名称", "required": True, "disabled": False, "data-n": 3, "aria-describedby": "id_q_helptext"},
    {"class": 'a"b<c>', "title": mark_safe("<b>粗</b>"), "id": "id_x", "min": 2000, "step": Decimal("0.5")},
]
INPUTS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.SearchInput,
    forms.TelInput,
]
CHOICES = [
    ("", "全部类别"),
    (1, "部门"),
    ("pending", gettext_lazy("待审核")),
    ("x<y", "a & b"),
    (mark_safe("<s>"), mark_safe("<em>安全</em>")),
    ("分组", [(3, "三"), (4, 2020)]),
    (5, datetime.date(2020, 1, 2)),
]


def both(widget, value, attrs=None, name="q"):
    context = widget.get_context(name, value, attrs)
    mine = PORTAL.render(widget.template_name, context)
    theirs = TEMPLATES.render(widget.template_name, context)
    return mine, theirs


@pytest.mark.parametrize("widget_class", INPUTS)
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("attrs", ATTRS)
def test_inputs_are_their_templates(widget_class, value, attrs):
    mine, theirs = both(
        widget_class(attrs={"type": "search"} if widget_class is forms.TextInput else None), value, attrs
    )
    assert mine == theirs
    assert widget_class.template_name in widget_html.WRITERS  # written here, not by the template


@pytest.mark.parametrize("value", [None, "", "pending", 1, "1", 4, ["1", "x<y"], [3, 4, "5"], "<s>", "missing"])
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("widget_class", [forms.Select, forms.SelectMultiple])
def test_selects_are_their_templates(widget_class, value, attrs):
    mine, theirs = both(widget_class(choices=CHOICES), value, attrs)
    assert mine == theirs
    assert "<option" in mine


@pytest.mark.parametrize("value", [None, True, False, "2", "3"])
def test_null_boolean_select_is_its_template(value):
    mine, theirs = both(forms.NullBooleanSelect(), value)
    assert mine == theirs


@pytest.mark.django_db
def test_model_choices_are_their_templates():
    CategoryFactory(name="区镇 <&>")
    CategoryFactory(name="测试类别")
    field = forms.ModelChoiceField(queryset=Category.objects.all(), empty_label="全部类别", required=False)
    chosen = Category.objects.get(name="测试类别").pk
    for value in (None, chosen, str(chosen)):
        mine, theirs = both(field.widget, value, {"id": "id_category"}, name="category")
        assert mine == theirs
        assert "区镇 &lt;&amp;&gt;" in mine


@pytest.mark.parametrize("value", [None, "", "一行\n<b>两行</b> & ", mark_safe("<i>安全</i>"), 0, 7])
@pytest.mark.parametrize("attrs", ATTRS)
def test_textarea_is_its_template(value, attrs):
    mine, theirs = both(forms.Textarea(), value, attrs)
    assert mine == theirs


def test_what_is_not_written_here_comes_from_its_template():
    radios = forms.RadioSelect(choices=CHOICES[:3])
    assert widget_html.html_for(radios.template_name, radios.get_context("r", 1, None)) is None
    mine, theirs = both(radios, 1)
    assert mine == theirs
    checkbox = forms.CheckboxInput()
    mine, theirs = both(checkbox, True, {"id": "id_c"})
    assert mine == theirs and "checked" in mine
    # An option of a template of its own: the select is left to the templates whole.
    select = forms.Select(choices=CHOICES[:3])
    select.option_template_name = "django/forms/widgets/radio_option.html"
    context = select.get_context("s", 1, None)
    assert widget_html.html_for(select.template_name, context) is None
    assert PORTAL.render(select.template_name, context) == TEMPLATES.render(select.template_name, context)


def test_the_templates_written_here_are_djangos_own():
    """If the project ever overrides one of these templates, its HTML is no longer what widget_html writes."""
    for name in [*widget_html.WRITERS, widget_html.OPTION, "django/forms/widgets/attrs.html"]:
        origin = get_template(name).origin.name
        assert "/django/forms/templates/django/forms/widgets/" in origin, origin
    for name in widget_html.INPUTS - {widget_html.INPUT}:
        source = get_template(name).template.source
        assert source.strip() == '{% include "django/forms/widgets/input.html" %}', name
