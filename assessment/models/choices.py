"""The vocabulary of the assessment: the marks a cell may hold, the kinds of rules and due dates."""

from django.db import models


class MarkState(models.TextChoices):
    """The words a progress-table cell can hold, exactly as printed (the one vocabulary)."""

    DONE = "√", "√（已完成）"
    PENDING = "*", "*（未完成）"
    NOT_ASSESSED = "非考核项", "非考核项"
    EXPLAINED = "已说明", "已说明"
    EXPLAINED_FULL = "已说明情况", "已说明情况"
    NONE = "无", "无"


# States that are not deducted at year end (the closing note of every table).
EXPLAINED_STATES = frozenset({MarkState.EXPLAINED, MarkState.EXPLAINED_FULL})
# States that exempt the unit from the item altogether (“不作为扣分项”): not assessed, or explained.
EXEMPT_STATES = frozenset({MarkState.NOT_ASSESSED, *EXPLAINED_STATES})


class RuleKind(models.TextChoices):
    """How an indicator's points count (the notes under each table say which)."""

    EARN = "earn", "完成得分"
    LOSE = "lose", "未完成扣分"
    PER_OCCURRENCE = "per_occurrence", "按次扣分，扣满为止"
    DISCRETIONARY = "discretionary", "视情扣分，最高扣至上限"


class DueRule(models.TextChoices):
    """When an indicator is due (the notes say: cases every quarter, the rest by the year-end assessment)."""

    DATE = "date", "限期完成（截止日期）"
    QUARTERLY = "quarterly", "每季度末"
    YEAR_END = "year_end", "年终考核前"
