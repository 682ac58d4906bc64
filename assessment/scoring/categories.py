"""One scheme's scores (the ranking, and each unit's lines made when read) and the 扣分情况 text."""

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial

from assessment.models import EXEMPT_STATES, RuleKind

from .lines import UnitScore, deduction_phrase
from .rules import ZERO, column_of, discretionary_loss, occurrence_loss
from .scores import item_amounts, rank, records_by_item, score_unit


@dataclass
class CategoryScores:
    """One scheme's scores: the ranking (by the year-end score) and each unit's lines."""

    year: int
    category: str
    category_slug: str
    full_points: Decimal
    max_loss: Decimal
    units: list  # UnitScore in ranking order
    frozen: bool = False

    @classmethod
    def of_rules(cls, rules, units):
        """A scheme's scores under its `rules` (category, year, full points, max loss): `units` in ranking order."""
        return cls(
            year=rules.year,
            category=rules.category,
            category_slug=rules.category_slug,
            full_points=rules.full_points,
            max_loss=rules.max_loss,
            units=units,
        )

    def to_dict(self):
        return {
            "category": self.category,
            "category_slug": self.category_slug,
            "full_points": str(self.full_points),
            "max_loss": str(self.max_loss),
            "units": [u.to_dict() for u in self.units],
        }

    @classmethod
    def from_dict(cls, d, year):
        units = [
            UnitScore.from_dict(u, category=d["category"], category_slug=d["category_slug"], year=year)
            for u in d["units"]
        ]
        return cls(
            year=year,
            category=d["category"],
            category_slug=d["category_slug"],
            full_points=Decimal(d["full_points"]),
            max_loss=Decimal(d["max_loss"]),
            units=units,
            frozen=True,
        )

    def finalized(self):
        units = [u.finalized() for u in self.units]
        return replace(self, units=rank(units, key=lambda s: s.score), frozen=True)


def _lazy_unit_score(rules, unit_id, unit_name, cells, records):
    """score_unit's UnitScore, its totals summed from item_amounts and its lines made when first read."""
    now = year_end = ZERO
    for item, item_records in records_by_item(rules, records):
        _, item_now, item_year_end = item_amounts(item, cells, item_records)
        now += item_now
        year_end += item_year_end
    return UnitScore.under(
        rules,
        unit_id,
        unit_name,
        lines=None,
        totals=(now, year_end),
        # A partial, not a closure: a province has thousands of these, each a few objects less for the collector.
        line_maker=partial(_unit_lines, rules, unit_id, unit_name, cells, records),
    )


def _unit_lines(rules, unit_id, unit_name, cells, records):
    return score_unit(rules, unit_id, unit_name, cells, records).lines


def score_category(rules, units, cells_by_unit, records_by_unit):
    """Rank every unit of one scheme; units: [(id, name)] in printed order.

    The ranking needs every unit's totals, a page only its units' lines: each unit's lines are made when
    first read (the same lines score_unit makes, from the same amounts).
    """
    scores = [
        _lazy_unit_score(rules, unit_id, name, cells_by_unit.get(unit_id, {}), records_by_unit.get(unit_id, ()))
        for unit_id, name in units
    ]
    return CategoryScores.of_rules(rules, rank(scores))


def deduction_text(deductions, cells_by_indicator):
    """The office's wording for a row's confirmed deductions during the year, e.g. “诚信专题宣传任务未完成2次，扣1分”
    (each phrase by lines.deduction_phrase; after the close the row reads its frozen score's text instead).

    `deductions`: the unit's confirmed Deduction rows (indicator loaded); `cells_by_indicator`:
    {indicator id: cell text}. Columns marked 非考核项 or explained are not deducted, so not listed.
    """
    by_indicator = defaultdict(list)
    for d in deductions:
        by_indicator[d.indicator_id].append(d)
    parts = []
    for rows in sorted(by_indicator.values(), key=lambda rows: rows[0].indicator.order):
        indicator = rows[0].indicator
        if cells_by_indicator.get(indicator.id) in EXEMPT_STATES:
            continue
        col = column_of(indicator)
        if col.kind == RuleKind.PER_OCCURRENCE:
            n = sum(d.count or 0 for d in rows)
            loss = occurrence_loss(col, n)
        elif col.kind == RuleKind.DISCRETIONARY:
            n = len(rows)
            loss = discretionary_loss(col, sum((d.amount or ZERO for d in rows), ZERO))
        else:
            continue
        parts.append(deduction_phrase(title=col.title, kind=col.kind, wording=col.wording, n=n, loss=loss))
    return "；".join(parts)
