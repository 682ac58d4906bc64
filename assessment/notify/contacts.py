"""Who a unit's reminders reach: its reporters' e-mail addresses and its own group robot (政务微信/钉钉).

The office keeps the robot here in the browser; the reporters' accounts and e-mails are kept on the
account pages (assessment.accounts). Reminders read both through assessment.notify.reminders.plan.
"""

from django import forms
from django.db import transaction

from assessment.models import Reporter
from core.errors import DomainError

from . import robot_urls
from .models import UnitRobot


class RobotForm(forms.ModelForm):
    """The unit's robot: its kind, its webhook address (https, a robot host: robot_urls), the DingTalk secret."""

    class Meta:
        model = UnitRobot
        fields = ["kind", "url", "secret", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        refused = robot_urls.problem(url)
        if refused:
            raise forms.ValidationError(refused)
        return url


def reporters_of(unit):
    """The unit's reporter accounts with their e-mail addresses (one query)."""
    return list(Reporter.objects.filter(unit=unit).select_related("user").order_by("user__username"))


def save_robot(unit, form):
    """Create or change the unit's robot from a valid RobotForm."""
    if not form.is_valid():
        raise DomainError("；".join(e for errors in form.errors.values() for e in errors))
    with transaction.atomic():
        robot = form.save(commit=False)
        robot.unit = unit
        robot.save()
        return robot


def remove_robot(unit):
    """The unit's reminders go to its reporters' e-mails (and the robot for all, if one is set) again."""
    deleted, _ = UnitRobot.objects.filter(unit=unit).delete()
    if not deleted:
        raise DomainError("该单位没有设置群机器人。")
