from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessment"
    verbose_name = "考核"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from .models import Mark

        def attach_batch(sender, instance, history_instance, **kwargs):
            # A change made as part of a bulk set or an import records its batch, so it can be undone.
            history_instance.batch = getattr(instance, "_history_batch", None)

        pre_create_historical_record.connect(attach_batch, sender=Mark.history.model, weak=False)
