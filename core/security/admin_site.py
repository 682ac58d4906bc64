"""The admin (数据管理) behind the portal's own login: password, lockout and second factor once, for both.

Django builds `django.contrib.admin.site` from this class (core.security.apps.AdminConfig.default_site), so
every ModelAdmin registered on `admin.site` lands here; nothing swaps the site's class at import time.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.functional import lazy
from django_otp.admin import OTPAdminSite

from core.office.models import get_office


class PortalAdminSite(OTPAdminSite):
    """Requires a verified second factor (OTPAdminSite); its login page is the portal's."""

    # The header and title are the office's (data): lazy, so an edit shows on the next page.
    site_header = lazy(lambda: get_office().admin_header, str)()
    site_title = lazy(lambda: get_office().site_title, str)()
    index_title = "数据管理"

    def __init__(self, name="admin"):
        # OTPAdminSite names itself "otpadmin"; the portal's URLs and templates reverse "admin:…".
        super().__init__(name)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            raise PermissionDenied("您的账号无权进入数据管理后台。")
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))
