"""Due dates and a cell's status: when an item is due, and whether it is done, due soon or overdue.

Each indicator has a due rule (`Indicator.due_rule`, data of the scheme): by a date (`due_date`), at
each quarter's end (the 奖惩案例 duty of note 6, “每个季度…”), or by the year-end assessment (every
other item, “请于年底考核时作情况说明”). The office may set another date for one unit × indicator
(`DueOverride`, with a reason). The cell function (assessment.cells) asks `cell_due` for every cell, so
the grid, the unit page, the overview, the API and the reminders read the same status.

The status of a cell, from its value and its date as of a day:

- √ or a number: done; 已说明 / 已说明情况: explained; 非考核项 / 无: not assessed (nothing is due);
- *: overdue once its date has passed, due soon within DJANGO_DUE_SOON_DAYS days of it, else not due.
  Under the quarterly rule a * is overdue as soon as a quarter has ended (`due_quarters`), its date then
  being the end of the first quarter missed; before that its date is the end of the current quarter.
- Once the year has ended (`year_ended`) and its date has passed, a * is “年终未完成”: what matters then is
  the year-end result (the unit explains it, or it is deducted at the close), not the days since the date,
  so an archive year does not read “已逾期2532天”.
"""

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.prepared import Prepared

from .models import EXPLAINED_STATES, DueOverride, DueRule, MarkState

QUARTERS = (1, 2, 3, 4)


class DueStatus(models.TextChoices):
    """What a cell's status is as of a day (the grid's marks, the unit page, the overview, the API)."""

    DONE = "done", "已完成"
    EXPLAINED = "explained", "已说明"
    NOT_ASSESSED = "not_assessed", "非考核项"
    NOT_DUE = "not_due", "未到期"
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"
    YEAR_END = "year_end", "年终未完成"


# Statuses of a * cell, most pressing first (the unit page's order, the overview's columns).
OPEN_STATUSES = (DueStatus.YEAR_END, DueStatus.OVERDUE, DueStatus.DUE_SOON, DueStatus.NOT_DUE)


def today():
    """The day statuses are computed for when no `as_of` is given (the portal's local date)."""
    return timezone.localdate()


def soon_days():
    return settings.DUE_SOON_DAYS


def quarter_end(year, quarter):
    """The last day of a quarter of `year`."""
    if quarter == 4:
        return datetime.date(year, 12, 31)
    return datetime.date(year, quarter * 3 + 1, 1) - datetime.timedelta(days=1)


def due_quarters(year, as_of=None):
    """The quarters of `year` that have ended by `as_of` (default today): only those can have been missed.

    A quarter is due from the first day of the next one: on 2019-11-26 quarters one to three are due; from
    2020-01-01 (and at the year-end assessment) all four. The quarterly table, the scores, the unit page,
    the API, the cells' statuses and the frozen year-end version all ask this function with their date.
    """
    as_of = as_of or today()
    return tuple(q for q in QUARTERS if as_of > quarter_end(year, q))


def year_end_date(year):
    """The date of the items due “by the year-end assessment”: the last day of the year."""
    return datetime.date(year, 12, 31)


def year_ended(year, as_of=None):
    """Whether `year` is over as of `as_of` (default today): from 1 January of the next year."""
    return (as_of or today()) > year_end_date(year)


def same_day_next_year(day):
    """The date one year on (the new-year step); 29 February becomes 28 February."""
    return shift_years(day, 1)


