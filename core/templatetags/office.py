"""`{% office "short_name" %}`: the office's data where no request context runs (e-mail templates)."""

from django import template

from core.office.models import get_office

register = template.Library()


@register.simple_tag(name="office")
def office_value(field):
    return getattr(get_office(), field)
