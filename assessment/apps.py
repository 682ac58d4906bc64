from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessment"
    verbose_name = "考核"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from core import access as core_access

        from . import access, audit_actions  # noqa: F401  (audit_actions: the assessment's actions in the log)
        from .models import Mark

        # A reporter's account belongs to a unit: the portal's roles ask this app which one.
        core_access.register_unit_of(access.unit_of_account)

        # 待办: the assessment's own sources first (requests, imports, overdue units, a unit's due items).
        from .todo import sources as todo_sources

        todo_sources.register_all()

        def attach_batch(sender, instance, history_instance, **kwargs):
            # A change made as part of a bulk set or an import records its batch, so it can be undone.
            history_instance.batch = getattr(instance, "_history_batch", None)

        pre_create_historical_record.connect(attach_batch, sender=Mark.history.model, weak=False)

        # The stored scores are cleared by every change to what they stand on (scoring.stored).
        from .scoring.stored import watch_assessment

        watch_assessment()

        # The stored tallies (the columns' counts, each unit's *) follow every mark and enrolment change.
        from . import stored_tallies

        stored_tallies.watch()
