"""Accounts in the admin: one the office creates, or whose password it sets, starts with a change of password.
django-otp's device pages, in Chinese, are registered by `otp_admin`."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from core.security import otp_admin, passwords  # noqa: F401  (otp_admin registers the device admins)
from core.security.models import PasswordState

User = get_user_model()


class PortalUserAdmin(UserAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            passwords.require_change(obj)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and str(request.user.pk) != unquote(id):
            passwords.require_change(self.get_object(request, unquote(id)))
        return response


admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)


@admin.register(PasswordState)
class PasswordStateAdmin(admin.ModelAdmin):
    list_display = ["user", "changed_at", "must_change"]
    list_filter = ["must_change"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "changed_at"]
