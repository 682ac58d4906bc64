"""Reward and penalty cases (奖惩案例) reported by units, their review, and the counts they make.

A case moves draft → submitted → accepted / returned → resubmitted → accepted; every move is
a `CaseTransition` made by a function in `cases/services.py`. The department table's 奖惩案例
cell is never typed in: it is the number of accepted cases of the unit in the year plus the
offline `CaseCountRecord`s (cases reported before the portal, by email or on paper).
"""

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils import timezone

from assessment.due import QUARTERS
from assessment.models import Indicator, Scheme, SchemeUnit, Unit, check_year_open
from core.text import contains_script

QUARTER_LABELS = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
# The quarters an offline record may cover, (first, last) and its wording: one quarter, or a span.
SPAN_LABELS = {(1, 2): "上半年", (3, 4): "下半年", (1, 3): "前三季度", (1, 4): "全年"}
QUARTER_NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四"}
# What the office picks from when it enters a record: each quarter, then the usual spans.
RECORD_SPANS = [(1, 1), (2, 2), (3, 3), (4, 4), (1, 2), (3, 4), (1, 3), (1, 4)]


def quarters_label(first, last):
    """The words for the quarters first..last: “二季度”, “前三季度”, “全年”, “二至三季度”."""
    if first == last:
        return QUARTER_LABELS[first]
    return SPAN_LABELS.get((first, last)) or f"{QUARTER_NUMERALS[first]}至{QUARTER_NUMERALS[last]}季度"


def quarter_of(day):
    """The quarter (1–4) a date falls in."""
    return (day.month - 1) // 3 + 1


class CaseKind(models.TextChoices):
    REWARD = "reward", "守信激励"
    PENALTY = "penalty", "失信惩戒"


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    RESUBMITTED = "resubmitted", "已重新报送"
    ACCEPTED = "accepted", "已采用"
    WITHDRAWN = "withdrawn", "已撤回"


# Waiting for the office's review (the review queue's default filter).
PENDING_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.RESUBMITTED)
# A unit may still change these; staff may change any case.
EDITABLE_STATUSES = (CaseStatus.DRAFT, CaseStatus.RETURNED, CaseStatus.WITHDRAWN)


class CaseChannel(models.TextChoices):
    PORTAL = "portal", "网上报送"
    EMAIL = "email", "电子邮件"
    PAPER = "paper", "纸质材料"


