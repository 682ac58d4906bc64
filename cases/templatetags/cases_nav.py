from django import template
from django.db.models import Max

from assessment import access
from assessment.models import Scheme

register = template.Library()


@register.inclusion_tag("cases/_subnav.html", takes_context=True)
def cases_subnav(context, current=""):
    """The case pages' own links, by capability; the quarterly table links to the latest scheme year."""
    return {
        "can": access.capabilities(context["request"].user),
        "current": current,
        "latest_year": Scheme.objects.aggregate(year=Max("year"))["year"],
    }
