from django.contrib import admin

from .models import Case, CaseAttachment, CaseCountRecord, CaseDuty, CaseTransition


class CaseAttachmentInline(admin.TabularInline):
    model = CaseAttachment
    extra = 0
    fields = ["name", "kind_label", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


class CaseTransitionInline(admin.TabularInline):
    model = CaseTransition
    extra = 0
    fields = ["at", "by", "from_status", "to_status", "reason"]
    readonly_fields = fields
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source_label", "year", "quarter", "status", "for_bulletin"]
    list_filter = ["status", "kind", "for_bulletin", "year", "quarter", "source_unit__category"]
    search_fields = ["title", "subtitle", "body", "source_label", "subject"]
    autocomplete_fields = ["source_unit"]
    list_select_related = ["source_unit"]
    # Status changes go through cases.services (logged, emailed), never through the admin form.
    readonly_fields = ["status", "created_by", "submitted_by", "submitted_at", "accepted_at"]
    inlines = [CaseAttachmentInline, CaseTransitionInline]


@admin.register(CaseCountRecord)
class CaseCountRecordAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "covers", "date", "count", "note", "created_by"]
    list_filter = ["year", "first_quarter", "last_quarter", "unit__category"]
    search_fields = ["unit__name", "note"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "created_by"]
    readonly_fields = ["created_by"]

    @admin.display(description="所涵盖的季度")
    def covers(self, obj):
        return obj.quarters_label

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CaseDuty)
class CaseDutyAdmin(admin.ModelAdmin):
    list_display = ["indicator", "per_quarter"]
    list_select_related = ["indicator__scheme__category"]
