"""Who a unit's reminders reach: its reporters' e-mail addresses and its own group robot (政务微信/钉钉);
and the office's own group robot, which hears of arriving cases and requests (notices.notify_office).

The office keeps the robots here in the browser; the reporters' accounts and e-mails are kept on the
account pages (assessment.accounts). Reminders read both through assessment.notify.reminders.plan.
Every change of a robot is in the audit log.
"""

from django import forms
from django.db import transaction

from assessment.audit_actions import AuditAction
from assessment.models import Reporter
from core.audit import record
from core.errors import DomainError

from . import robot_urls
from .models import GroupRobot, OfficeRobot, UnitRobot


class RobotForm(forms.ModelForm):
    """The unit's robot: its kind, its webhook address (https, a robot host: robot_urls), the DingTalk secret."""

    class Meta:
        model = UnitRobot
        fields = GroupRobot.FIELDS

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        refused = robot_urls.problem(url)
        if refused:
            raise forms.ValidationError(refused)
        return url


def reporters_of(unit):
    """The unit's reporter accounts with their e-mail addresses (one query)."""
    return list(Reporter.objects.filter(unit=unit).select_related("user").order_by("user__username"))


class OfficeRobotForm(RobotForm):
    """The office's own robot: the same fields and the same address rule as a unit's."""

    class Meta(RobotForm.Meta):
        model = OfficeRobot


def _refusal(form):
    return DomainError("；".join(e for errors in form.errors.values() for e in errors))


def _described(robot):
    return f"{robot.get_kind_display()}，{robot_urls.shown(robot.url)}，{'启用' if robot.is_active else '停用'}"


def save_robot(unit, form, actor=None):
    """Create or change the unit's robot from a valid RobotForm."""
    if not form.is_valid():
        raise _refusal(form)
    with transaction.atomic():
        robot = form.save(commit=False)
        robot.unit = unit
        robot.save()
        record(AuditAction.ROBOT_CHANGE, actor=actor, obj=unit, detail=f"{unit.name}的群机器人：{_described(robot)}")
        return robot


def remove_robot(unit, actor=None):
    """The unit's reminders go to its reporters' e-mails (and the robot for all, if one is set) again."""
    with transaction.atomic():
        deleted, _ = UnitRobot.objects.filter(unit=unit).delete()
        if not deleted:
            raise DomainError("该单位没有设置群机器人。")
        record(AuditAction.ROBOT_DELETE, actor=actor, obj=unit, detail=f"删除{unit.name}的群机器人")


def save_office_robot(form, actor=None):
    """Create or change the office's robot from a valid OfficeRobotForm."""
    if not form.is_valid():
        raise _refusal(form)
    with transaction.atomic():
        robot = form.save()
        record(AuditAction.ROBOT_CHANGE, actor=actor, detail=f"本办群机器人：{_described(robot)}")
        return robot


def remove_office_robot(actor=None):
    """Notices of arriving cases and requests reach the office members' e-mails only again."""
    with transaction.atomic():
        deleted, _ = OfficeRobot.objects.all().delete()
        if not deleted:
            raise DomainError("本办没有设置群机器人。")
        record(AuditAction.ROBOT_DELETE, actor=actor, detail="删除本办群机器人")
