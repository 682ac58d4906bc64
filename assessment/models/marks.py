"""The marks (one per unit and indicator, with history), due-date overrides, and who reports for a unit."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .choices import MarkState
from .schemes import Indicator, SchemeUnit
from .units import Unit
from .years import check_year_open


def cell_text(state, count):
    """A stored cell's text: its number when it holds one, else its word (√, *, 非考核项…; "" when neither).

    The one rule for a stored mark, its history entries and a value about to be written; a derived
    cell's text (assessment.cells) starts from it.
    """
    return str(count) if count is not None else (state or "")


class ChangeBatch(models.Model):
    """Several mark changes made at once (a bulk set, an import): undone together."""

    how = models.CharField("方式", max_length=20)
    description = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作人")
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="撤销人"
    )
    undo_of = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="undone_by_batch", verbose_name="撤销的批次"
    )

    class Meta:
        verbose_name = "批量修改"
        verbose_name_plural = "批量修改"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.how} {self.description}"


class MarkHistoryBase(models.Model):
    """Extra columns of every history entry of a mark: the batch it belonged to, if any."""

    batch = models.ForeignKey(
        ChangeBatch, models.PROTECT, null=True, blank=True, related_name="entries", verbose_name="批次"
    )

    class Meta:
        abstract = True

    @property
    def display(self):
        """The cell's text after this entry."""
        return cell_text(self.state, self.count)


class Mark(models.Model):
    """One cell: a unit's completion status of one indicator in the indicator's year."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="marks", verbose_name="责任单位")
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="marks", verbose_name="考核指标")
    state = models.CharField("标记", max_length=10, choices=MarkState.choices, blank=True)
    count = models.PositiveIntegerField("数量", null=True, blank=True)
    # Bumped on every save: the entry grid refuses a save made against an older version.
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="修改人"
    )
    # Who changed what, when, old → new; history_change_reason says how (see services.HOW).
    history = HistoricalRecords(
        excluded_fields=["updated_at"], bases=[MarkHistoryBase], verbose_name="完成情况修改记录"
    )

    class Meta:
        verbose_name = "完成情况"
        verbose_name_plural = "完成情况"
        ordering = ["indicator__scheme", "indicator__order", "unit__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator"],
                name="mark_unique_cell",
                violation_error_message="该单位的这一指标已有完成情况。",
            ),
            models.CheckConstraint(
                condition=(Q(count__isnull=True) & ~Q(state="")) | (Q(count__isnull=False) & Q(state="")),
                name="mark_state_xor_count",
                violation_error_message="完成情况只能是一个标记或一个数量。",
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.indicator.title}: {self.display}"

    def save(self, *args, **kwargs):
        # Marks are validated in the model, whoever writes them (grid, import, admin, shell).
        self.full_clean()
        super().save(*args, **kwargs)

    @property
    def display(self):
        return cell_text(self.state, self.count)

    def clean(self):
        if not self.indicator_id:
            return
        if (self.count is None) == (not self.state):
            raise ValidationError("完成情况只能是一个标记或一个数量。")
        check_year_open(self.indicator.scheme.year)
        self.indicator.check_value(self.state or None, self.count)
        if (
            self.unit_id
            and not SchemeUnit.objects.filter(scheme_id=self.indicator.scheme_id, unit_id=self.unit_id).exists()
        ):
            raise ValidationError({"unit": f"“{self.unit}”不在{self.indicator.scheme}的参评单位中。"})


class DueOverride(models.Model):
    """Another due date for one unit × indicator, set by the office with a reason (assessment.due)."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="due_overrides", verbose_name="责任单位")
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="due_overrides", verbose_name="考核指标")
    date = models.DateField("截止日期")
    reason = models.TextField("调整原因")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="调整人"
    )
    set_at = models.DateTimeField("调整时间", auto_now=True)

    class Meta:
        verbose_name = "截止日期调整"
        verbose_name_plural = "截止日期调整"
        ordering = ["indicator__scheme", "indicator__order", "unit__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator"],
                name="dueoverride_unique_cell",
                violation_error_message="该单位的这一指标已有调整后的截止日期。",
            )
        ]

    def __str__(self):
        return f"{self.unit} · {self.indicator.title}：{self.date:%Y-%m-%d}"

    def clean(self):
        if not self.reason.strip():
            raise ValidationError({"reason": "请填写调整截止日期的原因。"})
        if not self.indicator_id:
            return
        year = self.indicator.scheme.year
        if self.date and self.date.year not in (year, year + 1):
            raise ValidationError({"date": f"截止日期应在{year}年或次年年初。"})
        enrolled = SchemeUnit.objects.filter(scheme_id=self.indicator.scheme_id, unit_id=self.unit_id)
        if self.unit_id and not enrolled.exists():
            raise ValidationError({"unit": f"“{self.unit}”不在{self.indicator.scheme}的参评单位中。"})


class Reporter(models.Model):
    """Links a reporter's account to the one unit it reports for (the role itself is a group)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="reporter", verbose_name="账号")
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="reporters", verbose_name="责任单位")

    class Meta:
        verbose_name = "单位填报账号"
        verbose_name_plural = "单位填报账号"
        ordering = ["unit__order", "user__username"]

    def __str__(self):
        return f"{self.user} → {self.unit}"
