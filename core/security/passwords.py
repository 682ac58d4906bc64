"""The password rules of a level-3 system (等保2.0 三级), in Chinese, and the age and forced changes
recorded where Django sets a password.

Every rule is an AUTH_PASSWORD_VALIDATORS entry, so it holds wherever a password is chosen: one's own
change, a reset by e-mail, the admin, `changepassword`, the office's temporary password. Beyond Django's
(length, common, numeric, like the account's details):

- at least three of four kinds of character: lowercase, uppercase, digits, symbols (`CharacterClassValidator`);
  a space is no kind, so ten spaces are refused;
- not the username, nor containing it (`UsernameValidator`);
- not the current password nor any of the last five (`PasswordHistoryValidator`, which keeps their hashes):
  a temporary password the office set cannot be "changed" to itself.
"""

import string

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
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


_CLASSES = (
    ("小写字母", lambda c: c in string.ascii_lowercase),
    ("大写字母", lambda c: c in string.ascii_uppercase),
    ("数字", lambda c: c in string.digits),
    ("符号", lambda c: not c.isspace() and c not in string.ascii_letters + string.digits),
)


class CharacterClassValidator:
    """At least `min_classes` of the four kinds: lowercase, uppercase, digits, symbols (spaces count as none)."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        kinds = sum(1 for _, is_kind in _CLASSES if any(is_kind(c) for c in password))
        if kinds < self.min_classes:
            raise ValidationError(self._text("密码须包含"), code="password_too_simple")

    def _text(self, start):
        return f"{start}小写字母、大写字母、数字、符号四类中的至少 {self.min_classes} 类（空格不算）。"

    def get_help_text(self):
        return self._text("密码须包含")


class UsernameValidator:
    """Not the username, nor containing it (whatever the case)."""

    def validate(self, password, user=None):
        username = (user.get_username() if user is not None else "") or ""
        if username and username.casefold() in password.casefold():
            raise ValidationError("密码不能是用户名，也不能包含用户名。", code="password_contains_username")

    def get_help_text(self):
        return "密码不能是用户名，也不能包含用户名。"


class PasswordHistoryValidator:
    """Not the current password nor one of the last `count`; keeps the hash of every password set."""

    def __init__(self, count=5):
        self.count = count

    def _hashes(self, user):
        from core.security.models import PasswordHistory

        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count])
        return [user.password, *hashes] if user.password else hashes

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        if any(check_password(password, encoded) for encoded in self._hashes(user)):
            raise ValidationError(f"新密码不能与当前密码或最近 {self.count} 次用过的密码相同。", code="password_reused")

    def password_changed(self, password, user=None):
        from core.security.models import PasswordHistory

        if user is None or user.pk is None or not user.has_usable_password():
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        older = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.count :]
        PasswordHistory.objects.filter(pk__in=list(older)).delete()

    def get_help_text(self):
        return f"新密码不能与当前密码或最近 {self.count} 次用过的密码相同。"
