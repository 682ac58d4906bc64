from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The platform: the office row (`core.office`), the role groups (its first migration), the template tags."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    label = "core"
    verbose_name = "平台"

    def ready(self):
        from core import stored_files

        stored_files.connect()
