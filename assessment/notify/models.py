"""What reminders and digests need to remember: robots, every sending, what was reminded, who follows what."""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from assessment.models import Indicator, Unit

from . import robot_urls


class Channel(models.TextChoices):
    EMAIL = "email", "邮件"
    WECOM = "wecom", "政务微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


ROBOT_KINDS = (Channel.WECOM, Channel.DINGTALK)


class Stage(models.TextChoices):
    """Why a cell is reminded. Each (cell, stage) is reminded once; the overdue stage repeats."""

    PENDING = "pending", "未完成"
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"
    YEAR_END = "year_end", "年终情况说明"


class GroupRobot(models.Model):
    """A group robot's settings (政务微信 or 钉钉): the one field list of a unit's robot and of the office's."""

    kind = models.CharField(
        "类型", max_length=10, choices=[(c.value, c.label) for c in ROBOT_KINDS], default=Channel.WECOM
    )
    url = models.URLField("机器人地址（Webhook）", max_length=500)
    secret = models.CharField("加签密钥", max_length=200, blank=True, help_text="钉钉机器人启用“加签”时填写")
    is_active = models.BooleanField("启用", default=True)

    FIELDS = ("kind", "url", "secret", "is_active")

    class Meta:
        abstract = True


class UnitRobot(GroupRobot):
    """A unit's own group robot (政务微信 or 钉钉); units without one use DJANGO_WEBHOOK_URL, if set."""

    unit = models.OneToOneField(Unit, models.CASCADE, related_name="robot", verbose_name="责任单位")

    class Meta:
        verbose_name = "单位群机器人"
        verbose_name_plural = "单位群机器人"
        ordering = ["unit__category__order", "unit__order", "pk"]

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()}"


class OfficeRobot(GroupRobot):
    """The office's own working group's robot (a singleton row, pk 1): notices of arriving cases and requests
    reach the group there as well as each member's e-mail."""

    class Meta:
        verbose_name = "本办群机器人"
        verbose_name_plural = "本办群机器人"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1),
                name="office_robot_singleton",
                violation_error_message="只能有一个本办群机器人。",
            )
        ]

    def __str__(self):
        return f"本办 · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)


def log_rank():
    """The delivery log's first ordering: failures first, they need someone to act (then unreachable, sending,
    queued, delivered). One expression for the log's ORDER BY and its index, so the two stay the same."""
    ranked = ["failed", "unreachable", "sending", "queued"]
    return Case(
        *[When(status=status, then=Value(n)) for n, status in enumerate(ranked)],
        default=Value(len(ranked)),
        output_field=IntegerField(),
    )


class Delivery(models.Model):
    """One message to one recipient through one channel: written first, then delivered, retried until it goes."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "考核事项提醒"
        DIGEST = "digest", "关注动态摘要"
        NOTICE = "notice", "办理通知"

    class Status(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        OK = "ok", "已送达"
        FAILED = "failed", "发送失败"
        UNREACHABLE = "unreachable", "无法送达"
        HELD = "held", "待汇总"  # a notice for someone who reads them once a day (NoticePreference)
        SUMMARISED = "summarised", "已并入每日汇总"

    kind = models.CharField("内容", max_length=10, choices=Kind.choices)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    unit = models.ForeignKey(
        Unit, models.SET_NULL, null=True, blank=True, related_name="deliveries", verbose_name="责任单位"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="收件人账号"
    )
    recipient = models.CharField("收件人", max_length=1000, blank=True, help_text="邮箱地址，或机器人地址")
    title = models.CharField("标题", max_length=200)
    text = models.TextField("正文")
    markdown = models.TextField("正文（群机器人）", blank=True)
    # [{"cell": "mark:12", "stage": "overdue", "title": "…", "due": "2019-12-31"}, …]
    items = models.JSONField("涉及事项", default=list, blank=True)
    status = models.CharField("结果", max_length=12, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField("失败原因", blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    run_date = models.DateField("提醒日期")
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="发起人"
    )
    last_attempt_at = models.DateTimeField("最近尝试", null=True, blank=True)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)
    receipt = models.ForeignKey(
        "Receipt", models.SET_NULL, null=True, blank=True, related_name="deliveries", verbose_name="签收记录"
    )

    class Meta:
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="delivery_status_idx"),
            # The log's order (notify.views.delivery_log): an index scan to its page, never a sort of every sending.
            models.Index(log_rank(), F("created_at").desc(), F("id").desc(), name="delivery_log_order"),
            models.Index("unit", log_rank(), F("created_at").desc(), F("id").desc(), name="delivery_unit_created"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.unit or self.user} · {self.get_channel_display()}"

    @property
    def shown_recipient(self):
        """Robot addresses carry their access token: only the host and the token's last characters are shown."""
        return self.recipient if self.channel == Channel.EMAIL else robot_urls.shown(self.recipient)