def shift_years(day, years):
    """The same day `years` later (a scheme copied or imported into another year), 29 February to 28 February;
    None stays None."""
    if day is None or not years:
        return day
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Due:
    """A cell's due date and status as of a day; `reason` says why the office changed the date, if it did."""

    date: datetime.date | None
    status: str
    as_of: datetime.date
    reason: str = ""

    @property
    def days_left(self):
        """Days until the date (negative once overdue), or None without a date."""
        return None if self.date is None else (self.date - self.as_of).days

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def phrase(self):
        """“还剩5天”, “今天到期”, “已逾期12天” for an open cell, else "" (and for 年终未完成: no days count)."""
        if not self.is_open or self.date is None or self.status == DueStatus.YEAR_END:
            return ""
        days = self.days_left
        if days < 0:
            return f"已逾期{-days}天"
        return "今天到期" if days == 0 else f"还剩{days}天"

    @property
    def label(self):
        return DueStatus(self.status).label if self.status else ""

    @property
    def mark_text(self):
        """The text alternative of an open cell's mark: “已逾期，已逾期12天”, “即将到期，还剩5天”."""
        if not self.is_open:
            return ""
        return f"{self.label}，{self.phrase}" if self.phrase else self.label

    @property
    def mark_title(self):
        """The mark's tooltip: status, date, days, and why the office changed the date."""
        if not self.is_open:
            return ""
        reason = f"（调整原因：{self.reason}）" if self.reason else ""
        if self.status == DueStatus.YEAR_END:
            return f"{self.label}：截止 {self.date:%Y-%m-%d}，年度已结束，请作年终情况说明{reason}"
        return f"{self.label}：截止 {self.date:%Y-%m-%d}，{self.phrase}{reason}"


def value_status(value):
    """The status a cell's text gives by itself (None for *, whose status depends on its date)."""
    if value == MarkState.PENDING:
        return None
    if value == MarkState.DONE or value.isdigit():
        return DueStatus.DONE
    if value in EXPLAINED_STATES:
        return DueStatus.EXPLAINED
    return DueStatus.NOT_ASSESSED  # 非考核项, 无 (and an empty cell: nothing is due)


def rule_date(indicator, year, as_of):
    """The date the indicator's rule gives as of `as_of`, and for a * whether a quarter was already missed."""
    if indicator.due_rule == DueRule.DATE and indicator.due_date is not None:
        return indicator.due_date, False
    if indicator.due_rule == DueRule.QUARTERLY:
        ended = due_quarters(year, as_of)
        if ended:
            return quarter_end(year, ended[0]), True
        return quarter_end(year, 1), False
    return year_end_date(year), False


def cell_due(value, indicator, year, as_of, override=None):
    """The Due of a cell showing `value` (its indicator's rule, or the office's `override`: a DueOverride or the
    ChangedDue `overrides_for` reads of it)."""
    if override is not None:
        date, missed = override.date, False
    else:
        date, missed = rule_date(indicator, year, as_of)
    status = value_status(value)
    if status is None:
        if year_ended(year, as_of) and as_of > date:
            status = DueStatus.YEAR_END
        elif missed or as_of > date:
            status = DueStatus.OVERDUE
        elif (date - as_of).days <= soon_days():
            status = DueStatus.DUE_SOON
        else:
            status = DueStatus.NOT_DUE
    return Due(date=date, status=status, as_of=as_of, reason=override.reason if override is not None else "")


class ChangedDue(NamedTuple):
    """What a cell reads of the office's changed date (a DueOverride): the date and why."""

    date: datetime.date
    reason: str


def _overrides(indicator_ids):
    return DueOverride.objects.filter(indicator_id__in=indicator_ids).values_list(
        "unit_id", "indicator_id", "date", "reason"
    )


# Every unit's changed dates of a year's columns: the overview and the grid's due filters ask it on each request,
# with the same columns (compiled once per set of columns, core.prepared).
_EVERY_UNIT = Prepared(_overrides)


def overrides_for(indicator_ids, unit_ids=None):
    """{(unit id, indicator id): ChangedDue} for the given indicators (ids), of every unit or of `unit_ids` (one
    query)."""
    indicator_ids = tuple(sorted(indicator_ids))
    if unit_ids is None:
        rows = _EVERY_UNIT.rows(indicator_ids)
    else:
        rows = _overrides(indicator_ids).filter(unit_id__in=list(unit_ids))
    return {(unit_id, indicator_id): ChangedDue(date, reason) for unit_id, indicator_id, date, reason in rows}
