from django.contrib import admin

from core.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes an audit entry, in the admin or anywhere else."""

    list_display = ["at", "actor_name", "ip", "action", "object_type", "object_text", "result"]
    list_filter = ["action", "result"]
    search_fields = ["actor_name", "object_text", "detail", "ip"]
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEntry._meta.fields]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
