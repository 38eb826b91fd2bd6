"""The admin of login accounts: a user's second factor (reset when a phone is lost) and login locks.

Only administrators hold the permissions of these pages (``berjasa.roles``); operators manage no users.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Exists, OuterRef
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from berjasa.accounts import lift_login_locks, reset_second_factor
from berjasa.roles import Role, role_label
from berjasa.third_party import translatable

admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)

# django-otp writes its search help text in English from the user model's field names.
DEVICE_SEARCH_HELP = _("Search by the user's username or email address")


PERMISSION_ACTIONS = {
    "add": _("may add"),
    "change": _("may change"),
    "delete": _("may delete"),
    "view": _("may view"),
}


def permission_label(permission: Permission) -> str:
    """``Pekerja: boleh menambah``: Django stores a permission's name in English (``Can add worker``)."""
    action, _sep, _model = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if model is None or action not in PERMISSION_ACTIONS:
        return gettext(permission.name)  # a model's own permission, named in its Meta
    return f"{capfirst(model._meta.verbose_name)}: {PERMISSION_ACTIONS[action]}"


def labelled_choices(field, db_field_name: str):
    """Permissions in a user's or group's form by their Indonesian names (role groups read as their roles)."""
    if db_field_name in ("permissions", "user_permissions"):
        field.label_from_instance = permission_label
    return field


class WithoutLinkRowsMixin:
    """A delete's summary without the rows of many-to-many link tables (``LINKS``; by default those linking users,
    groups and permissions: "Group_permissions object (1)"): deleting a row deletes only its links, never the
    rows linked."""

    LINKS = (Group.permissions.through, User.groups.through, User.user_permissions.through)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        prefixes = tuple(f"{capfirst(link._meta.verbose_name)}: " for link in self.LINKS)
        for link in self.LINKS:
            counts.pop(link._meta.verbose_name_plural, None)
        return without_lines(deleted, prefixes), counts, perms_needed, protected


@admin.register(Group)
class RoleGroupAdmin(WithoutLinkRowsMixin, GroupAdmin):
    """The roles' groups, by their roles' names; their permissions by Indonesian names."""

    list_display = ("role",)

    @admin.display(description=_("role"), ordering="name")
    def role(self, group: Group) -> str:
        return role_label(group)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return labelled_choices(field, db_field.name)


def without_lines(nested: list, prefixes: tuple[str, ...]) -> list:
    """Django's nested list of deleted objects without the lines that start with one of ``prefixes``."""
    kept = []
    for item in nested:
        if isinstance(item, list):
            if inner := without_lines(item, prefixes):
                kept.append(inner)
        elif not str(item).startswith(prefixes):
            kept.append(item)
    return kept


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


@admin.register(User)
class AccountAdmin(WithoutLinkRowsMixin, UserAdmin):
    list_display = (*UserAdmin.list_display, "has_second_factor")
    list_filter = (*(name for name in UserAdmin.list_filter if name != "groups"), RoleFilter)
    actions = ("reset_second_factors",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return labelled_choices(field, db_field.name)

    def get_queryset(self, request):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(second_factor=Exists(devices))

    @admin.display(description=_("second factor"), boolean=True, ordering="second_factor")
    def has_second_factor(self, user: User) -> bool:
        return user.second_factor

    @admin.action(
        description=_("Reset the second factor (lost phone): enrol again at next login"),
        permissions=("change",),
    )
    def reset_second_factors(self, request, queryset):
        users = list(queryset)
        for user in users:
            reset_second_factor(user, acting_user=request.user)
        self.message_user(
            request,
            ngettext(
                "Second factor reset for %(count)d account; it enrols again at its next login.",
                "Second factor reset for %(count)d accounts; each enrols again at its next login.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


@admin.register(AccessAttempt)
class LoginLockAdmin(AccessAttemptAdmin):
    """Failed logins still counted (per account and address); the action lifts their locks.

    axes' "status" column and "locked out" filter compare each row with the account limit, while a lock counts
    an account's rows together (and an address's against its own limit): left out rather than wrong.
    """

    list_display = [name for name in AccessAttemptAdmin.list_display if name != "status"]
    list_filter = ["attempt_time", "path_info"]
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    actions = ("lift_locks",)

    @admin.action(description=_("Lift the login lock"), permissions=("delete",))
    def lift_locks(self, request, queryset):
        usernames = {
            username for username in queryset.values_list("username", flat=True) if username
        }
        lift_login_locks(usernames=usernames, acting_user=request.user)
        self.message_user(
            request,
            ngettext(
                "Login lock lifted for %(count)d account.",
                "Login lock lifted for %(count)d accounts.",
                len(usernames),
            )
            % {"count": len(usernames)},
            messages.SUCCESS,
        )


class LoginFailureLogAdmin(AccessFailureLogAdmin):
    """One row per failed login: a table that only grows, listed without facet or full counts."""

    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False


class LoginLogAdmin(AccessLogAdmin):
    """One row per login, listed without facet or full counts."""

    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False


admin.site.register(AccessFailureLog, LoginFailureLogAdmin)
admin.site.register(AccessLog, LoginLogAdmin)


class SecondFactorDeviceAdminMixin:
    """django-otp's device pages with Indonesian search help and section names (plain English in the package)."""

    search_help_text = DEVICE_SEARCH_HELP

    def get_fieldsets(self, request, obj=None):
        return [
            (translatable(name), options) for name, options in super().get_fieldsets(request, obj)
        ]


@admin.register(TOTPDevice)
class AuthenticatorAppAdmin(SecondFactorDeviceAdminMixin, TOTPDeviceAdmin):
    pass


@admin.register(StaticDevice)
class RecoveryCodesAdmin(SecondFactorDeviceAdminMixin, StaticDeviceAdmin):
    pass
