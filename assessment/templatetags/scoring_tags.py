"""Template filters for scores: points printed as the bulletin prints them (1, 0.05, never 1.00)."""

from django import template

from assessment.scoring.rules import fmt

register = template.Library()


@register.filter
def points(value):
    """1.80 → 1.8, 20.00 → 20, None → empty."""
    return fmt(value)


@register.filter
def minus(value):
    """A deduction as printed in a table: −0.3, or an empty cell for none."""
    return f"−{fmt(value)}" if value else ""


@register.simple_tag(takes_context=True)
def breakdown_lines(context, score):
    """All of a score's lines, or (with `compact` in the context) only those that cost something."""
    return score.deduction_lines if context.get("compact") else score.lines


@register.simple_tag(takes_context=True)
def breakdown_scores(context):
    """The scores score_breakdown.html renders: `scores` (a page of units) or the one `score`."""
    scores = context.get("scores")
    return scores if scores is not None else [context["score"]]
