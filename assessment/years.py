"""The current year: the one every "latest year" page opens at unless a year is chosen; and whether a year is open.

It is the latest year with a published issue (so starting 2020 does not send everyone to an empty 2020);
the bulletins app knows what is published and registers that rule from BulletinsConfig.ready — this lower
layer never imports it. Without the rule, or before anything is published, the latest year with a scheme.
"""

from django.core.exceptions import ValidationError
from django.db.models import Max

from core.errors import DomainError, validation_text

from .models import Scheme, check_year_open

_published_year = None


def register_published_year(rule):
    """`rule()` → the latest year with a published issue and a scheme, or None (set by the bulletins app)."""
    global _published_year
    _published_year = rule


def latest_scheme_year():
    return Scheme.objects.aggregate(year=Max("year"))["year"]


def current_year():
    """The year pages open at: the latest published one that has schemes, else the latest with a scheme
    (one query once anything is published)."""
    published = _published_year() if _published_year else None
    return published if published is not None else latest_scheme_year()


def scheme_years():
    """Every year with a scheme, newest first (the year pickers)."""
    return list(Scheme.objects.order_by("-year").values_list("year", flat=True).distinct())


def require_open(year):
    """DomainError (the model's words) if `year` is closed: its year-end assessment froze it (`check_year_open`)."""
    try:
        check_year_open(year)
    except ValidationError as exc:
        raise DomainError(validation_text(exc)) from exc
