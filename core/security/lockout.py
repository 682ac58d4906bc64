"""Login lockout per account and per address: guessing many names from one address is blocked too.

django-axes counts failures per account (AXES_LOCKOUT_PARAMETERS = username): an office behind one NAT address
is not locked out by one colleague's typos. Spraying — a few passwords tried over many names from one address —
never reaches an account's limit, so the handler also refuses an address with ADDRESS_FAILURE_LIMIT failures over
any names within the cool-off (DJANGO_AXES_ADDRESS_FAILURE_LIMIT). The address is `core.clients.client_ip`, the
same the audit log records. The security administrator (安全管理员, `core.access.can_manage_accounts`) lifts
either on the accounts page: an account (`assessment.accounts`), an address (`unlock_address`, here).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from core import access
from core.audit import record
from core.audit.actions import AuditAction
from core.clients import client_ip
from core.errors import DomainError

NOT_LOCKED = "该地址没有被锁定。"


def _since():
    return timezone.now() - settings.AXES_COOLOFF_TIME


def address_failures(ip):
    """Failed logins from `ip` over every name within the cool-off."""
    if not ip:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=_since())
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def is_address_locked(ip):
    return address_failures(ip) >= settings.AXES_ADDRESS_FAILURE_LIMIT


def locked_addresses():
    """[(address, failures)] of the addresses locked now, most failures first."""
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=_since())
        .exclude(ip_address=None)
        .values("ip_address")
        .annotate(total=Sum("failures_since_start"))
        .filter(total__gte=settings.AXES_ADDRESS_FAILURE_LIMIT)
        .order_by("-total", "ip_address")
    )
    return [(row["ip_address"], row["total"]) for row in rows]


def unlock_address(ip, *, actor):
    """Forget the failures from `ip` (every name), so it may try again at once; recorded in the audit log.
    The security administrator's duty; an address that is not locked is refused."""
    if not access.can_manage_accounts(actor):
        raise DomainError(access.ACCOUNTS_ONLY)
    if not is_address_locked(ip):
        raise DomainError(NOT_LOCKED)
    deleted, _ = AccessAttempt.objects.filter(ip_address=ip).delete()
    record(AuditAction.UNLOCK, actor=actor, obj=("地址", ip, ip), detail="解除该地址的登录锁定")
    return deleted


class PortalAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, locked also when the client's address is (AXES_HANDLER)."""

    def is_allowed(self, request, credentials=None):
        allowed = super().is_allowed(request, credentials)
        if not allowed and request is not None:
            # Refused before the password is checked; the audit log writes one entry for it (core.audit.signals).
            request.login_refused_as_locked = True
        return allowed

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        return settings.AXES_LOCK_OUT_AT_FAILURE and is_address_locked(client_ip(request))

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        # django-axes turns a failure into the lockout page only when the failing account reached its limit;
        # a sprayed name has one failure, so the address's limit is checked here the same way.
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False) or not settings.AXES_LOCK_OUT_AT_FAILURE:
            return
        ip = client_ip(request)
        failures = address_failures(ip)
        if failures >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            if failures == settings.AXES_ADDRESS_FAILURE_LIMIT:
                record(AuditAction.LOCKOUT, request=request, obj=("地址", ip, ip), detail="该地址登录失败次数过多")
