"""Error pages Django would otherwise answer in English (the CSRF failure page)."""

from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a Chinese 403 that says what to do (go back, reload, send again)."""
    return render(request, "403_csrf.html", {"no_cookie": reason == REASON_NO_CSRF_COOKIE}, status=403)
