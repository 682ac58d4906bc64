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

__all__ = ["due_quarters", "is_exempt", "per_quarter_of", "quarterly_deduction", "shortfalls", "span_of"]

DEFAULT_PER_QUARTER = 1  # when the office has not set a CaseDuty: at least one case a quarter


def per_quarter_of(indicator):
    """Cases a quarter demands for this indicator (its CaseDuty, if any; prefetch `case_duty`)."""
    duty = getattr(indicator, "case_duty", None)
    return duty.per_quarter if duty is not None else DEFAULT_PER_QUARTER


def span_of(key):
    """(first, last) of a counts key: a quarter (cases, one-quarter records) or a (first, last) span."""
    return key if isinstance(key, tuple) else (key, key)


def shortfalls(counts, *, due=QUARTERS, per_quarter=DEFAULT_PER_QUARTER):
    """{quarter: cases missing} for every due quarter.

    `counts` is {quarter: n} for cases and records of one quarter, and {(first, last): n} for offline
    records covering several quarters (e.g. (1, 3): “前三季度报送 16 例”). A span's cases fill only the
    quarters it covers: each short quarter, earliest first, takes from the spans covering it that end
    soonest (so that as many quarters as the counts allow are filled). A quarter no record covers stays
    short: at the year end, a 前三季度 record leaves the fourth quarter to a case of its own.
    """
    spare = {span_of(key): n for key, n in counts.items() if isinstance(key, tuple) and n}
    missing = {}
    for quarter in due:
        short = max(0, per_quarter - counts.get(quarter, 0))
        for span in sorted((s for s in spare if s[0] <= quarter <= s[1]), key=lambda s: (s[1], s[0])):
            if not short:
                break
            used = min(short, spare[span])
            spare[span] -= used
            short -= used
        missing[quarter] = short
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
