"""Events recorded from signals: logins, logouts, lockouts, passwords, second factors, accounts, roles, tokens.

Connected from `AuditConfig.ready`; django-axes and django-otp only when they are installed. The actor of an
account change is the user of the request being served (none for a command: the system). Rows written
raw — `loaddata`, `manage.py restore` — are the past being put back, not events: they are not recorded.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from core.audit.actions import AuditAction
from core.audit.models import AuditResult
from core.audit.services import current_request, record
from core.security.policy import needs_second_factor

# The account fields whose change is recorded (with their Chinese names for the detail).
WATCHED = {
    "username": "账号",
    "first_name": "名",
    "last_name": "姓",
    "email": "电子邮箱",
    "is_staff": "可进入后台",
    "is_superuser": "超级管理员",
}


def _logged_in(sender, request, user, **kwargs):
    """The password step passed (口令通过); for an account without a second factor the login is done too
    (登录成功). An account with one is signed in only after its code (core.security.views.signed_in)."""
    record(AuditAction.LOGIN_PASSWORD, actor=user, request=request, obj=user)
    if not needs_second_factor(user):
        record(AuditAction.LOGIN_SUCCESS, actor=user, request=request, obj=user)


def _refused_while_locked(request):
    """The attempt was refused before its password was checked, the account or address being locked already
    (core.security.lockout marks it; django-axes sends a failure and a lockout for it)."""
    return getattr(request, "login_refused_as_locked", False)


def _login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username") or "")
    account = get_user_model().objects.filter(username=username).first() if username else None
    if _refused_while_locked(request):
        result, detail = AuditResult.DENIED, "已被锁定，本次登录被拒绝"
    else:
        result = AuditResult.FAILED
        detail = "用户名或密码错误" if account is None or account.is_active else "账号已停用"
    record(AuditAction.LOGIN, actor=account or username, request=request, obj=account, result=result, detail=detail)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.LOGOUT, actor=user, request=request, obj=user)


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """django-axes sends this when a failure reaches the limit, and again for every attempt while locked:
    that attempt is recorded once, as a refused login (_login_failed)."""
    if _refused_while_locked(request):
        return
    account = get_user_model().objects.filter(username=username).first() if username else None
    record(
        AuditAction.LOCKOUT,
        actor=account or (username or ""),
        request=request,
        obj=account,
        result=AuditResult.DENIED,
        detail="登录失败次数过多，账号被锁定",
    )


# --- accounts


def _before_user_save(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._audit_raw = raw  # its group memberships follow, set by the same loader
    if raw or update_fields is not None and set(update_fields) <= {"last_login"}:
        instance._audit_before = None
        return
    instance._audit_before = (
        sender.objects.filter(pk=instance.pk).values("password", "is_active", *WATCHED).first() if instance.pk else None
    )


def _password_action(account):
    """Who set a password: its owner (a change), someone else or an e-mailed link (a reset)."""
    request = current_request.get()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.pk == account.pk:
        return AuditAction.PASSWORD_CHANGE, user, ""
    if request is not None and (user is None or not user.is_authenticated):
        return AuditAction.PASSWORD_RESET, account, "通过邮件链接重置"
    return AuditAction.PASSWORD_RESET, None, ""


def _after_user_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        record(AuditAction.ACCOUNT_CREATE, obj=instance)
        return
    before = getattr(instance, "_audit_before", None)
    if before is None:
        return
    if before["password"] != instance.password:
        action, actor, detail = _password_action(instance)
        record(action, actor=actor, obj=instance, detail=detail)
    if before["is_active"] != instance.is_active:
        record(AuditAction.ACCOUNT_ACTIVATE if instance.is_active else AuditAction.ACCOUNT_DEACTIVATE, obj=instance)
    changed = [label for field, label in WATCHED.items() if before[field] != getattr(instance, field)]
    if changed:
        record(AuditAction.ACCOUNT_CHANGE, obj=instance, detail="修改了：" + "、".join(changed))


def _user_deleted(sender, instance, **kwargs):
    record(AuditAction.ACCOUNT_DELETE, obj=(instance._meta.verbose_name, instance.pk, instance.get_username()))


def _groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A user joins or leaves a role group, from either side (user.groups or group.user_set)."""
    if action == "pre_clear":
        instance._audit_cleared = list(
            (model.objects.filter(groups=instance) if reverse else instance.groups.all()).values_list("pk", flat=True)
        )
        return
    if action not in ("post_add", "post_remove", "post_clear") or getattr(instance, "_audit_raw", False):
        return
    pks = pk_set if action != "post_clear" else getattr(instance, "_audit_cleared", [])
    verb = "加入" if action == "post_add" else "移出"
    if reverse:  # instance is a group, pks are users
        for user in model.objects.filter(pk__in=pks):
            record(AuditAction.ROLE_CHANGE, obj=user, detail=f"{verb}角色“{instance.name}”")
    else:
        for group in Group.objects.filter(pk__in=pks):
            record(AuditAction.ROLE_CHANGE, obj=instance, detail=f"{verb}角色“{group.name}”")


