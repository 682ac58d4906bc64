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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property, partial

from assessment.models import EXEMPT_STATES, EXPLAINED_STATES, MarkState, RuleKind

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

    @property
    def full_points(self):
        return sum((i.points for i in self.items), ZERO)

    @property
    def max_loss(self):
        """The sum of caps: a score never falls below full_points − max_loss."""
        return sum((i.max_loss for i in self.items), ZERO)

    @property
    def columns(self):
        return [c for i in self.items for c in i.columns]


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
    indicators = sorted(scheme.indicators.all(), key=lambda i: i.order)
    groups = {g.id: g for g in scheme.rule_groups.all()}
    members = defaultdict(list)
    for indicator in indicators:
        if indicator.rule_group_id in groups:
            members[indicator.rule_group_id].append(indicator)
    items, seen = [], set()
    for indicator in indicators:
        group_id = indicator.rule_group_id if indicator.rule_group_id in groups else None
        if group_id is None:
            notes = sorted(indicator.notes.all(), key=lambda n: n.number)
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
    return Rules(
        items=tuple(items), year=scheme.year, category=scheme.category.name, category_slug=scheme.category.slug
    )


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
        user = d.entered_by
        return cls(
            indicator_id=d.indicator_id,
            date=d.date.isoformat(),
            count=d.count,
            amount=d.amount,
            reason=d.reason,
            entered_by=(user.get_full_name() or user.username) if user else "",
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


class Status:
    OK = "ok"
    PENDING = "pending"
    EXEMPT = "exempt"
    DEDUCTED = "deducted"
    MISSING = "missing"

    LABELS = {OK: "无扣分", PENDING: "待定", EXEMPT: "不作扣分项", DEDUCTED: "扣分", MISSING: "未填写"}


@dataclass
class Line:
    """One item of a unit's score: the rule, the note, the cells, what it costs now and at year end."""

    key: str
    title: str
    kind: str
    rule: str
    note_number: int | None
    note_text: str
    cells: str
    points: Decimal
    deduction: Decimal  # counted now (confirmed records; a “*” is pending)
    year_end_deduction: Decimal  # what the year-end assessment would deduct today
    status: str
    explanation: str
    final_explanation: str  # the wording once the year is closed
    records: list = field(default_factory=list)

    @property
    def pending(self):
        return self.year_end_deduction - self.deduction

    @property
    def status_label(self):
        return Status.LABELS.get(self.status, self.status)

    @property
    def kind_label(self):
        return "合并计分" if self.kind == GROUP else RuleKind(self.kind).label

    def finalized(self):
        """The line as frozen at the year-end assessment."""
        status = self.status
        if status == Status.PENDING:
            status = Status.DEDUCTED if self.year_end_deduction else Status.OK
        return replace(
            self,
            deduction=self.year_end_deduction,
            status=status,
            explanation=self.final_explanation,
            records=[r for r in self.records if r.confirmed],
        )

    def to_dict(self):
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "rule": self.rule,
            "note_number": self.note_number,
            "note_text": self.note_text,
            "cells": self.cells,
            "points": str(self.points),
            "deduction": str(self.deduction),
            "year_end_deduction": str(self.year_end_deduction),
            "status": self.status,
            "explanation": self.explanation,
            "final_explanation": self.final_explanation,
            "records": [r.to_dict() for r in self.records],
        }

    @classmethod
    def from_dict(cls, d):
        return cls(
            **{
                **d,
                "points": Decimal(d["points"]),
                "deduction": Decimal(d["deduction"]),
                "year_end_deduction": Decimal(d["year_end_deduction"]),
                "records": [Record.from_dict(r) for r in d["records"]],
            }
        )