def check_year(year, unit, field):
    """The year must have a scheme, and a unit must take part in it (errors go to `field`)."""
    if not Scheme.objects.filter(year=year).exists():
        raise ValidationError({field: f"{year}年还没有考核方案，不能录入该年度的案例。"})
    if unit is not None and not SchemeUnit.objects.filter(scheme__year=year, unit=unit).exists():
        raise ValidationError({field: f"“{unit}”不在{year}年的考核范围内。"})


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
    status = models.CharField("状态", max_length=12, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    subject = models.CharField("奖惩对象", max_length=200, blank=True, help_text="受到激励或惩戒的个人或企业")
    measure = models.TextField("采取的措施", blank=True)
    # Empty only for cases recorded before the portal (the printed 2019 cases carry no date).
    event_date = models.DateField("发生日期", null=True, blank=True)
    channel = models.CharField("报送方式", max_length=10, choices=CaseChannel.choices, default=CaseChannel.PORTAL)
    for_bulletin = models.BooleanField("供通报选用", default=False, help_text="已采用的案例可供编入《工作信息》")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="填写人"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="报送人"
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    accepted_at = models.DateTimeField("采用时间", null=True, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    # One per filled-in form: a second POST of the same form is refused, not saved twice.
    form_token = models.UUIDField("表单标识", null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = "奖惩案例"
        verbose_name_plural = "奖惩案例"
        ordering = ["-year", "-quarter", "-pk"]
        # The case lists (cases.views) read newest submitted first, all, by status (the review queue), by unit
        # (a reporter's own) or by year: each is an index scan to its page, never a sort of every case.
        indexes = [
            models.Index(F("submitted_at").desc(), F("id").desc(), name="case_submitted_order"),
            models.Index("status", F("submitted_at").desc(), F("id").desc(), name="case_status_submitted"),
            models.Index("source_unit", F("submitted_at").desc(), F("id").desc(), name="case_unit_submitted"),
            models.Index("year", F("submitted_at").desc(), F("id").desc(), name="case_year_submitted"),
            # What every page's 奖惩案例 numbers count (cases.counts): a year's accepted cases by unit and
            # quarter, read from the index alone, not from every case's row.
            models.Index(fields=["year", "status", "source_unit", "quarter"], name="case_year_counts"),
            # The menu's 待审核 badge on every signed-in page counts the cases waiting for review: an index-only
            # count of the waiting cases alone (a year's too, for the overview), never a scan of every case.
            models.Index(
                fields=["year", "status"],
                condition=models.Q(status__in=PENDING_STATUSES),
                name="case_pending",
            ),
        ]
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

    @property
    def is_pending(self):
        return self.status in PENDING_STATUSES

    @property
    def is_editable_by_unit(self):
        return self.status in EDITABLE_STATUSES

    @property
    def unit_edit_refusal(self):
        """Why the unit may not change the case now (None while it may): the one rule for every path."""
        if self.status == CaseStatus.ACCEPTED:
            return "该案例已采用，不能再修改。"
        if self.status in PENDING_STATUSES:
            return "案例正在等待审核，请先撤回再修改。"
        return None

    @property
    def can_withdraw(self):
        return self.status in (*PENDING_STATUSES, CaseStatus.RETURNED)

    @property
    def can_submit(self):
        return self.status in EDITABLE_STATUSES

    def paragraphs(self):
        return [line for line in self.body.splitlines() if line.strip()]

    def clean(self):
        if not self.source_label and self.source_unit_id:
            self.source_label = self.source_unit.full_name or self.source_unit.name
        if not self.source_label:
            raise ValidationError({"source_label": "请填写来源单位。"})
        if not self.title.strip():
            raise ValidationError({"title": "标题不能为空。"})
        if not self.body.strip():
            raise ValidationError({"body": "正文不能为空。"})
        for name in ("title", "subtitle", "body", "subject", "measure", "source_label"):
            if contains_script(getattr(self, name)):
                raise ValidationError({name: "内容中含有脚本或网页代码，请删除后重新提交。"})
        if self.quarter not in QUARTERS:
            raise ValidationError({"quarter": "季度只能是1至4。"})
        if self.event_date is not None:
            if self.event_date > timezone.localdate():
                raise ValidationError({"event_date": "发生日期不能晚于今天。"})
            if self.year != self.event_date.year:
                raise ValidationError({"event_date": "发生日期须在案例所属年度内。"})
        if self.year:
            check_year(self.year, self.source_unit if self.source_unit_id else None, "event_date")


def attachment_path(instance, filename):
    # The stored name is random: the user's file name is kept in `name` and never reaches the disk.
    ext = os.path.splitext(filename)[1].lower()
    return f"cases/{instance.case.year}/{uuid.uuid4().hex}{ext}"


class CaseAttachment(models.Model):
    """A file attached to a case (PDF, picture, Office document): under MEDIA_ROOT, served by a view."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="attachments", verbose_name="案例")
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    kind_label = models.CharField("文件类型", max_length=50, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "案例附件"
        verbose_name_plural = "案例附件"
        ordering = ["case", "pk"]

    def __str__(self):
        return self.name


class CaseTransition(models.Model):
    """One step of a case's review: who moved it from which status to which, when, and why."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="transitions", verbose_name="案例")
    from_status = models.CharField("原状态", max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=CaseStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    reason = models.TextField("理由", blank=True)

    class Meta:
        verbose_name = "案例流转记录"
        verbose_name_plural = "案例流转记录"
        ordering = ["case", "at", "pk"]

    def __str__(self):
        return f"{self.case} {self.get_from_status_display() or '新建'} → {self.get_to_status_display()}"


class CaseCountRecord(models.Model):
    """Cases a unit reported outside the portal (before it, by email, on paper), counted with a source.

    A record says which quarters it covers, first..last: one quarter, or a span the office kept
    without a quarterly breakdown (e.g. “2019年前三季度报送 16 例” covers quarters one to three).
    Its cases fill only the quarters it covers (note 6, cases.duty.shortfalls).
    """

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="case_count_records", verbose_name="责任单位")
    year = models.PositiveSmallIntegerField("年度")
    first_quarter = models.PositiveSmallIntegerField(
        "起始季度", validators=[MinValueValidator(1), MaxValueValidator(4)], help_text="记录涵盖的第一个季度"
    )
    last_quarter = models.PositiveSmallIntegerField(
        "截止季度", validators=[MinValueValidator(1), MaxValueValidator(4)], help_text="记录涵盖的最后一个季度"
    )
    date = models.DateField("日期")
    count = models.PositiveIntegerField("案例数", validators=[MinValueValidator(1)])
    note = models.CharField("说明", max_length=200, help_text="数字的来源，如 2019年前三季度报送 16 例")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "线下报送记录"
        verbose_name_plural = "线下报送记录"
        ordering = ["-year", "unit__order", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    first_quarter__gte=1, first_quarter__lte=models.F("last_quarter"), last_quarter__lte=4
                ),
                name="casecountrecord_quarters_range",
                violation_error_message="所涵盖的季度只能是1至4季度，且起始季度不晚于截止季度。",
            ),
            models.CheckConstraint(
                condition=models.Q(count__gte=1),
                name="casecountrecord_count_positive",
                violation_error_message="案例数至少为1。",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}年{self.quarters_label}：{self.note}"

    @property
    def quarters(self):
        """(first, last): the quarters the record covers."""
        return (self.first_quarter, self.last_quarter)

    @property
    def quarters_label(self):
        """“前三季度”, “二季度”, “全年”: the quarters the record covers, in words."""
        if self.first_quarter not in QUARTERS or self.last_quarter not in QUARTERS:
            return ""
        return quarters_label(self.first_quarter, self.last_quarter)

    def clean(self):
        first, last = self.first_quarter, self.last_quarter
        if first is not None and last is not None and (first not in QUARTERS or last not in QUARTERS or first > last):
            # The two fields together (a missing one is refused by its field); a form shows it above its fields.
            raise ValidationError("所涵盖的季度只能是1至4季度，且起始季度不晚于截止季度。")
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "日期不能晚于今天。"})
        if self.note and contains_script(self.note):
            raise ValidationError({"note": "说明中含有脚本或网页代码，请删除后重新填写。"})
        if self.year and self.unit_id:
            check_year(self.year, self.unit, "year")
        if self.year:
            # The record counts in the year's 奖惩案例 cells: a closed (frozen) year takes no new count.
            check_year_open(self.year)


