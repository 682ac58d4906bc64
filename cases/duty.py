"""The quarterly duty of note 6 (“每个季度未按要求…报…案例的，扣 0.05 分/条，扣满 0.3 分为止”).

Plain functions, no queries: the rate and the cap come from the indicator, the number of
cases a quarter demands from its `CaseDuty`, the counts from `cases.counts`. Scoring
(assessment/scoring.py) can call `quarterly_deduction` with the same arguments.
"""

import datetime
from decimal import Decimal

from assessment.models import EXPLAINED_STATES, MarkState

from .models import QUARTERS

DEFAULT_PER_QUARTER = 1  # when the office has not set a CaseDuty: at least one case a quarter


def per_quarter_of(indicator):
    """Cases a quarter demands for this indicator (its CaseDuty, if any; prefetch `case_duty`)."""
    duty = getattr(indicator, "case_duty", None)
    return duty.per_quarter if duty is not None else DEFAULT_PER_QUARTER


def due_quarters(year, today=None):
    """The quarters of `year` that have ended by `today`: only those can have been missed."""
    today = today or datetime.date.today()
    ended = []
    for quarter in QUARTERS:
        first_of_next = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, quarter * 3 + 1, 1)
        if today >= first_of_next:
            ended.append(quarter)
    return tuple(ended)


def shortfalls(counts, *, due=QUARTERS, per_quarter=DEFAULT_PER_QUARTER):
    """{quarter: cases missing} for every due quarter.

    `counts` is {quarter: n}, with the key None for totals kept without a quarter (offline
    records such as “前三季度报送 16 例”): those fill the earliest short quarters first, since
    the office kept no breakdown for them.
    """
    spare = counts.get(None, 0)
    missing = {}
    for quarter in due:
        short = max(0, per_quarter - counts.get(quarter, 0))
        used = min(short, spare)
        spare -= used
        missing[quarter] = short - used
    return missing


def quarterly_deduction(indicator, counts, *, due=QUARTERS, per_quarter=DEFAULT_PER_QUARTER):
    """Points deducted: the indicator's rate per missing case per due quarter, at most its cap."""
    if indicator.rate is None or indicator.cap is None:
        raise ValueError(f"“{indicator.title}”没有填写每次扣分和最高扣分。")
    missing = sum(shortfalls(counts, due=due, per_quarter=per_quarter).values())
    return min(indicator.cap, indicator.rate * missing) if missing else Decimal("0")


def is_exempt(mark):
    """A unit whose 奖惩案例 cell says 非考核项 or 已说明 owes no cases (closing note of the table)."""
    return mark is not None and (mark.state == MarkState.NOT_ASSESSED or mark.state in EXPLAINED_STATES)
