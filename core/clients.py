"""Who the client is: one answer for the audit log, the login lockout (django-axes) and the API's throttles.

Without a proxy the client is REMOTE_ADDR. Behind the office's proxies (DJANGO_PROXY_COUNT of them, e.g. 1 for
nginx; DJANGO_BEHIND_PROXY alone means 1) each proxy appends the address it saw to X-Forwarded-For, so the
client is the entry that many places from the end; entries before it are whatever the client sent and can be
forged, so they are never read. deploy/nginx sets the header it appends (`$proxy_add_x_forwarded_for`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address


def client_ip(request):
    """The client's address as text, or None when what arrived is not an address."""
    if request is None:
        return None
    meta = request.META
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        # Fewer entries than proxies: the request did not come through all of them; its own address is the answer.
        if len(hops) >= proxies:
            return _valid(hops[-proxies])
    return _valid(meta.get("REMOTE_ADDR"))


def _valid(value):
    try:
        validate_ipv46_address(value or "")
    except ValidationError:
        return None
    return value


def axes_client_ip(request):
    """AXES_CLIENT_IP_CALLABLE: the same address for the lockout ("" when none, as django-axes expects)."""
    return client_ip(request) or ""
