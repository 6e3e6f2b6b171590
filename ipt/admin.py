from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from ipt.accounts.models import AccessEvent, AuthEvent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "supervisor", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Clinical role", {"fields": ("role", "supervisor")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Clinical role", {"fields": ("first_name", "last_name", "role", "supervisor")}),
    )


class ReadOnlyAudit(admin.ModelAdmin):
    """The audit trail is read-only, even for administrators."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuthEvent)
class AuthEventAdmin(ReadOnlyAudit):
    list_display = ["at", "kind", "username", "user", "status", "method", "path", "ip_address"]
    list_filter = ["kind"]
    date_hierarchy = "at"


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAudit):
    """Who looked at or changed which patient's record."""

    """The audit trail is read-only, even for administrators."""

    list_display = ["at", "user", "patient_id", "action", "method", "path", "ip_address"]
    list_filter = ["action"]
    date_hierarchy = "at"
