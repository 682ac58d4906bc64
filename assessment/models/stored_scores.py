"""Stored scores: each enrolled unit's totals as of a date, so the scores page ranks in the database."""

from django.db import models

from .schemes import SchemeUnit


class UnitYearScore(models.Model):
    """An enrolled unit's score totals in its year's scheme, as computed for one date (assessment.scoring.stored).

    Written only by `scoring.stored.refresh_scores` from the scoring arithmetic. Any change to what the
    score stands on (cells, records, case counts, the scheme) bumps `generation` and clears `as_of` in the
    same transaction (scoring.stored.watch); a row counts only while its `as_of` is today.
    """

    scheme_unit = models.OneToOneField(
        SchemeUnit, models.CASCADE, primary_key=True, related_name="stored_score", verbose_name="参评单位"
    )
    year = models.PositiveSmallIntegerField("年度")
    deduction = models.DecimalField("已确认扣分", max_digits=8, decimal_places=2, null=True, blank=True)
    year_end_deduction = models.DecimalField(
        "若今日年终考核扣分", max_digits=8, decimal_places=2, null=True, blank=True
    )
    as_of = models.DateField("计分日期", null=True, blank=True, help_text="空：数据已变动，须重新计算")
    generation = models.PositiveBigIntegerField("数据版本", default=0)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)

    class Meta:
        verbose_name = "单位年度得分"
        verbose_name_plural = "单位年度得分"
        ordering = ["year", "year_end_deduction", "scheme_unit"]
        indexes = [models.Index(fields=["year", "year_end_deduction"], name="unityearscore_year_rank")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(as_of__isnull=True)
                | models.Q(deduction__isnull=False, year_end_deduction__isnull=False),
                name="unityearscore_totals_when_current",
                violation_error_message="有计分日期的得分须有扣分数。",
            )
        ]

    def __str__(self):
        return f"{self.year}年 {self.scheme_unit_id}（{self.as_of or '待计算'}）"
