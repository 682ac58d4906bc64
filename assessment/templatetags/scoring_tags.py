"""Template filters for scores: points printed as the bulletin prints them (1, 0.05, never 1.00)."""

from django import template

from assessment.scoring import breakdown
from assessment.scoring.rules import fmt

register = template.Library()


@register.filter
def points(value):
    """1.80 → 1.8, 20.00 → 20, None → empty."""
    return fmt(value)


@register.filter
def minus(value):
    """A deduction as printed in a table: −0.3, or an empty cell for none."""
    return breakdown.minus(value)


@register.simple_tag(takes_context=True)
def score_breakdowns(context):
    """score_breakdown.html: `scores` (a page of units, each folded with a link to its page, `unit_url_prefix` + id)
    or the one `score`; with `compact` in the context only the lines that cost something."""
    scores = context.get("scores")
    compact = bool(context.get("compact"))
    if scores is None:
        return breakdown.breakdowns_html([context["score"]], compact=compact)
    prefix = context.get("unit_url_prefix") or ""
    return breakdown.breakdowns_html(scores, compact=compact, unit_url_prefix=prefix)


@register.simple_tag
def ranking_rows(rows, frozen):
    """The rows of a category's ranking table on scores.html (`frozen`: the category's)."""
    return breakdown.ranking_rows_html(rows, frozen=frozen)