@dataclass
class UnitScore:
    """A unit's score in one scheme: full points, every line, the deductions and the result."""

    unit_id: int
    unit_name: str
    category: str
    category_slug: str
    year: int
    full_points: Decimal
    lines: list  # None with `line_maker`: made on first read (see the property below the class)
    frozen: bool = False
    rank: int | None = None
    tied: bool = False
    # (deduction, year-end deduction) known without the lines: a province's ranking reads only these for its
    # thousands of units, and only the units shown read their lines (score_category).
    totals: tuple | None = field(default=None, repr=False, compare=False)
    line_maker: Callable | None = field(default=None, repr=False, compare=False)

    @property
    def deduction(self):
        if self.totals is not None:
            return self.totals[0]
        return sum((line.deduction for line in self.lines), ZERO)

    @property
    def score(self):
        return self.full_points - self.deduction

    @property
    def year_end_deduction(self):
        if self.totals is not None:
            return self.totals[1]
        return sum((line.year_end_deduction for line in self.lines), ZERO)

    @property
    def year_end_score(self):
        return self.full_points - self.year_end_deduction

    @property
    def pending(self):
        return self.year_end_deduction - self.deduction

    @property
    def rank_label(self):
        if self.rank is None:
            return ""
        return f"并列第{self.rank}名" if self.tied else f"第{self.rank}名"

    @property
    def deduction_lines(self):
        """Lines that cost something now or at year end."""
        return [line for line in self.lines if line.deduction or line.year_end_deduction]

    def finalized(self):
        return replace(self, lines=[line.finalized() for line in self.lines], frozen=True, totals=None, line_maker=None)

    def to_dict(self):
        return {
            "unit_id": self.unit_id,
            "unit_name": self.unit_name,
            "full_points": str(self.full_points),
            "deduction": str(self.deduction),
            "score": str(self.score),
            "rank": self.rank,
            "tied": self.tied,
            "lines": [line.to_dict() for line in self.lines],
        }

    @classmethod
    def from_dict(cls, d, *, category, category_slug, year):
        return cls(
            unit_id=d["unit_id"],
            unit_name=d["unit_name"],
            category=category,
            category_slug=category_slug,
            year=year,
            full_points=Decimal(d["full_points"]),
            lines=[Line.from_dict(line) for line in d["lines"]],
            frozen=True,
            rank=d["rank"],
            tied=d["tied"],
        )


def _get_lines(score):
    if score._lines is None and score.line_maker is not None:
        score._lines = score.line_maker()
    return score._lines


def _set_lines(score, lines):
    score._lines = lines


# Set after the dataclass is made, so that its __init__, replace, == and repr go through it.
UnitScore.lines = property(_get_lines, _set_lines, doc="The unit's Lines, made when first read if made lazily.")


def _state_item_status(texts):
    """earn / lose columns and rule groups: only a “*” at year end costs the item's points."""
    if any(t == PENDING for _, t in texts):
        return Status.PENDING
    if any(not t for _, t in texts):
        return Status.MISSING
    if all(t in EXEMPT_STATES for _, t in texts):
        return Status.EXEMPT
    return Status.OK


def _state_item_words(item, texts, status):
    p = item.points if item.is_group else item.columns[0].points
    pf = fmt(p)
    earn = item.base_kind == RuleKind.EARN
    if status == Status.PENDING:
        # A group names the column(s) still “*”; a single column's line is its own title.
        pending = [c for c, t in texts if t == PENDING]
        prefix = "、".join(f"“{c.title}”" for c in pending) if item.is_group else ""
        cost = f"不得{pf}分" if earn else f"扣{pf}分"
        explanation = f"{prefix}未完成（*）：年中不扣分；年底考核时仍未完成且未作情况说明的，{cost}"
        return explanation, f"{prefix}年底考核时仍未完成且未作情况说明，{cost}"
    if status == Status.MISSING:
        explanation = "未填写完成情况，暂不计分"
    elif status == Status.EXEMPT:
        if all(t == MarkState.NOT_ASSESSED for _, t in texts):
            why = "非考核项"
        elif all(t in EXPLAINED_STATES for _, t in texts):
            why = "已作情况说明"
        else:
            why = "已作情况说明或非考核项"
        explanation = f"{why}，不作为扣分项" + (f"，计{pf}分" if earn else "")
    else:
        exempt = any(t in EXEMPT_STATES for _, t in texts)
        explanation = (f"已完成，得{pf}分" if earn else "已完成，不扣分") + (
            "（其余为非考核项或已说明）" if exempt else ""
        )
    return explanation, explanation


