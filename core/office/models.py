"""The office that runs this portal (its names, the bulletin's series title, the footer defaults) as data.

Nothing city-specific lives in code: another city's office runs its own copy by editing this one row
(市信用办 staff do it in the browser, /office/). The demo loads Kunshan's values.
"""

import hashlib
import time

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

# Each server process keeps the row for this long: a change made through another process (another
# gunicorn worker or machine) shows everywhere within it, and the row costs one query a minute.
OFFICE_SECONDS = 60
_cached = None  # (office, loaded at, stamp)

# An issue's masthead and footer, in print order: the one list. The office row keeps each one's default
# (the issuer is the office's full name, `Office.issuer`); every issue keeps its own copy
# (bulletins.models.Issue), which its snapshot, form, API, demo, PDF and Word read by these names.
MASTHEAD_HEAD = ("series_title", "subtitle", "issuer")
MASTHEAD_FOOT = ("report_to", "send_to", "editor", "email", "reviewers", "phone")
MASTHEAD_FIELDS = MASTHEAD_HEAD + MASTHEAD_FOOT


class Office(models.Model):
    """The one office (a singleton row, pk 1): masthead, site title, footer defaults."""

    name = models.CharField("全称", max_length=200, default="社会信用体系建设领导小组办公室")
    short_name = models.CharField("简称", max_length=50, default="信用办")
    city = models.CharField("城市", max_length=50, blank=True)
    series_title = models.CharField("刊名", max_length=100, default="信用体系建设")
    subtitle = models.CharField("刊头字样", max_length=50, default="工作信息")
    site_title = models.CharField("网站名称", max_length=100, default="信用体系建设")
    mail_tag = models.CharField("邮件标题前缀", max_length=20, default="信用", help_text="邮件标题写作【…】")
    report_to = models.TextField("报（默认）", blank=True)
    send_to = models.TextField("送（默认）", blank=True)
    editor = models.CharField("编辑（默认）", max_length=100, blank=True)
    email = models.CharField("电子邮件（默认）", max_length=100, blank=True)
    reviewers = models.CharField("审核（默认）", max_length=200, blank=True)
    phone = models.CharField("电话（传真）（默认）", max_length=100, blank=True)
    # When the office last changed a new issue's masthead or footer (its names, the series title, a default):
    # a new issue takes the office's values then, not the previous issue's (bulletins.services.create_issue).
    masthead_changed_at = models.DateTimeField("刊头或默认页脚修改时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "本办信息"
        verbose_name_plural = "本办信息"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1), name="office_singleton", violation_error_message="只能有一条本办信息。"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @property
    def signature(self):
        """How e-mails and robot messages are signed: 全称（简称）."""
        return f"{self.name}（{self.short_name}）" if self.short_name else self.name

    @property
    def message_label(self):
        """How the office's own words in a reminder or 催办 are headed: 市信用办留言 (its short name)."""
        return f"{self.short_name or self.name}留言"

    def mail_subject(self, text):
        """Every e-mail's and robot message's title: the office's one tag, 【昆山信用】…"""
        return f"【{self.mail_tag}】{text}"

    @property
    def admin_header(self):
        return f"{self.site_title}管理"

    @property
    def issuer(self):
        """编印单位 of a new issue: the office's full name."""
        return self.name

    def note_changes(self, changed_fields):
        """Stamp masthead_changed_at when `changed_fields` (the names of the fields just edited) hold the
        office's name or a masthead default; the caller saves."""
        if set(changed_fields) & {"name", *MASTHEAD_FIELDS}:
            self.masthead_changed_at = timezone.now()

    def masthead_since(self, moment):
        """Whether the office changed a new issue's masthead or footer after `moment` (None: not known)."""
        return None not in (self.masthead_changed_at, moment) and self.masthead_changed_at > moment

    def footer_defaults(self):
        """A new issue's masthead and footer, as the office last set them."""
        return {f: getattr(self, f) for f in MASTHEAD_FIELDS}


def _load():
    global _cached
    if _cached is None or time.monotonic() - _cached[1] > OFFICE_SECONDS:
        office = Office.objects.filter(pk=1).first() or Office.objects.create(pk=1)
        values = "|".join(str(f.value_from_object(office)) for f in Office._meta.concrete_fields)
        _cached = (office, time.monotonic(), hashlib.blake2b(values.encode(), digest_size=8).hexdigest())
    return _cached


def get_office():
    """The office row (created with neutral defaults when missing), read again after a save or a minute.

    Shared by every page of the process: to change it, edit a fresh copy (`Office.objects.get(pk=1)`).
    """
    return _load()[0]


def office_stamp():
    """Changes whenever any of the office's values does: pages kept with its names carry it in their key."""
    return _load()[2]


def clear_cache(**kwargs):
    global _cached
    _cached = None


post_save.connect(clear_cache, sender=Office, weak=False)
post_delete.connect(clear_cache, sender=Office, weak=False)


def default_series_title():
    """A new issue's series title (a model field default: the office's, as it is now)."""
    return get_office().series_title


def default_issuer():
    return get_office().name
