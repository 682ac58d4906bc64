"""Staff pages to create and revoke API tokens, one per account; a token acts with its account's role."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rest_framework.authtoken.models import Token

from core import access

ROLE_GROUPS = (access.STAFF_GROUP, access.REPORTER_GROUP, access.LEADER_GROUP)


# Accounts and tokens are the office's: leaders are refused (403), reporters find nothing (404).
manage = access.require(
    visible=access.can_read_all, allowed=access.can_manage, message="只有市信用办可以管理接口令牌。"
)


def _accounts():
    """Active accounts that have a role, with their token, groups and unit in a fixed number of queries."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=ROLE_GROUPS) | Q(is_superuser=True))
        .distinct()
        .select_related("auth_token", "reporter__unit")
        .prefetch_related("groups")
        .order_by("username")
    )


@require_safe
@manage
def token_list(request):
    return render(request, "assessment/api_tokens.html", {"accounts": _accounts()})


@require_POST
@manage
def token_create(request, user_id):
    account = get_object_or_404(_accounts(), pk=user_id)
    if Token.objects.filter(user=account).exists():
        messages.error(request, f"“{account.username}”已有令牌；如需更换，请先撤销。")
        return redirect("api_tokens:list")
    token = Token.objects.create(user=account)
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
    account = get_object_or_404(_accounts(), pk=user_id)
    token = get_object_or_404(Token, user=account)
    if request.method == "POST":
        token.delete()
        messages.success(request, f"已撤销“{account.username}”的令牌，使用它的系统将无法再访问接口。")
        return redirect("api_tokens:list")
    return render(request, "assessment/api_token_revoke.html", {"account": account, "token": token})
