"""The year-end assessment: the frozen result of closing a year, and the lock it puts on the year."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from core.text import labelled_sentence


class YearEndAssessment(models.Model):
    """The frozen result of closing a year: every unit's score and lines, as one numbered version.

    A re-close after a correction makes the next version with a reason; earlier versions stay.
    """

    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本")
    closed_at = models.DateTimeField("考核时间", auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作人")
    reason = models.TextField("说明", blank=True, help_text="年终考核的说明；再次考核时写明更正了什么")
    results = models.JSONField("考核结果", help_text="各类别、各单位的得分及每一条计分")
    # A closed year is locked until staff reopen it with a reason; closing again makes the next version.
    reopened_at = models.DateTimeField("重新开放时间", null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="重新开放人"
    )
    reopen_reason = models.TextField("重新开放原因", blank=True)

    class Meta:
        verbose_name = "年终考核结果"
        verbose_name_plural = "年终考核结果"
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "version"],
                name="yearend_unique_version",
                violation_error_message="这一年度已有该版本的年终考核结果。",
            )
        ]

    def __str__(self):
        return f"{self.year}年年终考核（第{self.version}版）"

    @property
    def remark(self):
        """“说明：…。” as every page prints it, one full stop ("" without a remark)."""
        return labelled_sentence("说明", self.reason)

    @property
    def locks_year(self):
        return self.reopened_at is None


def year_lock(year):
    """The year-end assessment that locks `year` (its latest version, not reopened), or None."""
    latest = YearEndAssessment.objects.filter(year=year).order_by("-version").only("version", "reopened_at").first()
    return latest if latest is not None and latest.locks_year else None


def check_year_open(year):
    """Raise ValidationError if `year` is closed: its marks and deduction records refuse every change."""
    lock = year_lock(year)
    if lock is not None:
        raise ValidationError(
            f"{year}年度已完成年终考核（第{lock.version}版），考核数据已锁定；"
            "如需更正，请市信用办先在年终考核页面填写原因重新开放该年度。"
        )
