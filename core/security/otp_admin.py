"""django-otp's device pages in the admin (验证器设备, 备用验证码组) in Chinese.

The library's models give English verbose names and help texts, and changing them on its models would be a
migration of the library's app (makemigrations would see it). So the admin says it instead: the library's
ModelAdmins are replaced by subclasses whose forms set Chinese labels and help texts, whose read-only
values, list columns and filters carry Chinese descriptions, and whose fieldsets have Chinese titles. The
library's behaviour (its QR code views, OTP_ADMIN_HIDE_SENSITIVE_DATA) is kept.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import display_for_value
from django.urls import reverse
from django.utils.html import format_html
from django_otp.conf import settings as otp_settings
from django_otp.plugins.otp_static import admin as static_admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice

# Field name → (label, help text), for every field of the two device models the admin shows.
LABELS = {
    "user": ("账号", "该设备所属的账号"),
    "name": ("名称", "便于辨认的设备名称，如 手机验证器"),
    "confirmed": ("已确认", "勾选后该设备可用于登录时的双因素验证"),
    "key": ("密钥", "十六进制编码的密钥，最长 40 字节；请勿外传"),
    "step": ("时间步长", "每个验证码的有效时间（秒）"),
    "t0": ("起始时刻", "开始计算时间步长的时刻（自1970年1月1日起的秒数）"),
    "digits": ("位数", "验证码的位数"),
    "tolerance": ("容差", "允许验证器时间前后偏差的步数"),
    "drift": ("时钟偏差", "已知验证器与服务器时钟相差的步数"),
    "throttling_failure_timestamp": ("最近失败时间", "最近一次验证失败的时间；尚未失败时为空"),
    "throttling_failure_count": ("连续失败次数", "连续验证失败的次数，次数越多，下次可尝试前等待越久"),
    "token": ("验证码", "一次性备用验证码，用过即失效"),
}
SEARCH_HELP = "按账号或电子邮箱搜索"


class ChineseLabelsForm(forms.ModelForm):
    """Any device form with the labels and help texts of LABELS (the models' own are English)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in LABELS:
                field.label, field.help_text = LABELS[name]


def titled(filter_class, title):
    """`filter_class` under a Chinese title: Django titles a field's list filter with its verbose_name."""

    def __init__(self, *args, **kwargs):
        filter_class.__init__(self, *args, **kwargs)
        self.title = title

    return type(filter_class.__name__, (filter_class,), {"__init__": __init__})


class DeviceColumns:
    """The columns, read-only values and filters both device admins share, described in Chinese."""

    form = ChineseLabelsForm
    list_display = ["account", "name_column", "created", "last_used", "confirmed_column"]
    list_filter = [
        ("created_at", titled(admin.DateFieldListFilter, "创建时间")),
        ("last_used_at", titled(admin.DateFieldListFilter, "最近使用时间")),
        ("confirmed", titled(admin.BooleanFieldListFilter, "已确认")),
    ]
    search_help_text = SEARCH_HELP

    @admin.display(description="账号", ordering="user__username")
    def account(self, device):
        return device.user

    @admin.display(description="名称", ordering="name")
    def name_column(self, device):
        return device.name

    @admin.display(description="已确认", boolean=True, ordering="confirmed")
    def confirmed_column(self, device):
        return device.confirmed

    @admin.display(description="创建时间", ordering="created_at")
    def created(self, device):
        return self._shown(device.created_at)

    @admin.display(description="最近使用时间", ordering="last_used_at")
    def last_used(self, device):
        return self._shown(device.last_used_at)

    def _shown(self, value):
        # As the admin shows a date field (localized, "-" when empty); a read-only callable's value would be
        # printed raw ("None").
        return display_for_value(value, self.get_empty_value_display())


IDENTITY, TIMES = "设备", "时间"


class TOTPDeviceAdmin(DeviceColumns, totp_admin.TOTPDeviceAdmin):
    """The authenticator apps (验证器设备) of the accounts."""

    readonly_fields = ["created", "last_used", "qrcode_link"]

    @admin.display(description="二维码")
    def qrcode_link(self, device):
        href = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
        return format_html('<a href="{}">查看二维码</a>', href)

    def get_fieldsets(self, request, obj=None):
        # As the library's, in Chinese: the key only when adding or when sensitive data is shown.
        hide = otp_settings.OTP_ADMIN_HIDE_SENSITIVE_DATA
        configuration = (
            ["step", "t0", "digits", "tolerance"] if hide and obj else ["key", "step", "t0", "digits", "tolerance"]
        )
        fieldsets = [
            (IDENTITY, {"fields": ["user", "name", "confirmed"]}),
            (TIMES, {"fields": ["created", "last_used"]}),
            ("配置", {"fields": configuration}),
            ("状态", {"fields": ["drift"]}),
            ("失败限制", {"fields": ["throttling_failure_timestamp", "throttling_failure_count"]}),
        ]
        if not hide and obj:
            fieldsets.append(("二维码", {"fields": ["qrcode_link"]}))
        return fieldsets


class StaticTokenInline(static_admin.StaticTokenInline):
    form = ChineseLabelsForm


class StaticDeviceAdmin(DeviceColumns, static_admin.StaticDeviceAdmin):
    """The backup codes (备用验证码组) of the accounts."""

    readonly_fields = ["created", "last_used"]
    fieldsets = [
        (IDENTITY, {"fields": ["user", "name", "confirmed"]}),
        (TIMES, {"fields": ["created", "last_used"]}),
    ]
    inlines = [StaticTokenInline]


for model, model_admin in ((TOTPDevice, TOTPDeviceAdmin), (StaticDevice, StaticDeviceAdmin)):
    if admin.site.is_registered(model):  # the library's own, registered as its app's admin module loaded
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
