"""A unit's request to change one of its marks, and the office's answer."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .marks import Mark


class MarkRequest(models.Model):
    """A unit's request about an item marked *: reported done, or a 情况说明; staff accept or return it."""

    class Kind(models.TextChoices):
        DONE = "done", "报告已完成"
        EXPLAINED = "explained", "情况说明"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        ACCEPTED = "accepted", "已通过"
        RETURNED = "returned", "已退回"

    mark = models.ForeignKey(Mark, models.CASCADE, related_name="requests", verbose_name="完成情况")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    text = models.TextField("内容")
    attachment = models.FileField("证明材料", upload_to="mark_requests/%Y/%m/", blank=True)
    attachment_name = models.CharField("附件原名", max_length=255, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reason = models.TextField("退回理由", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="提交人")
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="审核人"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "单位申请"
        verbose_name_plural = "单位申请"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mark"],
                condition=Q(status="submitted"),
                name="markrequest_one_open_per_mark",
                violation_error_message="该项目已有待审核的申请，请等待市信用办审核。",
            )
        ]

    def __str__(self):
        return f"{self.mark.unit} · {self.mark.indicator.title}：{self.get_kind_display()}"

    @property
    def is_open(self):
        return self.status == self.Status.SUBMITTED
