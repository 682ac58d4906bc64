"""Scores from the rules: plain functions of a scheme's data, the marks and the recorded deductions.

Nothing here names an indicator or a point value: every number comes from the scheme (indicators
with rule kind, points, rate and cap; rule groups; notes). What is scored is an *item*: one column,
or a rule group of columns that a note scores together. Each item gives one `Line` saying what was
deducted, by which rule and note, and why.

How the rule kinds count (the notes under each printed table say which a column has):

- 完成得分 (earn, 区镇) and 未完成扣分 (lose): the column is worth its points; a “*” still standing at
  the year-end assessment without an accepted explanation costs them (not earned / deducted).
  Additive and deductive tables are the same arithmetic: score = full points − deductions.
- 合并计分 (RuleGroup): the group's points stand instead of its columns' points; at year end the group
  loses all of them if any of its assessed columns is still “*” (部门 note 1: 0.3, note 3: 0.2).
- 按次扣分 (per_occurrence): rate × confirmed recorded occurrences, at most the cap. At year end a
  column still “*” with nothing recorded counts as one occurrence (the least a “*” can mean).
- 视情扣分 (discretionary): the confirmed amounts staff recorded, at most the cap.
- √ costs nothing; 非考核项 and an accepted explanation (已说明 / 已说明情况) exempt the item
  entirely, recorded occurrences included (“不作为扣分项”).

During the year a “*” is pending, never deducted: a line's `deduction` counts only confirmed records;
its `year_end_deduction` is what closing the year today would deduct. All arithmetic is Decimal.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from assessment.models import MarkState, RuleKind
from core.people import display_name

ZERO = Decimal("0")


PENDING = MarkState.PENDING


GROUP = "group"


CASES_SOURCE = "奖惩案例季度统计"


def fmt(value):
    """A Decimal as the bulletin prints it: 1, 0.05, 2.5 — never 1.00 or 2E+1."""
    if value is None:
        return ""
    value = Decimal(value)
    return format(value.normalize(), "f") if value else "0"


@dataclass(frozen=True)
class Column:
    """One indicator as the scorer sees it."""

    id: int
    title: str
    kind: str
    points: Decimal
    rate: Decimal | None = None
    cap: Decimal | None = None
    in_full: bool = True
    wording: str = ""

    @property
    def max_loss(self):
        if self.kind in (RuleKind.PER_OCCURRENCE, RuleKind.DISCRETIONARY):
            return self.cap or ZERO
        return self.points


@dataclass(frozen=True)
class Item:
    """What is scored: one column, or a rule group of columns scored together by one note."""

    key: str
    columns: tuple
    points: Decimal  # what the item adds to the full score
    note_number: int | None = None
    note_text: str = ""
    is_group: bool = False

    @property
    def kind(self):
        return GROUP if self.is_group else self.columns[0].kind

    @property
    def base_kind(self):
        """earn/lose for groups (their columns' kind), else the column's kind."""
        return self.columns[0].kind

    # An item is shared by every unit of its scheme: its title and rule in words are made once, not per unit.
    @cached_property
    def title(self):
        return "、".join(c.title for c in self.columns)

    @property
    def max_loss(self):
        """The most this item can take away (its cap, or its points)."""
        return self.points if self.is_group else self.columns[0].max_loss

    @cached_property
    def rule(self):
        """The rule in words, from the data."""
        p = fmt(self.points)
        col = self.columns[0]
        if self.is_group:
            if self.base_kind == RuleKind.EARN:
                return f"{len(self.columns)}项合并计分：均完成得{p}分"
            return f"{len(self.columns)}项合并计分：任一项未完成扣{p}分"
        if col.kind == RuleKind.EARN:
            return f"完成得{fmt(col.points)}分"
        if col.kind == RuleKind.LOSE:
            return f"未完成扣{fmt(col.points)}分"
        if col.kind == RuleKind.PER_OCCURRENCE:
            return f"扣{fmt(col.rate)}分/次，扣满{fmt(col.cap)}分为止"
        return f"视情扣分，最高扣{fmt(col.cap)}分"


@dataclass(frozen=True)
class Rules:
    """A scheme's scoring rules: its items in column order."""

    items: tuple
    year: int = 0
    category: str = ""
    category_slug: str = ""

    # Cached (the items are a tuple): every UnitScore of the scheme reads them, 20,000 of them at a province.
    @cached_property
    def full_points(self):
        return sum((i.points for i in self.items), ZERO)

    @cached_property
    def max_loss(self):
        """The sum of caps: a score never falls below full_points − max_loss."""
        return sum((i.max_loss for i in self.items), ZERO)

    @property
    def columns(self):
        return [c for i in self.items for c in i.columns]

    @cached_property
    def losses_never_negative(self):
        """No item can add points back: every points, rate and cap is ≥ 0 (a record counts ≥ 1 or an amount > 0,
        by the database; a quarter's missing cases ≥ 0), so a unit whose totals are zero has no line that costs."""
        amounts = [i.points for i in self.items if i.is_group]
        amounts += [v for c in self.columns for v in (c.points, c.rate, c.cap) if v is not None]
        return all(v >= 0 for v in amounts)


def column_of(indicator):
    return Column(
        id=indicator.id,
        title=indicator.title,
        kind=indicator.rule_kind,
        points=indicator.points,
        rate=indicator.rate,
        cap=indicator.cap,
        in_full=indicator.in_full_points,
        wording=indicator.deduction_wording,
    )


def rules_from_scheme(scheme):
    """The scheme's Rules (indicators, their notes and rule groups; prefetch with `scoring_schemes`)."""
    return rules_of(
        scheme.year,
        scheme.category,
        scheme.indicators.all(),
        scheme.rule_groups.all(),
        notes_of=lambda indicator: indicator.notes.all(),
    )


def rules_of(year, category, indicators, groups, *, notes_of):
    """A scheme's Rules from its parts, as models or as rows (scoring.year_rules): its year and category (`name`,
    `slug`); its indicators (what column_of reads, with `order` and `rule_group_id`); its rule groups (`id`,
    `points`, `note`); `notes_of(indicator)`: the notes an indicator is under (`number`, `text`)."""
    indicators = sorted(indicators, key=lambda i: i.order)
    groups = {g.id: g for g in groups}
    members = defaultdict(list)
    for indicator in indicators:
        if indicator.rule_group_id in groups:
            members[indicator.rule_group_id].append(indicator)
    items, seen = [], set()
    for indicator in indicators:
        group_id = indicator.rule_group_id if indicator.rule_group_id in groups else None
        if group_id is None:
            notes = sorted(notes_of(indicator), key=lambda n: n.number)
            note = notes[0] if notes else None
            col = column_of(indicator)
            items.append(
                Item(
                    key=f"i{indicator.id}",
                    columns=(col,),
                    points=col.points if col.in_full else ZERO,
                    note_number=note.number if note else None,
                    note_text=note.text if note else "",
                )
            )
        elif group_id not in seen:
            seen.add(group_id)
            group = groups[group_id]
            items.append(
                Item(
                    key=f"g{group.id}",
                    columns=tuple(column_of(i) for i in members[group_id]),
                    points=group.points,
                    note_number=group.note.number,
                    note_text=group.note.text,
                    is_group=True,
                )
            )
    return Rules(items=tuple(items), year=year, category=category.name, category_slug=category.slug)


@dataclass(frozen=True)
class Record:
    """A confirmed or unconfirmed deduction record (or a quarter's missing cases fed from the cases app)."""

    indicator_id: int
    date: str
    count: int | None = None
    amount: Decimal | None = None
    reason: str = ""
    entered_by: str = ""
    confirmed: bool = True
    source: str = "扣分记录"
    id: int | None = None

    @classmethod
    def from_deduction(cls, d):
        return cls(
            indicator_id=d.indicator_id,
            date=d.date.isoformat(),
            count=d.count,
            amount=d.amount,
            reason=d.reason,
            entered_by=display_name(d.entered_by),
            confirmed=d.confirmed,
            id=d.pk,
        )

    @property
    def what(self):
        return f"{self.count}次" if self.count is not None else f"{fmt(self.amount)}分"

    def to_dict(self):
        return {
            "indicator_id": self.indicator_id,
            "date": self.date,
            "count": self.count,
            "amount": None if self.amount is None else str(self.amount),
            "reason": self.reason,
            "entered_by": self.entered_by,
            "confirmed": self.confirmed,
            "source": self.source,
            "id": self.id,
        }

    @classmethod
    def from_dict(cls, d):
        return cls(**{**d, "amount": None if d["amount"] is None else Decimal(d["amount"])})


def occurrence_loss(column, occurrences):
    """rate × occurrences, at most the cap."""
    return min(column.cap, column.rate * occurrences)


def discretionary_loss(column, amount):
    return min(column.cap, amount)
