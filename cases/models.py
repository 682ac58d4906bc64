"""Reward and penalty cases (奖惩案例) reported by units."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from assessment.models import Unit


class CaseKind(models.TextChoices):
    REWARD = "reward", "守信激励"
    PENALTY = "penalty", "失信惩戒"


class Case(models.Model):
    """A case: printed as “守信激励·title”, subtitle, body and (source) at the end."""

    kind = models.CharField("类型", max_length=10, choices=CaseKind.choices)
    title = models.CharField("标题", max_length=200)
    subtitle = models.CharField("副标题", max_length=200, blank=True)
    body = models.TextField("正文", help_text="每行一段")
    source_unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="cases", verbose_name="报送单位"
    )
    source_label = models.CharField(
        "来源（按通报）", max_length=100, help_text="印在案例末尾括号中的来源，如 市行政审批局、市“331”专班"
    )
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", validators=[MinValueValidator(1), MaxValueValidator(4)])
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "奖惩案例"
        verbose_name_plural = "奖惩案例"
        ordering = ["-year", "-quarter", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="case_quarter_range",
                violation_error_message="季度只能是1至4。",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}·{self.title}"

    @property
    def printed_title(self):
        return f"{self.get_kind_display()}·{self.title}"

    def paragraphs(self):
        return [line for line in self.body.splitlines() if line.strip()]

    def clean(self):
        if not self.source_label and self.source_unit_id:
            self.source_label = self.source_unit.name
        if not self.source_label:
            raise ValidationError({"source_label": "请填写来源单位。"})
