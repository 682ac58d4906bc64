"""Login steps after the password: the second factor (enrol, verify, backup codes) and password changes."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from core.audit.actions import AuditAction
from core.audit.models import AuditResult
from core.audit.services import record
from core.security import otp, policy
from core.security.passwords import clear_change_reason


class CodeForm(forms.Form):
    token = forms.CharField(
        label="验证码",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": "请输入验证码。"},
    )


def _next_url(request):
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)  # where a login lands: the user's 待办


def _second_factor_user(request):
    """Only users who need the second factor use these pages."""
    return policy.needs_second_factor(request.user)


def _require_second_factor_user(request):
    if not _second_factor_user(request):
        raise Http404("没有找到该页面。")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    """Second login step: the code from the authenticator app, or one backup code."""
    if not _second_factor_user(request) or request.user.is_verified():
        return redirect(_next_url(request))
    if not otp.has_confirmed_device(request.user):
        return redirect(f"{resolve_url('security:otp_enrol')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.check_code(request.user, form.cleaned_data["token"])
        if device is not None:
            signed_in(request, device)
            if otp.is_backup_device(device):
                messages.warning(request, f"已使用一个备用码，还剩 {otp.backup_codes_left(request.user)} 个。")
            return redirect(_next_url(request))
        locked = _wrong_code(request, "验证码不正确")
        if locked is not None:
            return locked
        form.add_error("token", "验证码不正确或已过期，请重新输入（多次输错需等待片刻再试）。")
    return render(request, "security/otp_verify.html", {"form": form, "next": _next_url(request)})


def signed_in(request, device):
    """The second factor passed: the session is verified, under a new key (a cookie copied between the two
    steps signs nobody in), and the login is recorded as done (登录成功, after 口令通过 at the password)."""
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)
    otp.clear_failures(request.user)
    kind = "备用码" if otp.is_backup_device(device) else "身份验证器"
    record(AuditAction.LOGIN_SUCCESS, actor=request.user, request=request, obj=request.user, detail=f"双因素：{kind}")


def _wrong_code(request, detail):
    """Record a wrong code; after OTP_FAILURE_LIMIT in a row, lock the account, sign out, answer the lockout."""
    user = request.user
    record(AuditAction.OTP_FAILED, actor=user, request=request, obj=user, result=AuditResult.FAILED, detail=detail)
    if user.is_verified() or not otp.too_many_failures(otp.note_failure(user)):
        return None  # a signed-in user binding a new phone is not locked out for a mistyped code
    otp.lock_out(request, user)
    record(
        AuditAction.LOCKOUT,
        actor=user,
        request=request,
        obj=user,
        result=AuditResult.DENIED,
        detail="双因素验证码错误次数过多，账号被锁定",
    )
    logout(request)
    return lockout(request)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request):
    """Binding an authenticator app: scan the QR code, type its first code, receive the backup codes once."""
    _require_second_factor_user(request)
    if otp.has_confirmed_device(request.user) and not request.user.is_verified():
        return redirect(f"{resolve_url('security:otp_verify')}?{request.GET.urlencode()}")
    device = otp.pending_totp(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.confirm_enrolment(device, form.cleaned_data["token"].strip().replace(" ", "")):
            signed_in(request, device)
            codes = otp.new_backup_codes(request.user)
            return render(request, "security/backup_codes.html", {"codes": codes, "next": _next_url(request)})
        locked = _wrong_code(request, "绑定身份验证器时验证码不正确")
        if locked is not None:
            return locked
        form.add_error("token", "验证码不正确，请确认手机时间准确后输入身份验证器上当前显示的 6 位数字。")
    context = {
        "form": form,
        "qr_svg": otp.qr_svg(device),
        "secret": otp.secret_for_typing(device),
        "next": _next_url(request),
        "rebinding": request.user.is_verified(),
    }
    return render(request, "security/otp_enrol.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def backup_codes(request):
    """A verified user's backup codes: how many are left; POST makes a new set and shows it once."""
    _require_second_factor_user(request)
    if request.method == "POST":
        codes = otp.new_backup_codes(request.user)
        return render(request, "security/backup_codes.html", {"codes": codes, "next": resolve_url("home")})
    return render(request, "security/backup_codes_status.html", {"left": otp.backup_codes_left(request.user)})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's change form; a forced change ends here."""

    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        clear_change_reason(self.request)
        return response


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer once an account is locked (AXES_LOCKOUT_CALLABLE), on every login form."""
    from django.conf import settings

    from core.clients import client_ip

    from .lockout import is_address_locked

    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "address_limit": settings.AXES_ADDRESS_FAILURE_LIMIT,
        "by_address": is_address_locked(client_ip(request)),
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "security/lockout.html", context, status=429)


def bad_request(request, exception=None):
    """handler400: the portal's page for a body over the limit, a foreign Host, a malformed request.

    Rendered without the request's context: the error may come before the session and the user are known.
    """
    from django.http import HttpResponseBadRequest
    from django.template.loader import render_to_string

    from core.office.models import get_office

    return HttpResponseBadRequest(render_to_string("400.html", {"office": get_office()}))
