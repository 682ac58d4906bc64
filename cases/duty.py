"""The quarterly duty of note 6 (“每个季度未按要求…报…案例的，扣 0.05 分/条，扣满 0.3 分为止”).

Plain functions, no queries: the rate and the cap come from the indicator, the number of
cases a quarter demands from its `CaseDuty`, the counts from `cases.counts`, the quarters due for
a date from `assessment.due.due_quarters`, the arithmetic from `scoring.occurrence_loss`. The
same shortfalls feed the scores (cases.counts.CaseCounts, registered in CasesConfig.ready).
"""

from decimal import Decimal

from assessment.due import QUARTERS, due_quarters
from assessment.models import EXEMPT_STATES
from assessment.scoring.rules import column_of, occurrence_loss

__all__ = ["due_quarters", "is_exempt", "per_quarter_of", "quarterly_deduction", "shortfalls"]

DEFAULT_PER_QUARTER = 1  # when the office has not set a CaseDuty: at least one case a quarter


def per_quarter_of(indicator):
    """Cases a quarter demands for this indicator (its CaseDuty, if any; prefetch `case_duty`)."""
    duty = getattr(indicator, "case_duty", None)
    return duty.per_quarter if duty is not None else DEFAULT_PER_QUARTER


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
    return occurrence_loss(column_of(indicator), missing) if missing else Decimal("0")


def is_exempt(cell):
    """A unit whose 奖惩案例 cell says 非考核项 or 已说明 owes no cases (closing note of the table)."""
    return cell is not None and cell.state in EXEMPT_STATES
