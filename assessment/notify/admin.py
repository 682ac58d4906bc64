from django.contrib import admin

from .models import CellReminder, Delivery, Follow, NoticePreference, Receipt, Reminder, UnitRobot


@admin.register(UnitRobot)
class UnitRobotAdmin(admin.ModelAdmin):
    list_display = ["unit", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "channel", "unit", "user", "status", "attempts"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["unit__name", "recipient", "title"]
    list_select_related = ["unit", "user"]
    readonly_fields = [f.name for f in Delivery._meta.fields]


@admin.register(CellReminder)
class CellReminderAdmin(admin.ModelAdmin):
    list_display = ["cell", "stage", "unit", "first_sent_on", "last_sent_on", "times"]
    list_filter = ["stage"]
    list_select_related = ["unit"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "indicator", "created_at", "digested_until"]
    list_select_related = ["user", "unit", "indicator__scheme"]


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "mode"]
    list_filter = ["mode"]
    list_select_related = ["user"]


class ReceiptInline(admin.TabularInline):
    model = Receipt
    fields = ["unit", "acknowledged_at", "acknowledged_by", "pressed"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["created_at", "single", "year", "created_by"]
    list_filter = ["single"]
    list_select_related = ["created_by"]
    readonly_fields = ["year", "single", "message", "created_at", "created_by"]
    inlines = [ReceiptInline]
