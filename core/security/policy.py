"""Who must pass which login step: the second factor and a forced password change."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core import access

FIRST_LOGIN, EXPIRED = "first", "expired"


def needs_second_factor(user):
    """Office staff, the security administrator and anyone who can open the admin log in with a one-time code
    after the password."""
    if not user.is_authenticated:
        return False
    return access.is_admin_account(user) or access.is_staff(user) or access.can_manage_accounts(user)


def password_change_reason(user, now=None):
    """FIRST_LOGIN when the office set this password, EXPIRED when it is older than the maximum age, else None."""
    from core.security.models import PasswordState

    state = PasswordState.objects.filter(user=user).first()
    if state is not None and state.must_change:
        return FIRST_LOGIN
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if max_age > 0:
        changed_at = state.changed_at if state is not None else user.date_joined
        if (now or timezone.now()) - changed_at > timedelta(days=max_age):
            return EXPIRED
    return None