# --- API tokens


def _token_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        record(AuditAction.TOKEN_CREATE, obj=instance.user, detail="令牌前4位：" + instance.key[:4])


def _token_deleted(sender, instance, **kwargs):
    record(AuditAction.TOKEN_REVOKE, obj=instance.user, detail="令牌前4位：" + instance.key[:4])


# --- second factor (django-otp)


def _device_before(sender, instance, raw=False, **kwargs):
    if raw:
        instance._audit_was_confirmed = True  # a restored device is no new enrolment
        return
    previous = (
        sender.objects.filter(pk=instance.pk).values_list("confirmed", flat=True).first() if instance.pk else None
    )
    instance._audit_was_confirmed = bool(previous)


def _device_saved(sender, instance, created, **kwargs):
    if instance.confirmed and not getattr(instance, "_audit_was_confirmed", False):
        record(AuditAction.OTP_ADD, obj=instance.user, detail=f"{sender._meta.verbose_name}“{instance.name}”")


def _device_deleted(sender, instance, **kwargs):
    if instance.confirmed:
        record(AuditAction.OTP_REMOVE, obj=instance.user, detail=f"{sender._meta.verbose_name}“{instance.name}”")


def connect():
    User = get_user_model()
    user_logged_in.connect(_logged_in, dispatch_uid="audit_login")
    user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    user_logged_out.connect(_logged_out, dispatch_uid="audit_logout")
    pre_save.connect(_before_user_save, sender=User, dispatch_uid="audit_user_before")
    post_save.connect(_after_user_save, sender=User, dispatch_uid="audit_user_after")
    post_delete.connect(_user_deleted, sender=User, dispatch_uid="audit_user_deleted")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="audit_groups")
    if apps.is_installed("rest_framework.authtoken"):
        from rest_framework.authtoken.models import Token

        post_save.connect(_token_saved, sender=Token, dispatch_uid="audit_token_saved")
        post_delete.connect(_token_deleted, sender=Token, dispatch_uid="audit_token_deleted")
    if apps.is_installed("axes"):
        from axes.signals import user_locked_out

        user_locked_out.connect(_locked_out, dispatch_uid="audit_locked_out")
    if apps.is_installed("django_otp"):
        from django_otp.models import Device

        for model in apps.get_models():
            if issubclass(model, Device):
                pre_save.connect(_device_before, sender=model, dispatch_uid=f"audit_device_before_{model._meta.label}")
                post_save.connect(_device_saved, sender=model, dispatch_uid=f"audit_device_saved_{model._meta.label}")
                post_delete.connect(
                    _device_deleted, sender=model, dispatch_uid=f"audit_device_deleted_{model._meta.label}"
                )
