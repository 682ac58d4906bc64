"""The steps between the password and the portal: the second factor, then a forced password change."""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from core.security import otp, policy
from core.security.passwords import CHANGE_REASON_SESSION_KEY

CHANGE_MESSAGES = {
    policy.FIRST_LOGIN: "这是您首次登录（或密码由市信用办设置），请先设置自己的新密码。",
    policy.EXPIRED: "您的密码已使用超过规定期限，请设置新密码后继续。",
}
SECOND_FACTOR_API_MESSAGE = "请先在门户完成双因素验证。"
PASSWORD_API_MESSAGE = "请先在门户修改密码。"


class LoginGateMiddleware:
    """A logged-in user who still owes a login step sees only the pages of that step (and logout)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._gate(request)
        return response if response is not None else self.get_response(request)

    def _gate(self, request):
        path = request.path_info
        if path.startswith((settings.STATIC_URL, "/accounts/logout/")) or not request.user.is_authenticated:
            return None
        otp_paths = (reverse("security:otp_verify"), reverse("security:otp_enrol"))
        if path in otp_paths:
            return None
        if policy.needs_second_factor(request.user) and not request.user.is_verified():
            if path.startswith("/api/"):
                return JsonResponse({"detail": SECOND_FACTOR_API_MESSAGE}, status=403)
            step = "security:otp_verify" if otp.has_confirmed_device(request.user) else "security:otp_enrol"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        reason = request.session.get(CHANGE_REASON_SESSION_KEY)
        if reason and path not in (reverse("password_change"), reverse("password_change_done")):
            if path.startswith("/api/"):
                return JsonResponse({"detail": PASSWORD_API_MESSAGE}, status=403)
            messages.warning(request, CHANGE_MESSAGES[reason])
            return redirect("password_change")
        return None
