"""View decorators over `assessment.access`: anonymous → login page, other roles → 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from . import access


def role_required(check, message):
    """Login first (anonymous → login page), then 403 with `message` unless `check(user)`."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Pages of the credit office (imports, the request queue's actions, reminders).
staff_required = role_required(access.is_staff, "只有市信用办可以进行此操作。")
# Pages everyone who reads all units may see (the office and leaders).
read_all_required = role_required(access.can_read_all, "您的账号无权查看此页面。")
