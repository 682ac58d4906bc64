from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bulletins"
    verbose_name = "工作信息"

    def ready(self):
        from django.db.models import Max

        from assessment import years
        from assessment.models import Scheme

        from . import audit_actions  # noqa: F401  (the bulletin's actions in the audit log)
        from .models import Issue

        def published_year():
            """The latest year with a published issue (and schemes to show), in one query."""
            published = Issue.objects.filter(current_version__isnull=False, year__in=Scheme.objects.values("year"))
            return published.aggregate(year=Max("year"))["year"]

        # The current year is the latest year with a published issue (assessment.years.current_year).
        years.register_published_year(published_year)

        # 待办 (assessment.todo): a published issue whose files are not made yet.
        from . import todo

        todo.register_all()