def _occurrences(records):
    """(confirmed occurrences, records waiting for confirmation)."""
    n, waiting = 0, 0
    for r in records:
        if r.confirmed:
            n += r.count or 0
        else:
            waiting += 1
    return n, waiting


def _occurrence_item_amounts(item, text, records):
    col = item.columns[0]
    if text in EXEMPT_STATES:
        return Status.EXEMPT, ZERO, ZERO
    n, _ = _occurrences(records)
    if n:
        now = occurrence_loss(col, n)
        return Status.DEDUCTED, now, now
    if text == PENDING:
        return Status.PENDING, ZERO, occurrence_loss(col, 1)
    if not text:
        return Status.MISSING, ZERO, ZERO
    return Status.OK, ZERO, ZERO


def _waiting_tail(waiting):
    return f"；另有{waiting}条记录待确认，确认后计入" if waiting else ""


def _occurrence_item_words(item, text, records, status, now, year_end):
    col = item.columns[0]
    n, waiting = _occurrences(records)
    tail = _waiting_tail(waiting)
    if status == Status.EXEMPT:
        why = "非考核项" if text == MarkState.NOT_ASSESSED else "已作情况说明"
        extra = f"（已记录的{n}次不计）" if n else ""
        explanation = f"{why}，不作为扣分项{extra}"
        return explanation + tail, explanation
    if status == Status.DEDUCTED:
        raw = col.rate * n
        capped = f"，扣满{fmt(col.cap)}分为止，扣{fmt(now)}分" if raw > col.cap else f"，扣{fmt(now)}分"
        explanation = f"已确认{n}次：{fmt(col.rate)}分×{n}次={fmt(raw)}分{capped}"
        return explanation + tail, explanation
    if status == Status.PENDING:
        one = fmt(year_end)
        explanation = f"未完成（*），尚无确认的次数：年中不扣分；年底考核时仍未完成且未作情况说明的，按1次计，扣{one}分"
        final = f"年底考核时仍未完成且未作情况说明、未记录次数，按1次计，扣{one}分"
        return explanation + tail, final
    if status == Status.MISSING:
        explanation = "未填写完成情况，暂不计分"
        return explanation + tail, explanation
    explanation = "无确认的扣分记录，不扣分"
    return explanation + tail, explanation


def _confirmed_amount(records):
    return sum((r.amount or ZERO for r in records if r.confirmed), ZERO)


def _discretionary_item_amounts(item, text, records):
    if text in EXEMPT_STATES:
        return Status.EXEMPT, ZERO, ZERO
    total = _confirmed_amount(records)
    if total:
        now = discretionary_loss(item.columns[0], total)
        return Status.DEDUCTED, now, now
    return Status.OK, ZERO, ZERO


def _discretionary_item_words(item, text, records, status, now):
    col = item.columns[0]
    confirmed = [r for r in records if r.confirmed]
    tail = _waiting_tail(len(records) - len(confirmed))
    if status == Status.EXEMPT:
        explanation = ("非考核项" if text == MarkState.NOT_ASSESSED else "已作情况说明") + "，不作为扣分项"
        return explanation + tail, explanation
    if status == Status.DEDUCTED:
        total = _confirmed_amount(records)
        capped = f"，最高扣{fmt(col.cap)}分，扣{fmt(now)}分" if total > col.cap else ""
        explanation = f"已确认{len(confirmed)}条，扣{fmt(total)}分{capped}"
        return explanation + tail, explanation
    explanation = f"{text or '无'}，不扣分"
    return explanation + tail, explanation


def _item_texts(item, cells):
    return [(c, cells.get(c.id) or "") for c in item.columns]


def item_amounts(item, cells, records):
    """(status, deduction now, year-end deduction) of one item for a unit: what ranks it, without the words.

    `score_item` makes its Line from these very numbers, so a ranking from amounts and the lines agree.
    """
    if item.kind in (GROUP, RuleKind.EARN, RuleKind.LOSE):
        status = _state_item_status(_item_texts(item, cells))
        year_end = (item.points if item.is_group else item.columns[0].points) if status == Status.PENDING else ZERO
        return status, ZERO, year_end
    text = cells.get(item.columns[0].id) or ""
    if item.kind == RuleKind.PER_OCCURRENCE:
        return _occurrence_item_amounts(item, text, records)
    return _discretionary_item_amounts(item, text, records)


