from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessment.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import note_forced_change

        user_logged_in.connect(note_forced_change, dispatch_uid="accounts_forced_change")
