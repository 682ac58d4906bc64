from django.apps import AppConfig


class NotifyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessment.notify"
    label = "notify"
    verbose_name = "提醒与关注"

    def ready(self):
        # 待办 (assessment.todo): what a leader follows that changed.
        from . import todo

        todo.register_all()
