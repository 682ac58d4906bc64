"""Password age and forced changes, recorded where Django sets a password."""

from django.conf import settings
from django.contrib.auth import password_validation
from django.utils import timezone

from core.security import policy

# The session remembers, from login until the change is made, why its owner must change the password.
CHANGE_REASON_SESSION_KEY = "kc_password_change"


class PasswordChangeRecorder:
    """An AUTH_PASSWORD_VALIDATORS entry that refuses nothing: Django calls `password_changed` every time
    a password is saved (own change, reset by e-mail, admin, `changepassword`), which records the date."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            from core.security.models import PasswordState

            PasswordState.objects.update_or_create(
                user=user, defaults={"changed_at": timezone.now(), "must_change": False}
            )

    def get_help_text(self):
        days = settings.PASSWORD_MAX_AGE_DAYS
        return f"密码使用超过 {days} 天须更换。" if days > 0 else "请妥善保管密码，不要告诉他人。"


def require_change(user):
    """The next login of `user` starts with choosing a new password: call after the office creates the
    account or sets a password for its owner (after `set_password` and `save`)."""
    from core.security.models import PasswordState

    PasswordState.objects.update_or_create(user=user, defaults={"must_change": True})


def note_password_state_at_login(sender, request, user, **kwargs):
    """At login, once per session: does this account have to change its password first?"""
    if request is None or not hasattr(request, "session"):
        return
    reason = policy.password_change_reason(user)
    if reason:
        request.session[CHANGE_REASON_SESSION_KEY] = reason
    else:
        request.session.pop(CHANGE_REASON_SESSION_KEY, None)


def clear_change_reason(request):
    request.session.pop(CHANGE_REASON_SESSION_KEY, None)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule; its Chinese catalogue lacks the 5.x wording, so the messages are given here."""

    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"
