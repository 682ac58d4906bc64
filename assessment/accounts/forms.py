from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from ..models import Unit
from .models import phone_validator


class ReporterForm(forms.Form):
    """A new reporter of a unit; e-mail required, since the reminders are sent there."""

    username = forms.CharField(
        label="账号",
        max_length=150,
        validators=[UnicodeUsernameValidator(message="账号只能包含字母、数字和 @ . + - _ 字符。")],
        error_messages={"required": "请填写账号。"},
    )
    full_name = forms.CharField(label="姓名", max_length=150, error_messages={"required": "请填写姓名。"})
    unit = forms.ModelChoiceField(
        label="责任单位",
        queryset=Unit.objects.filter(is_active=True).select_related("category").order_by("category__order", "order"),
        error_messages={"required": "请选择责任单位。", "invalid_choice": "请选择列表中的责任单位。"},
    )
    email = forms.EmailField(
        label="电子邮箱",
        error_messages={"required": "请填写电子邮箱（催办提醒发送到这里）。", "invalid": "电子邮箱格式不正确。"},
    )
    phone = forms.CharField(label="电话", max_length=20, required=False, validators=[phone_validator])


class AccountFilter(forms.Form):
    q = forms.CharField(label="账号或姓名", required=False, max_length=100)
    active = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("1", "启用"), ("0", "停用")])
