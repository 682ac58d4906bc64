"""Following a unit or an indicator, and the signed link that stops it without signing in."""

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessment import access
from core.errors import DomainError

from .links import absolute_reverse
from .models import Follow

SALT = "notify.unfollow"


def can_follow(user):
    return access.can_read_all(user)


def follow(user, *, unit=None, indicator=None):
    """Start following; following twice is one follow. Only staff and leaders follow."""
    if not can_follow(user):
        raise DomainError("只有市信用办和领导可以关注单位或指标。")
    lookup = {"unit": unit} if unit is not None else {"indicator": indicator}
    try:
        with transaction.atomic():
            return Follow.objects.get_or_create(user=user, **lookup, defaults={"digested_until": timezone.now()})[0]
    except IntegrityError:  # a concurrent follow of the same thing
        return Follow.objects.get(user=user, **lookup)


def unfollow(user, *, unit=None, indicator=None):
    lookup = {"unit": unit} if unit is not None else {"indicator": indicator}
    Follow.objects.filter(user=user, **lookup).delete()


def followed_ids(user):
    """({unit ids}, {indicator ids}) the user follows (one query)."""
    units, indicators = set(), set()
    for unit_id, indicator_id in Follow.objects.filter(user=user).values_list("unit_id", "indicator_id"):
        (units.add(unit_id) if unit_id else indicators.add(indicator_id))
    return units, indicators


def unfollow_token(follow_row):
    return signing.dumps({"f": follow_row.pk, "u": follow_row.user_id}, salt=SALT, compress=True)


def unfollow_url(follow_row):
    return absolute_reverse("units:unfollow", unfollow_token(follow_row))


def follow_from_token(token):
    """The follow a link stands for, or None if the link is forged or the follow is gone."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return (
        Follow.objects.select_related("unit", "indicator__scheme", "user")
        .filter(pk=data.get("f"), user_id=data.get("u"))
        .first()
    )
