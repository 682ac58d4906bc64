from django.contrib import admin

from .models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source_label", "year", "quarter"]
    list_filter = ["kind", "year", "quarter", "source_unit__category"]
    search_fields = ["title", "subtitle", "body", "source_label"]
    autocomplete_fields = ["source_unit"]
    list_select_related = ["source_unit"]