def score_item(item, cells, records):
    """The Line of one item for a unit: `cells` {indicator id: cell text}, `records` of its columns."""
    texts = _item_texts(item, cells)
    status, now, year_end = item_amounts(item, cells, records)
    if item.kind in (GROUP, RuleKind.EARN, RuleKind.LOSE):
        explanation, final = _state_item_words(item, texts, status)
    elif item.kind == RuleKind.PER_OCCURRENCE:
        explanation, final = _occurrence_item_words(item, texts[0][1], records, status, now, year_end)
    else:
        explanation, final = _discretionary_item_words(item, texts[0][1], records, status, now)
    cell_text = texts[0][1]
    if item.is_group:
        cell_text = "；".join(t or "（未填）" for _, t in texts)  # in the order of the title's columns
    return Line(
        key=item.key,
        title=item.title,
        kind=item.kind,
        rule=item.rule,
        note_number=item.note_number,
        note_text=item.note_text,
        cells=cell_text,
        points=item.points,
        deduction=now,
        year_end_deduction=year_end,
        status=status,
        explanation=explanation,
        final_explanation=final,
        records=list(records),
    )


def score_unit(rules, unit_id, unit_name, cells, records=()):
    """A unit's UnitScore under `rules`: `cells` {indicator id: "√"/"*"/"4"…}, `records` [Record]."""
    by_column = defaultdict(list)
    for record in records:
        by_column[record.indicator_id].append(record)
    lines = []
    for item in rules.items:
        item_records = [r for c in item.columns for r in by_column.get(c.id, ())]
        lines.append(score_item(item, cells, item_records))
    return UnitScore(
        unit_id=unit_id,
        unit_name=unit_name,
        category=rules.category,
        category_slug=rules.category_slug,
        year=rules.year,
        full_points=rules.full_points,
        lines=lines,
    )


def rank(scores, key=lambda s: s.year_end_score):
    """Competition ranking (1, 2, 2, 4) by `key`, highest first; ties share a rank and are marked."""
    keys = {id(s): key(s) for s in scores}  # a score's key sums its lines: once per unit, not once per use
    ordered = sorted(scores, key=lambda s: -keys[id(s)])  # sorted() is stable: printed order among equals
    previous, current = None, 0
    for position, s in enumerate(ordered, start=1):
        value = keys[id(s)]
        if value != previous:
            current, previous = position, value
        s.rank = current
    counts = defaultdict(int)
    for s in ordered:
        counts[s.rank] += 1
    for s in ordered:
        s.tied = counts[s.rank] > 1
    return ordered


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
    by_column = defaultdict(list)
    for record in records:
        by_column[record.indicator_id].append(record)
    now = year_end = ZERO
    for item in rules.items:
        item_records = [r for c in item.columns for r in by_column.get(c.id, ())] if by_column else ()
        _, item_now, item_year_end = item_amounts(item, cells, item_records)
        now += item_now
        year_end += item_year_end
    return UnitScore(
        unit_id=unit_id,
        unit_name=unit_name,
        category=rules.category,
        category_slug=rules.category_slug,
        year=rules.year,
        full_points=rules.full_points,
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
    return CategoryScores(
        year=rules.year,
        category=rules.category,
        category_slug=rules.category_slug,
        full_points=rules.full_points,
        max_loss=rules.max_loss,
        units=rank(scores),
    )


def deduction_text(deductions, cells_by_indicator):
    """The office's wording for a row's confirmed deductions, e.g. “诚信专题宣传任务未完成2次，扣1分”.

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
            loss, default = occurrence_loss(col, n), "{title}未完成{n}次"
        elif col.kind == RuleKind.DISCRETIONARY:
            n = len(rows)
            loss, default = discretionary_loss(col, sum((d.amount or ZERO for d in rows), ZERO)), "{title}"
        else:
            continue
        wording = (col.wording or default).replace("{title}", col.title).replace("{n}", str(n))
        parts.append(f"{wording}，扣{fmt(loss)}分")
    return "；".join(parts)
