from django.contrib import admin

from .models import AccountProfile


@admin.register(AccountProfile)
class AccountProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "must_change_password"]
    search_fields = ["user__username", "phone"]
    list_select_related = ["user"]
