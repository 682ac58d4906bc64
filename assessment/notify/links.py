"""Absolute links for messages that leave the portal (e-mails, robots): from DJANGO_SITE_URL."""

from django.conf import settings
from django.urls import reverse


def absolute_url(path):
    """`path` (a URL path such as /cases/case/4/) on the portal's public address."""
    return f"{settings.SITE_URL}{path}"


def absolute_reverse(name, *args):
    return absolute_url(reverse(name, args=args))
