"""A year's schemes as JSON (the format of bulletins/demo/schemes-2019.json): export and import.

Everything the office keeps as data travels with the scheme: indicators with their rule kind,
points, rate, cap and in-full flag, the due rule and date, the notes, the rule groups, the office's
changed due dates of one unit × indicator, the units and their marks.
"""

import datetime
from decimal import Decimal

from assessment import cells
from assessment.marks.services import HOW
from assessment.models import (
    Category,
    DueOverride,
    DueRule,
    Indicator,
    Mark,
    MarkState,
    Note,
    RuleGroup,
    Scheme,
    SchemeUnit,
    Unit,
)
from assessment.scoring.live import scoring_schemes
from assessment.scoring.rules import fmt


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
                        "full_name": su.unit.full_name,
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
    load_schemes(data)


def _decimal(value):
    return None if value is None else Decimal(value)


def load_schemes(data, how=HOW.IMPORT):
    """Categories, units, schemes and marks from `export_year`'s format, created or updated to match it.

    The production loader (`import_schemes`); `load_demo` calls it too, on an empty database only.
    A mark that differs from the file is saved with a new version and a history row saying `how`.
    Returns {(unit name, indicator): count} of the count cells.
    """
    year = data["year"]
    unit_order = 0
    printed_counts = {}
    for spec in data["schemes"]:
        cat = spec["category"]
        category, _ = Category.objects.update_or_create(
            slug=cat["slug"], defaults={"name": cat["name"], "order": cat["order"]}
        )
        scheme, _ = Scheme.objects.get_or_create(year=year, category=category)
        indicators = []
        for ind in spec["indicators"]:
            obj, _ = Indicator.objects.update_or_create(
                scheme=scheme,
                order=ind["order"],
                defaults={
                    "title": ind["title"],
                    "points": Decimal(ind["points"]),
                    "points_label": ind["points_label"],
                    "rule_kind": ind["rule_kind"],
                    "rate": _decimal(ind["rate"]),
                    "cap": _decimal(ind["cap"]),
                    "allowed_states": ind["allowed_states"],
                    "accepts_count": ind["accepts_count"],
                    "in_full_points": ind.get("in_full_points", True),
                    "deduction_wording": ind.get("deduction_wording", ""),
                    "due_rule": ind.get("due_rule", DueRule.YEAR_END),
                    "due_date": datetime.date.fromisoformat(ind["due_date"]) if ind.get("due_date") else None,
                },
            )
            indicators.append(obj)
        notes = {}
        for note in spec["notes"]:
            obj, _ = Note.objects.update_or_create(
                scheme=scheme, number=note["number"], defaults={"text": note["text"]}
            )
            obj.indicators.set([indicators[i - 1] for i in note["indicators"]])
            notes[note["number"]] = obj
        load_rule_groups(scheme, spec.get("rule_groups", []), indicators, notes)
        for position, row in enumerate(spec["units"], start=1):
            unit_order += 1
            unit, _ = Unit.objects.update_or_create(
                name=row["name"],
                defaults={"category": category, "order": unit_order, "is_active": True},
                # A unit's full name is the office's once it exists; the file gives it only to a new unit.
                create_defaults={
                    "category": category,
                    "order": unit_order,
                    "is_active": True,
                    "full_name": row.get("full_name", ""),
                },
            )
            SchemeUnit.objects.update_or_create(
                scheme=scheme,
                unit=unit,
                defaults={"order": position, "deduction_text": row["deduction_text"]},
            )
            for indicator, value in zip(indicators, row["marks"], strict=True):
                state, count = value, None
                if isinstance(value, int):
                    # A derived cell (assessment.derived: 奖惩案例 from the case records) stores its word, *;
                    # the printed number goes to the caller (the demo keeps it as an offline record).
                    printed_counts[unit.name, indicator] = value
                    state = MarkState.PENDING
                mark = Mark.objects.filter(unit=unit, indicator=indicator).first()
                if mark is None:
                    mark = Mark(unit=unit, indicator=indicator, state=state, count=count)
                elif (mark.state, mark.count) != (state, count):
                    mark.state, mark.count = state, count
                    mark.version += 1
                else:
                    continue
                mark._change_reason = how
                mark.save()
        load_due_overrides(spec.get("due_overrides", []), indicators)
    return printed_counts


def load_due_overrides(specs, indicators):
    """The office's changed due dates of one unit × indicator (assessment.due), with their reasons."""
    for spec in specs:
        override = DueOverride(
            unit=Unit.objects.get(name=spec["unit"]),
            indicator=indicators[spec["indicator"] - 1],
            date=datetime.date.fromisoformat(spec["date"]),
            reason=spec["reason"],
        )
        override.full_clean(validate_unique=False, validate_constraints=False)
        DueOverride.objects.update_or_create(
            unit=override.unit,
            indicator=override.indicator,
            defaults={"date": override.date, "reason": override.reason},
        )


def load_rule_groups(scheme, specs, indicators, notes):
    """Columns a note scores together (部门 notes 1 and 3), with the note's points."""
    wanted = {}
    for spec in specs:
        group, _ = RuleGroup.objects.update_or_create(
            scheme=scheme, note=notes[spec["note"]], defaults={"points": Decimal(spec["points"])}
        )
        wanted.update({indicators[i - 1].pk: group.pk for i in spec["indicators"]})
    for indicator in indicators:
        if indicator.rule_group_id != wanted.get(indicator.pk):
            indicator.rule_group_id = wanted.get(indicator.pk)
            indicator.save(update_fields=["rule_group"])
