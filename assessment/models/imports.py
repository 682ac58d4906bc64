"""An uploaded workbook between its preview and its confirmation."""

from django.conf import settings
from django.db import models

from .marks import ChangeBatch

# --- imports and unit requests (assessment.imports, assessment.mark_requests.services)


class ImportKind(models.TextChoices):
    MARKS = "marks", "完成情况"
    SCHEMES = "schemes", "考核方案"
    UNITS = "units", "责任单位"


class ImportSession(models.Model):
    """An uploaded workbook between preview and confirm: the parsed changes, never the file itself.

    Owned by the user who uploaded it and confirmed at most once; marks carry the version seen
    at preview, so a cell changed in between refuses the whole import.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", "待确认"
        DONE = "done", "已导入"
        REFUSED = "refused", "未导入"

    token = models.UUIDField("编号", unique=True, editable=False)
    kind = models.CharField("内容", max_length=10, choices=ImportKind.choices)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    file_name = models.CharField("文件名", max_length=255)
    payload = models.JSONField("解析结果", default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PREVIEW)
    message = models.CharField("结果", max_length=500, blank=True)
    batch = models.ForeignKey(
        ChangeBatch, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="批次"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="上传人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "Excel导入"
        verbose_name_plural = "Excel导入"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def errors(self):
        return self.payload.get("errors", [])

    @property
    def changes(self):
        return self.payload.get("changes", [])