class CaseDuty(models.Model):
    """How many cases a unit must report each quarter for a 奖惩案例 column (note 6: “每个季度…报…案例”)."""

    indicator = models.OneToOneField(
        Indicator,
        models.CASCADE,
        related_name="case_duty",
        limit_choices_to={"accepts_count": True},
        verbose_name="考核指标",
    )
    per_quarter = models.PositiveSmallIntegerField("每季度应报案例数", default=1, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = "案例报送要求"
        verbose_name_plural = "案例报送要求"
        ordering = ["indicator"]

    def __str__(self):
        return f"{self.indicator}：每季度 {self.per_quarter} 条"


class CaseCount(models.Model):
    """How many accepted cases a unit has in one quarter of a year, stored (cases.stored_counts keeps it true).

    Every page with a 奖惩案例 number reads these instead of counting a country's cases: a row per unit and
    quarter that has had an accepted case. Written only by cases.stored_counts, in the transaction of the
    change (a case accepted, moved, deleted), or rebuilt from the cases when its year is stale
    (CaseCountYear).
    """

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+", verbose_name="责任单位")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    count = models.PositiveIntegerField("已采用案例数", default=0)

    class Meta:
        verbose_name = "已采用案例数"
        verbose_name_plural = "已采用案例数"
        ordering = ["year", "unit", "quarter"]
        constraints = [
            # A year's rows are read together (cases.counts): the unique index leads with the year.
            models.UniqueConstraint(fields=["year", "unit", "quarter"], name="casecount_unique_quarter"),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="casecount_quarter_range",
                violation_error_message="季度只能是1至4。",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}年{QUARTER_LABELS.get(self.quarter, '')}：{self.count}"


class CaseCountYear(models.Model):
    """Whether a year's CaseCounts are complete (`fresh`), and a `generation` every change of them moves.

    A bulk writer (the benchmark's data, a restore) clears `fresh`; the next read rebuilds the year and
    stores the result only if the generation it read first is still the row's, so a change committed
    meanwhile is never overwritten (cases.stored_counts). No row: the year was never built.
    """

    year = models.PositiveSmallIntegerField("年度")
    fresh = models.BooleanField("已是最新", default=False)
    generation = models.PositiveBigIntegerField("版本", default=0)
    built_at = models.DateTimeField("重建时间", null=True, blank=True)

    class Meta:
        verbose_name = "已采用案例数状态"
        verbose_name_plural = "已采用案例数状态"
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["year"], name="casecountyear_unique_year")]

    def __str__(self):
        return f"{self.year}年：{'已是最新' if self.fresh else '待重建'}"
