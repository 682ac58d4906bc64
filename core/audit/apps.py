from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core.audit"
    label = "audit"
    verbose_name = "安全审计"

    def ready(self):
        from core.audit import signals

        signals.connect()
