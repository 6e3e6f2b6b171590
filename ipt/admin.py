from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from ipt.accounts.models import AccessEvent, AuthEvent, Role, StaffChange, User

# Who an admin may never change about their own account: what they may see or do.
OWN_ACCOUNT_READONLY = (
    "role",
    "supervisor",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Staff accounts. A clinic admin manages others' accounts but cannot raise their own: no
    change to their own role, supervisor or rights (so they can never make themselves a
    supervisor and read a caseload); every change to a role, a supervisor or admin rights is
    recorded (StaffChange)."""

    list_display = ["username", "first_name", "last_name", "role", "supervisor", "is_active"]
    list_filter = ["role", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += [f for f in OWN_ACCOUNT_READONLY if f not in fields]
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "supervisor":
            # Nobody is made the supervisor of a caseload by way of their own admin session.
            kwargs["queryset"] = User.objects.filter(role=Role.SUPERVISOR).exclude(
                pk=request.user.pk
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        before = User.objects.get(pk=obj.pk) if change else None
        if before is not None and obj.pk == request.user.pk:
            for name in OWN_ACCOUNT_READONLY[:4]:  # belt and braces beside the read-only form
                setattr(obj, name, getattr(before, name))
        super().save_model(request, obj, form, change)
        StaffChange.record_changes(request.user, before, obj)

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


@admin.register(StaffChange)
class StaffChangeAdmin(ReadOnlyAudit):
    list_display = ["at", "by", "user", "field", "before", "after"]
    list_filter = ["field"]
    date_hierarchy = "at"


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
