"""A year's schemes as JSON (the format of bulletins/demo/schemes-2019.json): export and import.

Every part of a scheme travels with its declared fields (assessment.scheme_fields): indicators (with
the parts other apps register, as the case duty), notes, rule groups, the office's changed due dates of
one unit × indicator, the units (in their order) and their marks. A value field is written by its type
(`encode`/`decode`), so a field declared later travels without a change here.
"""

import datetime
from decimal import Decimal

from django.db import models

from assessment import cells
from assessment.marks.services import HOW
from assessment.models import (
    Category,
    DueOverride,
    Indicator,
    Mark,
    MarkState,
    Note,
    RuleGroup,
    Scheme,
    SchemeUnit,
    Unit,
)
from assessment.scheme_fields import (
    DUE_OVERRIDE,
    INDICATOR,
    NOTE,
    RULE_GROUP,
    SCHEME_UNIT,
    accessor,
    extension_row,
    indicator_extensions,
)
from assessment.scoring.live import scoring_schemes
from assessment.scoring.rules import fmt

# A unit's place in its table is the position of its row in the file.
ROW_POSITION = ("order",)


def encode(part, obj, skip=()):
    """{field: JSON value} of the declared value fields of `obj`: numbers as printed, dates as 2019-12-31."""
    data = {}
    for name in part.value_fields():
        if name in skip:
            continue
        value, model_field = getattr(obj, name), part.model_field(name)
        if value is not None and isinstance(model_field, models.DecimalField):
            value = fmt(value)
        elif value is not None and isinstance(model_field, models.DateField):
            value = value.isoformat()
        elif isinstance(value, list):
            value = list(value)
        data[name] = value
    return data


def decode(part, data, skip=()):
    """The declared value fields from `encode`'s dict; a field the file lacks takes the model's default."""
    values = {}
    for name in part.value_fields():
        if name in skip:
            continue
        model_field = part.model_field(name)
        value = data[name] if name in data else model_field.get_default()
        if value is not None and isinstance(model_field, models.DecimalField):
            value = Decimal(value)
        elif value and isinstance(model_field, models.DateField):
            value = datetime.date.fromisoformat(value)
        values[name] = value
    return values


def _extensions(indicator):
    """The registered parts of an indicator (the case duty), only where the indicator has one."""
    found = {}
    for part in indicator_extensions():
        row = extension_row(part, indicator)
        if row is not None:
            found[accessor(part)] = encode(part, row)
    return found


def _load_extensions(indicator, data):
    for part in indicator_extensions():
        spec = data.get(accessor(part))
        if spec is None:
            part.model.objects.filter(**{part.parent: indicator}).delete()
        else:
            part.model.objects.update_or_create(**{part.parent: indicator}, defaults=decode(part, spec))


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
                "indicators": [{**encode(INDICATOR, i), **_extensions(i)} for i in indicators],
                "notes": [{**encode(NOTE, n), "indicators": note_columns.get(n.pk, [])} for n in all_notes],
                "rule_groups": [
                    {
                        "note": g.note.number,
                        **encode(RULE_GROUP, g),
                        "indicators": [position[i.pk] for i in indicators if i.rule_group_id == g.pk],
                    }
                    for g in sorted(scheme.rule_groups.all(), key=lambda g: g.note.number)
                ],
                "due_overrides": [
                    {"unit": o.unit.name, "indicator": position[o.indicator_id], **encode(DUE_OVERRIDE, o)}
                    for o in overrides
                    if o.indicator_id in position
                ],
                "units": [
                    {
                        "name": su.unit.name,
                        "full_name": su.unit.full_name,
                        **encode(SCHEME_UNIT, su, skip=ROW_POSITION),
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
                scheme=scheme, order=ind["order"], defaults=decode(INDICATOR, ind)
            )
            _load_extensions(obj, ind)
            indicators.append(obj)
        notes = {}
        for note in spec["notes"]:
            obj, _ = Note.objects.update_or_create(scheme=scheme, number=note["number"], defaults=decode(NOTE, note))
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
                defaults={
                    "order": position,
                    **decode(SCHEME_UNIT, row, skip=ROW_POSITION),
                    "deduction_text": row["deduction_text"],
                },
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
        values = decode(DUE_OVERRIDE, spec)
        override = DueOverride(
            unit=Unit.objects.get(name=spec["unit"]), indicator=indicators[spec["indicator"] - 1], **values
        )
        override.full_clean(validate_unique=False, validate_constraints=False)
        DueOverride.objects.update_or_create(unit=override.unit, indicator=override.indicator, defaults=values)


def load_rule_groups(scheme, specs, indicators, notes):
    """Columns a note scores together (部门 notes 1 and 3), with the note's points."""
    wanted = {}
    for spec in specs:
        group, _ = RuleGroup.objects.update_or_create(
            scheme=scheme, note=notes[spec["note"]], defaults=decode(RULE_GROUP, spec)
        )
        wanted.update({indicators[i - 1].pk: group.pk for i in spec["indicators"]})
    for indicator in indicators:
        if indicator.rule_group_id != wanted.get(indicator.pk):
            indicator.rule_group_id = wanted.get(indicator.pk)
            indicator.save(update_fields=["rule_group"])
