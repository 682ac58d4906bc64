"""The current year: the one every "latest year" page opens at unless a year is chosen; and whether a year is open.

It is the latest year with a published issue (so starting 2020 does not send everyone to an empty 2020);
the bulletins app knows what is published and registers that rule from BulletinsConfig.ready — this lower
layer never imports it. Without the rule, or before anything is published, the latest year with a scheme.
Every page and every role asks `current_year` (the grid, the scores, the overview, the cases, a unit's page,
what a reporter may ask about, the daily reminders); none decides it by itself.

`year_state(year)` says whether a year is closed by its year-end assessment, reopened for a correction, or
still in progress, with who did it and when: the banner of the grid, the year page, the scores and a unit's
page, and what they offer (a closed year's cells do not open; bulk set, import, undo and requests are not
offered), all read it.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import DomainError, validation_text
from core.people import display_name
from core.prepared import Prepared
from core.text import labelled_sentence

from .models import Scheme, YearEndAssessment, check_year_open

_published_year = None


def register_published_year(rule):
    """`rule()` → the latest year with a published issue and a scheme, or None (set by the bulletins app)."""
    global _published_year
    _published_year = rule


# Asked on most pages (current_year, year_state): compiled once (core.prepared).
_LATEST_SCHEME_YEAR = Prepared(lambda: Scheme.objects.order_by("-year").values_list("year")[:1])
_LATEST_VERSION = Prepared(
    lambda year: YearEndAssessment.objects.filter(year=year).order_by("-version").values_list("pk")[:1]
)


def latest_scheme_year():
    return _LATEST_SCHEME_YEAR.value()


def current_year():
    """The year pages open at: the latest published one that has schemes, else the latest with a scheme
    (one query once anything is published)."""
    published = _published_year() if _published_year else None
    return published if published is not None else latest_scheme_year()


_SCHEME_YEARS = Prepared(lambda: Scheme.objects.order_by("-year").values_list("year").distinct())


def scheme_years():
    """Every year with a scheme, newest first (the year pickers; a query compiled once: core.prepared)."""
    return [year for (year,) in _SCHEME_YEARS.rows()]


def require_open(year):
    """DomainError (the model's words) if `year` is closed: its year-end assessment froze it (`check_year_open`)."""
    try:
        check_year_open(year)
    except ValidationError as exc:
        raise DomainError(validation_text(exc)) from exc


@dataclass(frozen=True)
class YearState:
    """Where a year stands: `assessment` is its latest year-end version (None: never closed)."""

    year: int
    assessment: YearEndAssessment | None = None

    @property
    def closed(self):
        """Locked by its latest year-end version: nothing of the year may change."""
        return self.assessment is not None and self.assessment.locks_year

    @property
    def reopened(self):
        """Closed once, then reopened for a correction and not closed again yet."""
        return self.assessment is not None and not self.assessment.locks_year

    @property
    def is_open(self):
        return not self.closed

    @property
    def banner(self):
        """The sentence every page of the year shows ("" while the year was never closed)."""
        a = self.assessment
        if a is None:
            return ""
        if self.closed:
            when, who = timezone.localtime(a.closed_at), display_name(a.closed_by)
            return (
                f"{self.year}年度已于{when:%Y-%m-%d %H:%M}由{who}完成年终考核（第{a.version}版），"
                f"考核数据已锁定，完成情况和扣分记录不能修改。{a.remark}"
            )
        when = timezone.localtime(a.reopened_at)
        return (
            f"{self.year}年度第{a.version}版年终考核已于{when:%Y-%m-%d %H:%M}由{display_name(a.reopened_by)}重新开放，"
            f"正在更正：完成情况和扣分记录可以修改，再次年终考核后生成第{a.version + 1}版。"
            f"{labelled_sentence('原因', a.reopen_reason)}"
        )


def year_state(year):
    """The YearState of `year`: one query while it was never closed, a second for its latest version once it was."""
    if _LATEST_VERSION.value(year) is None:
        return YearState(year)
    latest = (
        YearEndAssessment.objects.filter(year=year)
        .select_related("closed_by", "reopened_by")
        .defer("results")
        .order_by("-version")
        .first()
    )
    return YearState(year, latest)
