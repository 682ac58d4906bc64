"""Keep the idle timeout of a session without writing the session on every request.

Django's SESSION_SAVE_EVERY_REQUEST writes the session row (3 queries) on every page. A session
only needs its expiry pushed forward now and then: this middleware marks it modified at most once
every SESSION_REFRESH_SECONDS, so an idle session still ends SESSION_COOKIE_AGE after the last
refresh (at most that many seconds early), and every other request leaves it alone.
"""

import time

from django.conf import settings

REFRESHED = "_refreshed_at"


class SessionRefreshMiddleware:
    """Refresh the session's expiry at most once every SESSION_REFRESH_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        # A session that is written anyway (a login, a message) records the refresh for free.
        if session.modified or now - session.get(REFRESHED, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[REFRESHED] = now
        return response


def stamp_login(sender, request, user, **kwargs):
    """At login the session is written anyway: start its refresh clock there."""
    session = getattr(request, "session", None)
    if session is not None:
        session[REFRESHED] = int(time.time())
