"""Who may hold an API token, who may revoke one, and the token check every API request passes.

A token acts as its account without the portal's second factor, so only an account that never signs in
with one may hold it (issue 23, "Acting as someone else"):

- a unit's reporter (责任单位填报员) or a leader (领导);
- the office's dedicated system account for another system: an account of the office's role with no
  usable password, so that nobody signs in to the portal with it (`manage.py api_token --system NAME`).

Never an account that signs in with a second factor (an office member's, the security administrator's, an
admin or superuser account), nor the auditor's. A token of an account with a second factor (made before this
rule, or by hand) is refused at every use, and the refusal recorded. The office revokes the tokens of the
accounts it may give one to; every account revokes its own.
"""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from core import access
from core.audit.actions import AuditAction
from core.audit.models import AuditResult
from core.audit.services import record

from . import token_use

REFUSED = "该账号不能使用接口令牌：市信用办成员、安全管理员和管理员账号须在门户以双因素验证登录。"


def is_system_account(account):
    """The office's account for another system: the office's role, no password to sign in with."""
    return access.role_of(account) == access.STAFF and not account.has_usable_password()


def may_use_token(account):
    """False for an account that signs in with a second factor (an office member's, the security
    administrator's, admin, superuser): a token would act as them without it. Any other account may use
    one: without a role (the auditor's included) it sees nothing (404), as on the pages."""
    if access.is_admin_account(account) or access.can_manage_accounts(account):
        return False
    return access.role_of(account) != access.STAFF or is_system_account(account)


def may_hold_token(account):
    """True for a reporter, a leader or the office's system account; never an admin or second-factor account."""
    if not account.is_active or not may_use_token(account):
        return False
    return access.role_of(account) in (access.REPORTER, access.LEADER, access.STAFF)


def token_holders(accounts):
    """`accounts` narrowed, in the database, to those that may hold a token (`may_hold_token` decides each)."""
    return (
        accounts.filter(is_active=True, is_staff=False, is_superuser=False)
        .filter(
            Q(groups__name__in=(access.REPORTER_GROUP, access.LEADER_GROUP))
            | Q(groups__name=access.STAFF_GROUP, password__startswith=UNUSABLE_PASSWORD_PREFIX)
        )
        .exclude(groups__name__in=(access.AUDITOR_GROUP, access.SECURITY_GROUP))
        .exclude(Q(groups__name=access.STAFF_GROUP) & ~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX))
    )


def may_revoke(actor, account):
    """The account itself, or the office for an account it may give a token to."""
    return actor.pk == account.pk or access.can_manage(actor) and may_hold_token(account)


class PortalTokenAuthentication(TokenAuthentication):
    """DRF's token check, refusing (401, recorded) a token whose account may not hold one; a token someone
    else made is marked for the audit of its request (core/api/token_use.py)."""

    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        # DRF's lookup, with who made the token in the same query (core/api/token_use.py audits its use).
        try:
            token = Token.objects.select_related("user", "grant").get(key=key)
        except Token.DoesNotExist as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not may_use_token(user):
            request = getattr(self, "_request", None)
            record(
                AuditAction.ACCESS_DENIED,
                actor=user,
                request=getattr(request, "_request", request),
                obj=user,
                result=AuditResult.DENIED,
                detail="使用不能持有令牌的账号的接口令牌：" + token.key[:4],
            )
            raise exceptions.AuthenticationFailed(REFUSED)
        request = getattr(self, "_request", None)
        if request is not None:
            token_use.mark(getattr(request, "_request", request), token)
        return user, token
