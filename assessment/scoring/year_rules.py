"""The Rules of a year's schemes from a few rows (the scores page), not from its schemes as model instances.

`live.year_schemes` prefetches each scheme's category, indicators, their notes and rule groups as models: at
national scale that was a third of the scores page's own time, while the ranking reads only the Rules. Here
two SELECTs read the same parts as tuples, and `rules.rules_of` (the one builder `rules_from_scheme` uses too)
makes the same Rules; the schemes themselves are read only when a unit's lines are made (`stored.Lines`).
"""

from collections import defaultdict
from typing import NamedTuple

from django.db import connection

from assessment.models import Category, Indicator, Note, RuleGroup, Scheme
from assessment.raw_sql import fetch, field_reader, quoted_table

from .rules import rules_of


class CategoryRow(NamedTuple):
    name: str
    slug: str


class IndicatorRow(NamedTuple):
    """What column_of and rules_of read of an indicator."""

    id: int
    scheme_id: int
    order: int
    title: str
    rule_kind: str
    points: object  # Decimal
    rate: object
    cap: object
    in_full_points: bool
    deduction_wording: str
    rule_group_id: int | None


class NoteRow(NamedTuple):
    number: int
    text: str


class GroupRow(NamedTuple):
    id: int
    scheme_id: int
    points: object  # Decimal
    note: NoteRow


def year_rules(year):
    """{scheme id: Rules} of `year`'s schemes in the page's order (their category's, then the scheme's id), as
    {s.pk: rules_from_scheme(s) for s in live.year_schemes(year)}: two queries, no model instance."""
    quote = connection.ops.quote_name
    columns = ", ".join(f"i.{quote(Indicator._meta.get_field(name).column)}" for name in IndicatorRow._fields)
    readers = [field_reader(Indicator, name) for name in IndicatorRow._fields]
    # a row for each scheme × its indicators × their notes (NULLs for none)
    rows = fetch(
        f"SELECT s.id, k.name, k.slug, n.number, n.text, {columns} FROM {quoted_table(Scheme)} s"
        f" JOIN {quoted_table(Category)} k ON k.id = s.category_id"
        f" LEFT JOIN {quoted_table(Indicator)} i ON i.scheme_id = s.id"
        f" LEFT JOIN {quoted_table(Note.indicators.through)} t ON t.indicator_id = i.id"
        f" LEFT JOIN {quoted_table(Note)} n ON n.id = t.note_id"
        ' WHERE s.year = %s ORDER BY k."order", s.id',
        [year],
    )
    categories, indicators, notes = {}, defaultdict(dict), defaultdict(list)
    for scheme_id, name, slug, number, text, *indicator in rows:
        categories[scheme_id] = CategoryRow(name, slug)
        if indicator[0] is not None:
            indicators[scheme_id].setdefault(
                indicator[0], IndicatorRow(*(read(v) for read, v in zip(readers, indicator, strict=True)))
            )
        if number is not None:
            notes[indicator[0]].append(NoteRow(number, text))
    if not categories:
        return {}
    groups = defaultdict(list)
    read_points = field_reader(RuleGroup, "points")
    for group_id, scheme_id, points, number, text in fetch(
        f"SELECT g.id, g.scheme_id, g.points, n.number, n.text FROM {quoted_table(RuleGroup)} g"
        f" JOIN {quoted_table(Note)} n ON n.id = g.note_id JOIN {quoted_table(Scheme)} s ON s.id = g.scheme_id"
        " WHERE s.year = %s",
        [year],
    ):
        groups[scheme_id].append(GroupRow(group_id, scheme_id, read_points(points), NoteRow(number, text)))
    return {
        pk: rules_of(year, category, indicators[pk].values(), groups[pk], notes_of=lambda i: notes.get(i.id, ()))
        for pk, category in categories.items()
    }
