from django.apps import AppConfig


class KunshanCreditConfig(AppConfig):
    name = "kunshan_credit"
    verbose_name = "门户"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_login

        # A new session starts its refresh clock at login (see kunshan_credit.middleware).
        user_logged_in.connect(stamp_login, dispatch_uid="kunshan_credit.session_refresh")
