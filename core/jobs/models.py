"""One row per run of a scheduled job (`core.jobs.runs.run_job`)."""

from django.db import models


class JobRun(models.Model):
    """A run of a scheduled job: when it started, how long it took, its result and the end of its output."""

    class Result(models.TextChoices):
        RUNNING = "running", "运行中"
        OK = "ok", "成功"
        FAILED = "failed", "失败"

    job = models.CharField("任务", max_length=64)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    result = models.CharField("结果", max_length=16, choices=Result.choices, default=Result.RUNNING)
    output = models.TextField("输出（末尾）", blank=True)

    class Meta:
        verbose_name = "定时任务运行记录"
        verbose_name_plural = "定时任务运行记录"
        ordering = ["-started_at", "-id"]
        # A job's last run (its state) is the first of this order; the first run ever, of started_at's.
        indexes = [
            models.Index(fields=["job", "-started_at", "-id"], name="jobrun_job_last"),
            models.Index(fields=["started_at"], name="jobrun_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finished_at__isnull=True) | models.Q(finished_at__gte=models.F("started_at")),
                name="jobrun_finished_after_start",
            )
        ]

    def __str__(self):
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.get_result_display()}"

    @property
    def seconds(self):
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
