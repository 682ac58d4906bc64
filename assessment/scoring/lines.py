"""What a score says: each item's `Line` (its rule, note, cells and costs) and a unit's `UnitScore`."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from assessment.models import RuleKind

from .rules import GROUP, ZERO, Record, fmt


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
    wording: str = ""  # the column's 扣分情况写法 ({title}, {n}); versions frozen before it was kept have none

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
            "wording": self.wording,
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
    # Known without the lines: its totals are zero under rules whose losses are never negative (`under`).
    costs_nothing: bool = field(default=False, repr=False, compare=False)

    @classmethod
    def under(cls, rules, unit_id, unit_name, **score):
        """A unit's score under a scheme's `rules` (its category, year, full points): `lines`, or `totals`
        with a `line_maker`. The one place a live UnitScore is made (`from_dict` reads a frozen one)."""
        totals = score.get("totals")
        return cls(
            unit_id=unit_id,
            unit_name=unit_name,
            category=rules.category,
            category_slug=rules.category_slug,
            year=rules.year,
            full_points=rules.full_points,
            costs_nothing=totals is not None and not any(totals) and None not in totals and rules.losses_never_negative,
            **score,
        )

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
    def deduction_text(self):
        """The 扣分情况 of the unit: empty until the year is closed (as printed), then every point it lost."""
        return score_deduction_text(self) if self.frozen else ""

    @property
    def deduction_lines(self):
        """Lines that cost something now or at year end (none, without making the lines, if `costs_nothing`)."""
        if self.costs_nothing:
            return []
        return [line for line in self.lines if line.deduction or line.year_end_deduction]

    def finalized(self):
        lines = [line.finalized() for line in self.lines]
        return replace(self, lines=lines, frozen=True, totals=None, line_maker=None, costs_nothing=False)

    def to_dict(self):
        return {
            "unit_id": self.unit_id,
            "unit_name": self.unit_name,
            "full_points": str(self.full_points),
            "deduction": str(self.deduction),
            "score": str(self.score),
            "rank": self.rank,
            "tied": self.tied,
            "deduction_text": self.deduction_text,
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


def deduction_phrase(*, title, kind, wording, n, loss):
    """One deduction as the 扣分情况 column writes it, with its points: “诚信专题宣传任务未完成2次，扣1分”.

    `wording`: the column's 扣分情况写法 ({title}, {n}), else the default of its rule kind; an item scored
    by its completion (earn, lose, a rule group) reads “{title}未完成”.
    """
    if kind == RuleKind.PER_OCCURRENCE:
        default = "{title}未完成{n}次"
    elif kind == RuleKind.DISCRETIONARY:
        default = "{title}"
    else:
        wording, default = "", "{title}未完成"
    text = (wording or default).replace("{title}", title).replace("{n}", str(n))
    return f"{text}，扣{fmt(loss)}分"


def line_deduction_phrase(line):
    """The phrase of one Line of a score: what it deducts (its `deduction`), "" if nothing.

    The occurrences are its confirmed records' (recorded misses, the quarters' missing cases); a “*”
    counted at the year end without a record is one occurrence; a discretionary item counts its records.
    """
    if not line.deduction:
        return ""
    confirmed = [r for r in line.records if r.confirmed]
    per_occurrence = line.kind == RuleKind.PER_OCCURRENCE
    n = (sum(r.count or 0 for r in confirmed) if per_occurrence else len(confirmed)) or 1
    return deduction_phrase(title=line.title, kind=line.kind, wording=line.wording, n=n, loss=line.deduction)


def score_deduction_text(score):
    """THE 扣分情况 text of a unit's score: a phrase per line that costs points, joined by “；”.

    Written from the very lines that make the total, so the points it names add up to full − score.
    The scores page, the progress tables and their workbooks, the API and the frozen versions read it
    through `UnitScore.deduction_text` (empty until the close).
    """
    return "；".join(p for p in (line_deduction_phrase(line) for line in score.lines) if p)


def _get_lines(score):
    if score._lines is None and score.line_maker is not None:
        score._lines = score.line_maker()
    return score._lines


def _set_lines(score, lines):
    score._lines = lines


# Set after the dataclass is made, so that its __init__, replace, == and repr go through it.
UnitScore.lines = property(_get_lines, _set_lines, doc="The unit's Lines, made when first read if made lazily.")