class CellReminder(models.Model):
    """A cell was reminded at a stage: never again at that stage, except overdue at the repeat interval."""

    cell = models.CharField("事项", max_length=100, help_text="如 mark:12")
    stage = models.CharField("阶段", max_length=10, choices=Stage.choices)
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+", verbose_name="责任单位")
    first_sent_on = models.DateField("首次提醒")
    last_sent_on = models.DateField("最近提醒")
    times = models.PositiveSmallIntegerField("提醒次数", default=1)

    class Meta:
        verbose_name = "事项提醒"
        verbose_name_plural = "事项提醒"
        ordering = ["-last_sent_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "stage"],
                name="cellreminder_unique_stage",
                violation_error_message="该事项在这一阶段已有提醒记录。",
            )
        ]

    def __str__(self):
        return f"{self.cell} · {self.get_stage_display()}"


class Follow(models.Model):
    """Staff or a leader follows a unit or an indicator: a daily digest of what changed there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="follows", verbose_name="账号")
    unit = models.ForeignKey(
        Unit, models.CASCADE, null=True, blank=True, related_name="followers", verbose_name="责任单位"
    )
    indicator = models.ForeignKey(
        Indicator, models.CASCADE, null=True, blank=True, related_name="followers", verbose_name="考核指标"
    )
    created_at = models.DateTimeField("关注时间", default=timezone.now)
    # The end of the period the last digest covered: the next digest starts here.
    digested_until = models.DateTimeField("已摘要至", default=timezone.now)
    # What the follower has read in the 待办 list (assessment.notify.todo): changes after it are waiting.
    seen_until = models.DateTimeField("待办已阅至", default=timezone.now)

    class Meta:
        verbose_name = "关注"
        verbose_name_plural = "关注"
        ordering = ["user", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, indicator__isnull=True) | Q(unit__isnull=True, indicator__isnull=False),
                name="follow_unit_xor_indicator",
                violation_error_message="关注的对象只能是一个单位或一项指标。",
            ),
            models.UniqueConstraint(
                fields=["user", "unit"],
                condition=Q(unit__isnull=False),
                name="follow_unique_unit",
                violation_error_message="已关注该单位。",
            ),
            models.UniqueConstraint(
                fields=["user", "indicator"],
                condition=Q(indicator__isnull=False),
                name="follow_unique_indicator",
                violation_error_message="已关注该指标。",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.target_label}"

    @property
    def target_label(self):
        if self.unit_id:
            return str(self.unit)
        return f"{self.indicator.scheme.year}年 {self.indicator.title}"


class NoticePreference(models.Model):
    """How an office member is told that a case or a unit's request has arrived: at once, in one summary a
    day, or not at all. Without a row: at once."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", "即时通知"
        DAILY = "daily", "每日汇总一次"
        OFF = "off", "不通知"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notice_preference", verbose_name="账号"
    )
    mode = models.CharField("收到报送时", max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)

    class Meta:
        verbose_name = "通知方式"
        verbose_name_plural = "通知方式"
        ordering = ["user__username"]

    def __str__(self):
        return f"{self.user} · {self.get_mode_display()}"


class Reminder(models.Model):
    """One reminder as the office sent it: a batch to every unit with open items, the daily run, or a 催办 of
    one unit (`single`), with the office's optional message. Each unit it reached has a Receipt."""

    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    single = models.BooleanField("单独催办", default=False)
    message = models.TextField("留言", blank=True)
    created_at = models.DateTimeField("发送时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="发起人"
    )

    class Meta:
        verbose_name = "提醒与催办"
        verbose_name_plural = "提醒与催办"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{'催办' if self.single else '提醒'} {self.created_at:%Y-%m-%d %H:%M}"


class Receipt(models.Model):
    """签收: a unit's copy of a reminder, with its personal link (`token`); opened by the unit's account, it
    records who received it and when (once). `pressed` counts the times it was sent again."""

    reminder = models.ForeignKey(Reminder, models.CASCADE, related_name="receipts", verbose_name="提醒")
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="receipts", verbose_name="责任单位")
    token = models.CharField("签收链接标识", max_length=64, unique=True)
    items = models.JSONField("涉及事项", default=list, blank=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="签收人"
    )
    pressed = models.PositiveSmallIntegerField("再次催办次数", default=0)

    class Meta:
        verbose_name = "签收记录"
        verbose_name_plural = "签收记录"
        ordering = ["reminder", "unit__category__order", "unit__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "unit"],
                name="receipt_unique_unit",
                violation_error_message="该提醒已有本单位的签收记录。",
            )
        ]

    def __str__(self):
        return f"{self.reminder} · {self.unit}"
