"""Stored tallies: what the enrolled cells of each column hold, counted, kept up to date as marks change.

A province's year page, grid and overview count every enrolled unit's cells; grouping 180,000 marks on
each request cost them 70–115 ms. These rows hold those counts (assessment.stored_tallies keeps them
true in every writer's transaction; a scheme whose SchemeTally is stale is counted again on its next read).
"""

from django.db import models
from django.db.models import Q

from .schemes import Indicator, Scheme, SchemeUnit


class SchemeTally(models.Model):
    """Whether a scheme's stored tallies (its ColumnTally and UnitPending rows) are current.

    Every writer bumps `generation` in its own transaction before changing a count; a rebuild stores its counts
    only if the generation is still the one it read before counting, so a concurrent write is never lost.
    `built_at` empty (or no row at all): the counts are not to be trusted, the next read counts the scheme again.
    """

    scheme = models.OneToOneField(
        Scheme, models.CASCADE, primary_key=True, related_name="tally", verbose_name="考核方案"
    )
    generation = models.PositiveBigIntegerField("数据版本", default=0)
    built_at = models.DateTimeField("统计时间", null=True, blank=True, help_text="空：数据已变动，须重新统计")

    class Meta:
        verbose_name = "考核方案统计状态"
        verbose_name_plural = "考核方案统计状态"
        ordering = ["scheme"]

    def __str__(self):
        return f"{self.scheme_id}（{'待统计' if self.built_at is None else self.built_at}）"


class ColumnTally(models.Model):
    """How many enrolled cells of a column hold one value (√, *, 非考核项…, or a number as its digits).

    What tallies_for's GROUP BY over the marks gave: (indicator, state, count) → cells. `value` is the cell's
    stored text (models.cell_text), so one row per value; rows at 0 are kept (a count can come back).
    """

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="tallies", verbose_name="考核指标")
    value = models.CharField("完成情况", max_length=20)
    # Not a PositiveIntegerField: a count that drifted below 0 must not refuse the office's next save.
    cells = models.IntegerField("单元格数", default=0)

    class Meta:
        verbose_name = "完成情况统计"
        verbose_name_plural = "完成情况统计"
        ordering = ["indicator", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "value"],
                name="columntally_unique_value",
                violation_error_message="该指标的这一完成情况已有统计。",
            )
        ]

    def __str__(self):
        return f"{self.indicator_id} · {self.value}：{self.cells}"


class UnitPending(models.Model):
    """How many of an enrolled unit's typed cells show * (tallies.PENDING_MARKS): “units with a * left”.

    The derived column's cells (奖惩案例) are not counted here: they come from the case records.
    """

    scheme_unit = models.OneToOneField(
        SchemeUnit, models.CASCADE, primary_key=True, related_name="pending_tally", verbose_name="参评单位"
    )
    cells = models.IntegerField("未完成项数", default=0)

    class Meta:
        verbose_name = "单位未完成项统计"
        verbose_name_plural = "单位未完成项统计"
        ordering = ["scheme_unit"]
        indexes = [models.Index(fields=["scheme_unit"], condition=Q(cells__gt=0), name="unitpending_pending_units")]

    def __str__(self):
        return f"{self.scheme_unit_id}：{self.cells}"
