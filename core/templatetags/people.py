"""`{{ user|display_name }}`: a person's name as every page shows it (core.people)."""

from django import template

from core import people

register = template.Library()


@register.filter
def display_name(user):
    # An attribute missing in the template (a row without that account) arrives as "" or None.
    return people.display_name(user or None)
