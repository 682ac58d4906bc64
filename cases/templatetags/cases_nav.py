from django import template

from assessment import access
from assessment.years import current_year

register = template.Library()


@register.inclusion_tag("cases/_subnav.html", takes_context=True)
def cases_subnav(context, current=""):
    """The case pages' own links, by capability; the quarterly table links to the latest scheme year."""
    return {
        "can": access.capabilities(context["request"].user),
        "current": current,
        "latest_year": current_year(),
    }
