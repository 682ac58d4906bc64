"""A year's schemes as JSON (the format of bulletins/demo/schemes-2019.json): export and import.

Everything the office keeps as data travels with the scheme: indicators with their rule kind,
points, rate, cap and in-full flag, the due rule and date, the notes, the rule groups, the office's
changed due dates of one unit × indicator, the units and their marks.
"""

from . import cells
from .models import DueOverride, Scheme
from .scoring import fmt, scoring_schemes


def _number(value):
    return None if value is None else fmt(value)


def export_year(year):
    """The year's schemes as a dict ready for json.dumps (import it again with `import_year`)."""
    schemes = list(scoring_schemes(Scheme.objects.filter(year=year)).order_by("category__order", "pk"))
    # The cells as every page shows them (a derived 奖惩案例 number as the number it shows).
    marks = {
        key: (cell.shown_count if cell.shown_count is not None else cell.value)
        for key, cell in cells.cells_for(schemes).items()
    }
    overrides = list(DueOverride.objects.filter(indicator__scheme__in=schemes).select_related("unit"))
    data = {"year": year, "schemes": []}
    for scheme in schemes:
        indicators = sorted(scheme.indicators.all(), key=lambda i: i.order)
        position = {i.pk: n for n, i in enumerate(indicators, start=1)}
        notes = sorted({n.pk: n for i in indicators for n in i.notes.all()}.values(), key=lambda n: n.number)
        all_notes = sorted(scheme.notes.all(), key=lambda n: n.number)
        note_columns = {n.pk: sorted(position[i.pk] for i in indicators if n in i.notes.all()) for n in notes}
        data["schemes"].append(
            {
                "category": {
                    "name": scheme.category.name,
                    "slug": scheme.category.slug,
                    "order": scheme.category.order,
                },
                "indicators": [
                    {
                        "order": i.order,
                        "title": i.title,
                        "points": fmt(i.points),
                        "points_label": i.points_label,
                        "rule_kind": i.rule_kind,
                        "rate": _number(i.rate),
                        "cap": _number(i.cap),
                        "allowed_states": list(i.allowed_states),
                        "accepts_count": i.accepts_count,
                        "in_full_points": i.in_full_points,
                        "deduction_wording": i.deduction_wording,
                        "due_rule": i.due_rule,
                        "due_date": i.due_date.isoformat() if i.due_date else None,
                    }
                    for i in indicators
                ],
                "notes": [
                    {"number": n.number, "text": n.text, "indicators": note_columns.get(n.pk, [])} for n in all_notes
                ],
                "rule_groups": [
                    {
                        "note": g.note.number,
                        "points": fmt(g.points),
                        "indicators": [position[i.pk] for i in indicators if i.rule_group_id == g.pk],
                    }
                    for g in sorted(scheme.rule_groups.all(), key=lambda g: g.note.number)
                ],
                "due_overrides": [
                    {
                        "unit": o.unit.name,
                        "indicator": position[o.indicator_id],
                        "date": o.date.isoformat(),
                        "reason": o.reason,
                    }
                    for o in overrides
                    if o.indicator_id in position
                ],
                "units": [
                    {
                        "name": su.unit.name,
                        "marks": [marks.get((su.unit_id, i.pk)) for i in indicators],
                        "deduction_text": su.deduction_text,
                    }
                    for su in scheme.scheme_units.all()
                ],
            }
        )
    return data


def import_year(data):
    """Create or update the year's schemes from `export_year`'s format (idempotent)."""
    from bulletins.management.commands.load_demo import load_schemes

    load_schemes(data)
