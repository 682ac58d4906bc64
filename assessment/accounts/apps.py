from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """The office's account pages; a temporary password it sets is changed at the next login through
    core.security's one rule (`passwords.require_change`)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "assessment.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self):
        from . import signals

        signals.connect()
