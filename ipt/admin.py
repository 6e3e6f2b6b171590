from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

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
    actions = ["reset_second_factor"]

    @admin.action(description="Reset the sign-in code (lost phone: they set up a new one)")
    def reset_second_factor(self, request, queryset):
        """Deletes the chosen users' authenticator and recovery codes, recorded as a staff
        change; they enrol again at their next sign-in. The keys themselves are never shown
        in the admin (django-otp's device admin is not registered)."""
        reset = 0
        with transaction.atomic():
            for user in queryset.select_for_update():
                if user.pk == request.user.pk:
                    continue  # one's own factor is reset by another admin
                devices = TOTPDevice.objects.filter(user=user).count()
                TOTPDevice.objects.filter(user=user).delete()
                StaticDevice.objects.filter(user=user).delete()
                StaffChange.objects.create(
                    by=request.user,
                    user=user,
                    field="second factor",
                    before=f"{devices} authenticator{'s' if devices != 1 else ''}",
                    after="reset",
                )
                reset += 1
        self.message_user(request, f"Sign-in code reset for {reset} account(s).", messages.SUCCESS)

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


# django-otp registers its devices in the admin, where a device's page shows its secret key and
# QR code: nobody, the clinic admin included, may read another user's second factor.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)

# django-tasks-db lists the task queue in the admin, with each task's arguments, result and
# traceback: what a failed render says may quote the record. The queue is the worker's, not the
# clinic admin's; its state reaches clinicians on the pages that asked for the work.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
