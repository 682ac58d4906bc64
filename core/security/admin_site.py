"""The admin (数据管理) behind the portal's own login: password, lockout and second factor once, for both."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.admin import OTPAdminSite


class PortalAdminSite(OTPAdminSite):
    """Requires a verified second factor (OTPAdminSite); its login page is the portal's."""

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            raise PermissionDenied("您的账号无权进入数据管理后台。")
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))
