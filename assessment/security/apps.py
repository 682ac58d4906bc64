from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Login security: failed-login lockout, the second factor, password age and reset, the 400 page."""

    name = "assessment.security"
    label = "security"  # its tables and migrations keep the name they were made with
    verbose_name = "账号安全"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import passwords

        user_logged_in.connect(passwords.note_password_state_at_login, dispatch_uid="kc_password_state")
