"""Account changes the security administrator makes in the browser; each rule here, each change audited."""

import secrets

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record
from core.audit.actions import AuditAction
from core.errors import DomainError
from core.security.passwords import require_change

from .. import access
from ..models import Reporter
from .models import AccountProfile

# No look-alike characters (0/O, 1/l/I): the temporary password is read out over the phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_LENGTH = 12


def temporary_password():
    """A random password of lowercase and uppercase letters and digits, passing the portal's validators."""
    while True:
        value = "".join(secrets.choice(_ALPHABET) for _ in range(TEMPORARY_LENGTH))
        # Lowercase, uppercase and digits: three kinds of character, as every password (core.security).
        if any(c.isdigit() for c in value) and any(c.islower() for c in value) and any(c.isupper() for c in value):
            return value


def _set_temporary_password(account):
    password = temporary_password()
    password_validation.validate_password(password, account)
    account.set_password(password)
    account.save()
    # The one rule for a password the office set: changed at the next login (core.security).
    require_change(account)
    return password


def _check_manageable(actor, account):
    if not access.can_manage_account(actor, account):
        raise DomainError(access.ACCOUNT_NOT_MANAGEABLE)


def create_reporter(*, username, full_name, email, phone, unit, actor):
    """A unit's reporter account with a temporary password (returned, to be handed over once)."""
    if not access.can_manage_accounts(actor):
        raise DomainError(access.ACCOUNTS_ONLY)
    User = get_user_model()
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(f"账号“{username}”已存在，请换一个账号名。")
    if not unit.is_active:
        raise DomainError(f"“{unit}”已不参加考核，不能为它新建填报账号。")
    with transaction.atomic():
        account = User(username=username, first_name=(full_name or "").strip(), email=(email or "").strip())
        try:
            account.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        account.set_unusable_password()
        account.save()
        account.groups.add(Group.objects.get(name=access.REPORTER_GROUP))
        Reporter.objects.create(user=account, unit=unit)
        profile = AccountProfile(user=account, phone=(phone or "").strip())
        try:
            profile.full_clean()
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        profile.save()
        password = _set_temporary_password(account)
    return account, password


def set_active(account, active, *, actor):
    """Deactivate (the account can no longer log in or use its API token) or reactivate an account."""
    _check_manageable(actor, account)
    if not active and account.pk == actor.pk:
        raise DomainError("不能停用自己正在使用的账号。")
    if account.is_active == active:
        raise DomainError("该账号已经是启用状态。" if active else "该账号已经停用。")
    account.is_active = active
    account.save(update_fields=["is_active"])
    return account


def reset_password(account, *, actor):
    """Replace the password by a temporary one (returned, shown once), to be changed at the next login."""
    _check_manageable(actor, account)
    if account.pk == actor.pk:
        raise DomainError("请通过“修改密码”更改自己的密码。")
    if not account.is_active:
        raise DomainError("该账号已停用，请先启用再重置密码。")
    with transaction.atomic():
        return _set_temporary_password(account)


def _axes_installed():
    return apps.is_installed("axes")


def locked_usernames(usernames):
    """Which of these accounts are locked now by repeated login failures (django-axes, when installed)."""
    if not _axes_installed():
        return set()
    from axes.models import AccessAttempt

    limit = getattr(settings, "AXES_FAILURE_LIMIT", 3)
    attempts = AccessAttempt.objects.filter(username__in=list(usernames), failures_since_start__gte=limit)
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if cooloff is not None and not callable(cooloff):
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    return set(attempts.values_list("username", flat=True))


def unlock(account, *, actor):
    """Clear the login failures of an account locked out by them (django-axes' own reset)."""
    _check_manageable(actor, account)
    if account.username not in locked_usernames([account.username]):
        raise DomainError("该账号没有被锁定。")
    from axes.utils import reset

    reset(username=account.username)
    record(AuditAction.UNLOCK, actor=actor, obj=account)
    return account
