from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bulletins"
    verbose_name = "工作信息"

    def ready(self):
        from assessment import years
        from assessment.models import Scheme
        from core.prepared import Prepared

        from . import audit_actions  # noqa: F401  (the bulletin's actions in the audit log)
        from .models import Issue

        # The latest year with a published issue (and schemes to show), in one query compiled once: most pages ask.
        published_year = Prepared(
            lambda: (
                Issue.objects.filter(current_version__isnull=False, year__in=Scheme.objects.values("year"))
                .order_by("-year")
                .values_list("year")[:1]
            )
        )

        # The current year is the latest year with a published issue (assessment.years.current_year).
        years.register_published_year(published_year.value)

        # 待办 (assessment.todo): a published issue whose files are not made yet.
        from . import todo

        todo.register_all()
