"""The admin of login accounts: a user's second factor (reset when a phone is lost) and login locks.

Only administrators hold the permissions of these pages (``berjasa.roles``); operators manage no users.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from berjasa.accounts import lift_login_locks, reset_second_factor

admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = (*UserAdmin.list_display, "has_second_factor")
    actions = ("reset_second_factors",)

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
