"""/accounts/manage/: the security administrator's account pages (安全管理员, a duty an office account may be
given): accounts and the addresses locked out by login failures. Each action is a GET confirmation and a POST."""

import ipaddress

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core.errors import DomainError
from core.security import lockout

from .. import access
from . import services
from .forms import AccountFilter, ReporterForm

# Accounts are the security administrator's: every other role finds nothing here (404).
office_only = access.require(visible=access.can_manage_accounts)


def _accounts():
    return (
        get_user_model()
        .objects.select_related("reporter__unit", "profile")
        .prefetch_related("groups")
        .order_by("-is_active", "username")
    )


def role_label(account):
    """The account's role as the office names it (the admin's accounts are the IT administrator's)."""
    if account.is_superuser or account.is_staff:
        return "系统管理员"
    names = [group.name for group in account.groups.all()]
    return "、".join(names) if names else "无角色"


def _account_or_404(request, pk):
    account = _accounts().filter(pk=pk).first()
    if account is None:
        raise Http404(access.NOT_FOUND)
    return account


@require_safe
@office_only
def account_list(request):
    form = AccountFilter(request.GET or None)
    accounts = _accounts()
    if form.is_valid():
        if form.cleaned_data["q"]:
            text = form.cleaned_data["q"].strip()
            accounts = accounts.filter(
                Q(username__icontains=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)
            )
        if form.cleaned_data["active"]:
            accounts = accounts.filter(is_active=form.cleaned_data["active"] == "1")
    accounts = list(accounts)
    locked = services.locked_usernames(a.username for a in accounts)
    rows = [
        {
            "account": a,
            "role": role_label(a),
            "unit": a.reporter.unit.name if hasattr(a, "reporter") else "",
            "phone": a.profile.phone if hasattr(a, "profile") else "",
            "locked": a.username in locked,
            "manageable": access.can_manage_account(request.user, a),
        }
        for a in accounts
    ]
    context = {"rows": rows, "filters": form, "addresses": lockout.locked_addresses()}
    return render(request, "accounts/list.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def reporter_new(request):
    form = ReporterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = services.create_reporter(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return render(
                request, "accounts/password_shown.html", {"account": account, "password": password, "new": True}
            )
    return render(request, "accounts/reporter_form.html", {"form": form}, status=400 if form.errors else 200)


ACTIONS = {
    "deactivate": ("停用账号", "停用后该账号不能再登录，它的接口令牌也随即失效；记录保留，可以重新启用。"),
    "activate": ("启用账号", "启用后该账号可以重新登录。"),
    "unlock": ("解除锁定", "该账号因多次登录失败被锁定；解除后可以立即再次登录。"),
    "reset": ("重置密码", "将生成一个临时密码（只显示一次），请当面或电话告知本人；本人下次登录须先修改密码。"),
}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def account_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404(access.NOT_FOUND)
    account = _account_or_404(request, pk)
    access.deny_unless(access.can_manage_account(request.user, account), request.user, access.ACCOUNT_NOT_MANAGEABLE)
    title, explanation = ACTIONS[action]
    if request.method == "POST":
        try:
            if action == "reset":
                password = services.reset_password(account, actor=request.user)
                return render(request, "accounts/password_shown.html", {"account": account, "password": password})
            if action == "unlock":
                services.unlock(account, actor=request.user)
            else:
                services.set_active(account, action == "activate", actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已{title[:2]}账号“{account.username}”。")
        return redirect("accounts:list")
    context = {"account": account, "action": action, "title": title, "explanation": explanation}
    return render(request, "accounts/confirm.html", context)


ADDRESS_UNLOCK = (
    "解除地址锁定",
    "该地址因多次登录失败（可能换着账号尝试）被暂停登录；解除后从该地址可以立即再次登录。",
)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def address_unlock(request, address):
    """Lift the lockout of one client address (core.security.lockout): GET confirm, POST lift (audited)."""
    try:
        address = str(ipaddress.ip_address(address))
    except ValueError:
        raise Http404(access.NOT_FOUND) from None
    title, explanation = ADDRESS_UNLOCK
    if request.method == "POST":
        try:
            lockout.unlock_address(address, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已解除地址“{address}”的登录锁定。")
        return redirect("accounts:list")
    context = {"address": address, "action": "address_unlock", "title": title, "explanation": explanation}
    return render(request, "accounts/confirm.html", context)
