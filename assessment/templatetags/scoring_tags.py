"""Template filters for scores: points printed as the bulletin prints them (1, 0.05, never 1.00)."""

from django import template

from assessment.scoring import fmt

register = template.Library()


@register.filter
def points(value):
    """1.80 → 1.8, 20.00 → 20, None → empty."""
    return fmt(value)


@register.filter
def minus(value):
    """A deduction as printed in a table: −0.3, or an empty cell for none."""
    return f"−{fmt(value)}" if value else ""
