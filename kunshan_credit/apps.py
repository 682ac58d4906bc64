from django.apps import AppConfig


class KunshanCreditConfig(AppConfig):
    name = "kunshan_credit"
    verbose_name = "门户"

    def ready(self):
        from django.contrib.admin.templatetags import admin_list
        from django.templatetags.static import static
        from django.utils.html import format_html

        # The admin's yes/no icons carry alt="True"/"False", which a screen reader reads out in English.
        def boolean_icon(value):
            name, alt = {True: ("yes", "是"), False: ("no", "否"), None: ("unknown", "未知")}[value]
            return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), alt)

        # (admin_list's is the one every admin module imports at call time)
        admin_list._boolean_icon = boolean_icon

        from django.contrib.auth.signals import user_logged_in

        from core.security.sessions import stamp_login

        # A new session starts its refresh clock at login (see core.security.sessions).
        user_logged_in.connect(stamp_login, dispatch_uid="kunshan_credit.session_refresh")

        from core.jobs.registry import register

        from .jobs import JOBS

        # The list of scheduled jobs, kept by the platform (core.jobs) for its runner, page and health check.
        register(*JOBS)
