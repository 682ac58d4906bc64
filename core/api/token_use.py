"""Tokens made by one account for another, and the audit of every request such a token makes (issue 23).

A token's key is shown once, to whoever makes it: an office member at /api/tokens/ makes it for a reporter,
a leader or the office's system account, an operator on the server with `manage.py api_token`. Whoever saw
the key can act as its holder, so each API request authenticated by a token that someone other than its
holder made is an audit entry (`TOKEN_USE`: who made it, whose it is, method, path, status). A token its
holder made itself is not logged per request. Under core/api/token_rules.py no account makes its own token
(nobody signs in as the system account; reporters and leaders have no page to make one), so today every
token request is recorded: the rule asks who made the token, not what kind of account holds it, so that a
reporter's token used by the office member who made it is recorded too, not only the system account's.
A token made before this record was kept takes its maker from the audit log's 生成接口令牌 entry (migration
core 0008); without one it counts as made by someone else.

Cost: the token's maker is read with the token (one query, `PortalTokenAuthentication`), and the entry is
one insert into the audit chain after the response (`TokenUseAuditMiddleware`).
"""

from django.db import transaction
from rest_framework.authtoken.models import Token

from core.audit.actions import AuditAction
from core.audit.models import AuditResult
from core.audit.services import record

from .models import TokenGrant

# The mark PortalTokenAuthentication leaves on the request for the middleware: the token, when audited.
MARK = "kc_token_of_another"


@transaction.atomic
def issue_token(account, by=None):
    """Make `account`'s token, recording who made it (`by`: the office member; None: the server's command)."""
    token = Token.objects.create(user=account)
    name = by.get_username() if by is not None else ""
    TokenGrant.objects.create(token=token, created_by=by, created_by_name=name)
    return token


def _grant(token):
    """The token's making (read with the token by the token check), or None when not recorded."""
    try:
        return token.grant
    except TokenGrant.DoesNotExist:
        return None


def made_by_another(token):
    """True unless the token's holder made it itself (a token without its making recorded: another's)."""
    grant = _grant(token)
    return grant is None or grant.created_by_id != token.user_id


def mark(http_request, token):
    """Called by the token check: the request is audited after its response if the token is another's."""
    if made_by_another(token):
        setattr(http_request, MARK, token)


def _result(status):
    if status in (401, 403):
        return AuditResult.DENIED
    return AuditResult.OK if status < 400 else AuditResult.FAILED


def record_use(request, response):
    token = getattr(request, MARK, None)
    if token is None:
        return
    grant = _grant(token)
    maker = f"由“{grant.creator_label}”生成" if grant is not None else "生成人不明（生成记录之前的令牌）"
    record(
        AuditAction.TOKEN_USE,
        actor=token.user,
        request=request,
        obj=("接口", "", f"{request.method} {request.path}"),
        result=_result(response.status_code),
        detail=f"令牌属于“{token.user.get_username()}”，{maker}；"
        f"{request.method} {request.path} → {response.status_code}",
    )


class TokenUseAuditMiddleware:
    """After the response: one audit entry for a request made with a token someone else made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        record_use(request, response)
        return response
