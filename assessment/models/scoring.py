"""Scoring records: rule groups (合并计分) and the deductions recorded against a unit."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from .choices import RuleKind
from .schemes import Indicator, Note, Scheme, SchemeUnit
from .units import Unit
from .years import check_year_open

# --- scoring: rule groups, recorded deductions, the year-end assessment (assessment.scoring)


class RuleGroup(models.Model):
    """Columns that one note scores together, with the note's points (部门 notes 1 and 3).

    The group's points stand in the full score instead of its columns' own points. At the
    year-end assessment the group loses all its points if any of its assessed columns is still
    “*” without an accepted explanation; √, 非考核项 and 已说明 cost nothing (assessment.scoring).
    """

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="rule_groups", verbose_name="考核方案")
    note = models.ForeignKey(Note, models.RESTRICT, related_name="rule_groups", verbose_name="说明")
    points = models.DecimalField(
        "分值", max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))], help_text="如 0.3"
    )

    class Meta:
        verbose_name = "合并计分规则"
        verbose_name_plural = "合并计分规则"
        ordering = ["scheme", "note__number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "note"],
                name="rulegroup_unique_note",
                violation_error_message="这条说明已有合并计分规则。",
            )
        ]

    def __str__(self):
        return f"{self.scheme} 说明{self.note.number}（{self.points.normalize():f}分）"

    def clean(self):
        if self.note_id and self.scheme_id and self.note.scheme_id != self.scheme_id:
            raise ValidationError({"note": "说明属于另一个考核方案。"})


class Deduction(models.Model):
    """A recorded deduction: missed occurrences of a per-occurrence rule, or a serious credit event.

    Entered by office staff with date, count (per-occurrence) or amount (discretionary) and
    reason; it counts in scores and in the 扣分情况 column only once confirmed.
    """

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="deductions", verbose_name="责任单位")
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="deductions", verbose_name="考核指标")
    date = models.DateField("日期")
    count = models.PositiveIntegerField("次数", null=True, blank=True, help_text="按次扣分：未完成的次数")
    amount = models.DecimalField(
        "扣分", max_digits=6, decimal_places=2, null=True, blank=True, help_text="视情扣分：扣的分，不超过上限"
    )
    reason = models.TextField("事由")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="录入人")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="确认人"
    )

    class Meta:
        verbose_name = "扣分记录"
        verbose_name_plural = "扣分记录"
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(count__isnull=False) & Q(count__gte=1) & Q(amount__isnull=True))
                | (Q(count__isnull=True) & Q(amount__isnull=False) & Q(amount__gt=0)),
                name="deduction_count_xor_amount",
                violation_error_message="扣分记录要么填次数（至少1次），要么填扣分（大于0）。",
            ),
        ]

    def __str__(self):
        what = f"{self.count}次" if self.count is not None else f"{self.amount}分"
        return f"{self.unit} · {self.indicator.title} · {what}"

    @property
    def confirmed(self):
        return self.confirmed_at is not None

    def clean(self):
        if not self.indicator_id:
            return
        indicator = self.indicator
        if indicator.rule_kind == RuleKind.PER_OCCURRENCE:
            if self.count is None or self.count < 1:
                raise ValidationError({"count": "按次扣分的记录需要填写次数（至少1次）。"})
            if self.amount is not None:
                raise ValidationError({"amount": "按次扣分的记录按次数计分，不填扣分。"})
        elif indicator.rule_kind == RuleKind.DISCRETIONARY:
            if self.amount is None or self.amount <= 0:
                raise ValidationError({"amount": "视情扣分的记录需要填写扣分（大于0）。"})
            if indicator.cap is not None and self.amount > indicator.cap:
                raise ValidationError({"amount": f"扣分不能超过本项上限{indicator.cap.normalize():f}分。"})
            if self.count is not None:
                raise ValidationError({"count": "视情扣分的记录填扣分，不填次数。"})
        else:
            raise ValidationError({"indicator": f"“{indicator.title}”按完成情况计分，不能记录扣分。"})
        if self.date and self.date.year != indicator.scheme.year:
            raise ValidationError({"date": f"日期应在{indicator.scheme.year}年内。"})
        check_year_open(indicator.scheme.year)
        if self.unit_id and not SchemeUnit.objects.filter(scheme_id=indicator.scheme_id, unit_id=self.unit_id).exists():
            raise ValidationError({"unit": f"“{self.unit}”不在{indicator.scheme}的参评单位中。"})
