from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "奖惩案例"

    def ready(self):
        # The digest (a lower layer) learns about cases from here; it never imports this app.
        from assessment.notify.digests import register_digest_source

        from .digest import case_changes

        register_digest_source(case_changes)
