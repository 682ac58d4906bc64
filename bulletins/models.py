"""An issue (期) of the office's bulletin (《…工作信息》) and its ordered sections."""

import re

from django.conf import settings
from django.db import models
from django.urls import reverse

from assessment.models import Scheme
from core.office.models import default_issuer, default_series_title
from core.text import plain_line, plain_paragraphs

# A numbered heading of an article: 一、 二、 … 十、
HEADING = re.compile(r"^[一二三四五六七八九十]+、")


class Issue(models.Model):
    """One monthly issue: masthead, footer, and the sections in the order they are printed."""

    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("期号")
    date = models.DateField("日期")
    series_title = models.CharField("刊名", max_length=100, default=default_series_title)
    subtitle = models.CharField("刊头字样", max_length=50, default="工作信息")
    issuer = models.CharField("编印单位", max_length=200, default=default_issuer)
    report_to = models.TextField("报", blank=True)
    send_to = models.TextField("送", blank=True)
    editor = models.CharField("编辑", max_length=100, blank=True)
    email = models.CharField("电子邮件", max_length=100, blank=True)
    reviewers = models.CharField("审核", max_length=200, blank=True)
    phone = models.CharField("电话（传真）", max_length=100, blank=True)
    is_published = models.BooleanField("已发布", default=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    schemes = models.ManyToManyField(
        Scheme, through="IssueTable", related_name="issues", blank=True, verbose_name="工作进展通报"
    )
    # The version readers see; set only by bulletins.services.publish_issue.
    current_version = models.OneToOneField(
        "IssueVersion", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="当前版本"
    )

    class Meta:
        verbose_name = "期刊"
        verbose_name_plural = "期刊"
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"],
                name="issue_unique_number",
                violation_error_message="这一年度已有相同期号的期刊。",
            )
        ]

    def __str__(self):
        return f"{self.year}年第{self.number}期"

    def get_absolute_url(self):
        return reverse("bulletins:issue", args=[self.year, self.number])

    @property
    def year_label(self):
        return f"〔{self.year}〕"

    @property
    def label(self):
        return f"{self.year}年第{self.number}期"


class Article(models.Model):
    """A 【工作推进】 article. Body: one paragraph per line; 一、二、… lines are headings."""

    issue = models.ForeignKey(Issue, models.CASCADE, related_name="articles", verbose_name="期刊")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")

    class Meta:
        verbose_name = "工作推进"
        verbose_name_plural = "工作推进"
        ordering = ["issue", "order", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Whoever writes an article (composer, admin, shell), it is stored as plain text.
        self.title, self.body = plain_line(self.title), plain_paragraphs(self.body)
        super().save(*args, **kwargs)

    def blocks(self):
        """(is_heading, text) per non-empty line of the body."""
        return [(bool(HEADING.match(line)), line) for line in self.body.splitlines() if line.strip()]


class IssueCase(models.Model):
    """A 奖惩案例 printed in an issue, in order."""

    issue = models.ForeignKey(Issue, models.CASCADE, related_name="issue_cases", verbose_name="期刊")
    case = models.ForeignKey("cases.Case", models.PROTECT, related_name="issue_cases", verbose_name="案例")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "奖惩案例"
        verbose_name_plural = "奖惩案例"
        ordering = ["issue", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "case"],
                name="issuecase_unique_case",
                violation_error_message="该案例已在这一期中。",
            )
        ]

    def __str__(self):
        return f"{self.issue} · {self.case}"


class NewsItem(models.Model):
    """A 【工作简讯】 item: the text as printed (most start with the date) and an optional source."""

    issue = models.ForeignKey(Issue, models.CASCADE, related_name="news_items", verbose_name="期刊")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    date = models.DateField("日期", null=True, blank=True)
    text = models.TextField("内容")
    source = models.CharField("来源", max_length=100, blank=True)

    class Meta:
        verbose_name = "工作简讯"
        verbose_name_plural = "工作简讯"
        ordering = ["issue", "order", "pk"]

    def __str__(self):
        return self.text[:40]

    def save(self, *args, **kwargs):
        self.text, self.source = plain_line(self.text), plain_line(self.source)
        super().save(*args, **kwargs)


class IssueTable(models.Model):
    """A progress table (one scheme) shown under 【工作进展通报】, in order."""

    issue = models.ForeignKey(Issue, models.CASCADE, related_name="issue_tables", verbose_name="期刊")
    scheme = models.ForeignKey(Scheme, models.PROTECT, related_name="issue_tables", verbose_name="考核方案")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "工作进展通报"
        verbose_name_plural = "工作进展通报"
        ordering = ["issue", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "scheme"],
                name="issuetable_unique_scheme",
                violation_error_message="该表已在这一期中。",
            )
        ]

    def __str__(self):
        return f"{self.issue} · {self.scheme}"


class IssueVersion(models.Model):
    """A published state of an issue, frozen: its text and its tables as they were when published.

    Version 1 is the publication; each correction adds the next version with its reason.
    The page, the Excel, PDF and Word downloads of a published issue all come from `snapshot`
    (see bulletins.snapshot), so later changes of marks, notes or units never alter it.
    """

    issue = models.ForeignKey(Issue, models.PROTECT, related_name="versions", verbose_name="期刊")
    number = models.PositiveSmallIntegerField("版本")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="发布人"
    )
    reason = models.TextField("更正原因", blank=True)
    snapshot = models.JSONField("发布内容")
    changes = models.JSONField("与上期相比的变化", default=dict, blank=True)
    # Plain text of titles, articles, cases and news for the archive search (both databases).
    search_text = models.TextField("检索文本", blank=True)
    summary = models.CharField("摘要", max_length=500, blank=True)
    # Counted from `snapshot` when published (bulletins.figures), so the overview never parses a snapshot:
    # {scheme id: {done, explained, pending}} of each table, and {scheme id: [unit ids of its rows]}.
    figures = models.JSONField("各表完成情况", default=dict, blank=True)
    table_units = models.JSONField("各表单位", default=dict, blank=True)

    class Meta:
        verbose_name = "发布版本"
        verbose_name_plural = "发布版本"
        ordering = ["issue", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "number"],
                name="issueversion_unique_number",
                violation_error_message="这一期已有相同编号的版本。",
            )
        ]

    def __str__(self):
        return f"{self.issue} 第{self.number}版"

    def get_absolute_url(self):
        return reverse("bulletins:issue_version", args=[self.issue.year, self.issue.number, self.number])

    @property
    def is_correction(self):
        return self.number > 1
