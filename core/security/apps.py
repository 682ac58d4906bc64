from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticAppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig


class SecurityConfig(AppConfig):
    """Login security: failed-login lockout, the second factor, password age and reset, the 400 page."""

    # The app's own config among the others this module defines (Django picks the one marked default).
    default = True
    name = "core.security"
    label = "security"  # its tables and migrations keep the name they were made with
    verbose_name = "账号安全"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.security import passwords

        user_logged_in.connect(passwords.note_password_state_at_login, dispatch_uid="kc_password_state")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin (数据管理) whose `admin.site` is the portal's: behind the login and second factor."""

    default = False  # named in INSTALLED_APPS; this module's default app is SecurityConfig
    default_site = "core.security.admin_site.PortalAdminSite"


# The login-security libraries' apps under the names the office reads in /admin/ (no English there):
# django-axes and django-otp give their apps no verbose_name, and django-otp's device models none either
# (their labels come from the class names, so no translation catalog can reach them). INSTALLED_APPS names
# these subclasses; app labels, tables and migrations stay the libraries' own.


def _name_models(app_config, names):
    """Give the library's models Chinese display names on their `_meta`, once, as its app gets ready.

    Kept on purpose (issue 20 asked for a way without it; there is none that changes nothing else):
    - the admin reads a model's name from `_meta` on every page (index, breadcrumbs, change and delete pages,
      its messages), and django-otp sets no Meta.verbose_name, so the name is the class name, a plain string
      no translation catalog reaches;
    - a Meta.verbose_name on the library's models is a migration in the library's app, which we do not own;
    - proxy models in our app would move the admin's URLs (/admin/otp_totp/… → /admin/security/…), its
      permissions and content types, and need a migration of ours;
    - renaming in the admin only (a ModelAdmin's `opts`, the site's app list) misses the pages and messages
      that read `_meta` directly.
    Display names only: migrations read `_meta.original_attrs` (the class's Meta), which this leaves alone, so
    `makemigrations --check` stays clean.
    """
    for model_name, (singular, plural) in names.items():
        meta = app_config.get_model(model_name)._meta
        meta.verbose_name, meta.verbose_name_plural = singular, plural


class AxesConfig(AxesAppConfig):
    verbose_name = "登录锁定"


class OTPTOTPConfig(TOTPAppConfig):
    verbose_name = "双因素验证（验证器）"

    def ready(self):
        super().ready()
        _name_models(self, {"TOTPDevice": ("验证器设备", "验证器设备")})


class OTPStaticConfig(StaticAppConfig):
    verbose_name = "双因素验证（备用验证码）"

    def ready(self):
        super().ready()
        _name_models(
            self, {"StaticDevice": ("备用验证码组", "备用验证码组"), "StaticToken": ("备用验证码", "备用验证码")}
        )
        # A code's row in the admin is titled by str(): the library's is Django's “StaticToken object (1)”.
        self.get_model("StaticToken").__str__ = _static_token_str


def _static_token_str(token):
    return f"备用验证码 {token.pk}"  # never the code itself: it is a secret
