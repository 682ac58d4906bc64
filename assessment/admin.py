from django.contrib import admin

from assessment.directory.forms import IndicatorForm
from assessment.marks.services import HOW

from .models import (
    Category,
    Deduction,
    DueOverride,
    Indicator,
    Mark,
    Note,
    Reporter,
    RuleGroup,
    Scheme,
    SchemeUnit,
    Unit,
    YearEndAssessment,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "full_name", "category", "order", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "full_name"]
    list_select_related = ["category"]


class IndicatorAdminForm(IndicatorForm):
    """The portal's indicator form (allowed values as checkboxes), with the column's place as a field."""

    class Meta(IndicatorForm.Meta):
        fields = ["order", *IndicatorForm.Meta.fields]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    form = IndicatorAdminForm
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "rule_group":
            kwargs["queryset"] = RuleGroup.objects.select_related("note", "scheme__category")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class NoteInline(admin.StackedInline):
    model = Note
    extra = 0
    filter_horizontal = ["indicators"]


class SchemeUnitInline(admin.TabularInline):
    model = SchemeUnit
    extra = 0
    autocomplete_fields = ["unit"]


class RuleGroupInline(admin.TabularInline):
    """Columns one note scores together; pick the group on each indicator above."""

    model = RuleGroup
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["year", "category"]
    list_filter = ["year", "category"]
    inlines = [IndicatorInline, NoteInline, SchemeUnitInline, RuleGroupInline]


@admin.register(Mark)
class MarkAdmin(admin.ModelAdmin):
    list_display = ["unit", "indicator", "state", "count", "updated_at", "updated_by"]
    list_filter = ["indicator__scheme__year", "indicator__scheme__category", "state"]
    search_fields = ["unit__name", "indicator__title"]
    list_select_related = ["unit", "indicator__scheme__category", "updated_by"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["version", "updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        obj.updated_by = request.user
        obj._change_reason = HOW.ADMIN
        super().save_model(request, obj, form, change)


@admin.register(DueOverride)
class DueOverrideAdmin(admin.ModelAdmin):
    """The office's changed due dates (also set from a cell's history panel or the unit page)."""

    list_display = ["unit", "indicator", "date", "reason", "set_by", "set_at"]
    list_filter = ["indicator__scheme"]
    search_fields = ["unit__name", "indicator__title", "reason"]
    list_select_related = ["unit", "indicator__scheme__category", "set_by"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["set_by", "set_at"]

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Reporter)
class ReporterAdmin(admin.ModelAdmin):
    list_display = ["user", "unit"]
    search_fields = ["user__username", "unit__name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["user", "unit"]


@admin.register(Deduction)
class DeductionAdmin(admin.ModelAdmin):
    list_display = ["date", "unit", "indicator", "count", "amount", "entered_by", "confirmed_at"]
    list_filter = ["indicator__scheme__year", "indicator__scheme__category"]
    search_fields = ["unit__name", "indicator__title", "reason"]
    list_select_related = ["unit", "indicator__scheme__category", "entered_by"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["entered_by", "entered_at", "confirmed_by", "confirmed_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(YearEndAssessment)
class YearEndAssessmentAdmin(admin.ModelAdmin):
    """Frozen results are read here, never edited: a correction is a new version (close the year again)."""

    list_display = ["year", "version", "closed_at", "closed_by", "reason"]
    list_filter = ["year"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
