"""Staff pages to create and revoke API tokens, one per account; a token acts with its account's role.

Who may hold one and who may revoke it: core/api/token_rules.py.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rest_framework.authtoken.models import Token

from core import access
from core.api.token_rules import may_hold_token, may_revoke, token_holders
from core.api.token_use import issue_token

# Accounts and tokens are the office's: leaders are refused (403), reporters find nothing (404).
manage = access.require(
    visible=access.can_read_all, allowed=access.can_manage, message="只有市信用办可以管理接口令牌。"
)


def _accounts():
    """The accounts that may hold a token, with their token, groups and unit in a fixed number of queries."""
    return (
        token_holders(get_user_model().objects.all())
        .distinct()
        .select_related("auth_token", "reporter__unit")
        .prefetch_related("groups")
        .order_by("username")
    )


def _holder_or_404(user_id):
    account = get_object_or_404(_accounts(), pk=user_id)
    if not may_hold_token(account):  # e.g. an auditor who is also in a leader's group
        raise Http404("该账号不能持有接口令牌。")
    return account


@require_safe
@manage
def token_list(request):
    return render(request, "assessment/api_tokens.html", {"accounts": _accounts()})


@require_POST
@manage
def token_create(request, user_id):
    account = _holder_or_404(user_id)
    if Token.objects.filter(user=account).exists():
        messages.error(request, f"“{account.username}”已有令牌；如需更换，请先撤销。")
        return redirect("api_tokens:list")
    token = issue_token(account, by=request.user)
    messages.success(
        request,
        f"已为“{account.username}”生成令牌：{token.key}　请立即复制并交给对方系统保存；"
        "令牌与该账号的权限相同，使用时在请求头加 Authorization: Token 令牌。",
    )
    return redirect("api_tokens:list")


@require_http_methods(["GET", "HEAD", "POST"])
@manage
def token_revoke(request, user_id):
    """GET: ask for confirmation; POST: delete the token, so systems using it are refused at once."""
    account = _holder_or_404(user_id)
    return _revoke(request, account, "api_tokens:list")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def own_token_revoke(request):
    """Any account revokes its own token (the office revokes only those it may give: token_rules.may_revoke)."""
    return _revoke(request, request.user, "home")


def _revoke(request, account, done):
    if not may_revoke(request.user, account):
        raise Http404("没有找到该页面。")
    token = get_object_or_404(Token, user=account)
    if request.method == "POST":
        token.delete()  # recorded as 撤销接口令牌 (core.audit.signals), with who revoked it
        messages.success(request, f"已撤销“{account.username}”的令牌，使用它的系统将无法再访问接口。")
        return redirect(done)
    context = {"account": account, "token": token, "back": done}
    return render(request, "assessment/api_token_revoke.html", context)
