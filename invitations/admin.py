"""Invitations in the admin: the list (with each one's mail as the outbox knows it), re-send and revoke.

Rows are written by ``invitations.services`` only (the employers' action "Invite to the portal", the portal's
team page): nobody adds, edits or deletes one here; operators and administrators re-send and revoke.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from berjasa.admin.common import OneQueryInlineMixin
from berjasa.admin.history import AuditHistoryAdminMixin
from berjasa.formatting import date_time, number
from invitations import services
from invitations.models import Invitation
from mailing.models import OutgoingMail


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Invitation.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Invitation.Status.values:
            return queryset.with_status_filter(self.value())
        return queryset


def mail_state(invitation: Invitation) -> str:
    """The latest mail as the outbox knows it: sent at …, queued, bounced or failed with the reason."""
    mail = invitation.mail
    if mail is None:
        return "—"
    if mail.status == OutgoingMail.Status.SENT and mail.sent_at:
        return gettext("Sent %(when)s") % {"when": date_time(mail.sent_at)}
    label = mail.get_status_display()
    if mail.last_error and mail.status in (
        OutgoingMail.Status.BOUNCED,
        OutgoingMail.Status.FAILED,
        OutgoingMail.Status.RETRYING,
    ):
        return f"{label}: {mail.last_error}"
    return str(label)


@admin.register(Invitation)
class InvitationAdmin(AuditHistoryAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "employer",
        "email",
        "kind",
        "invited_by",
        "created_at",
        "mail_column",
        "expires_at",
        "status_column",
    )
    list_filter = (StatusFilter, "kind", ("mail__status", admin.ChoicesFieldListFilter))
    list_select_related = ("employer", "invited_by", "mail", "revoked_by")
    search_fields = ("=employer__npp", "employer__name", "email")
    search_help_text = _("NPP, part of the employer's name, or the e-mail address.")
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    actions = ("resend", "revoke")
    enforce_history_permissions = True
    exclude = ("nonce",)

    @admin.display(description=_("e-mail"), ordering="mail__sent_at")
    def mail_column(self, invitation: Invitation) -> str:
        return mail_state(invitation)

    @admin.display(description=_("status"))
    def status_column(self, invitation: Invitation) -> str:
        label = invitation.get_status_display()
        if invitation.revoked_at:
            by = invitation.revoked_by.get_username() if invitation.revoked_by else ""
            return format_html(
                "{}<br><small>{} {}</small>", label, date_time(invitation.revoked_at), by
            )
        if invitation.accepted_at:
            return format_html("{}<br><small>{}</small>", label, date_time(invitation.accepted_at))
        return label

    def get_readonly_fields(self, request, obj=None):
        return [
            *(f.name for f in self.model._meta.concrete_fields if f.name != "nonce"),
            "mail_column",
            "status_column",
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_permission(self, request, obj=None):
        """The list's actions need it; a row itself is never edited (its page is read-only)."""
        return obj is None and super().has_change_permission(request, obj)

    def _each(self, request, queryset, action) -> int:
        done = 0
        for invitation in queryset.select_related("employer"):
            try:
                action(invitation, acting_user=request.user)
            except ValidationError as error:
                self.message_user(
                    request, f"{invitation}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                done += 1
        return done

    @admin.action(
        description=_("Send again (a new link; the old one stops working)"),
        permissions=["change"],
    )
    def resend(self, request, queryset):
        done = self._each(request, queryset, services.resend_invitation)
        if done:
            message = ngettext(
                "%(count)s invitation sent again.", "%(count)s invitations sent again.", done
            )
            self.message_user(request, message % {"count": number(done)}, messages.SUCCESS)

    @admin.action(description=_("Revoke (the link stops working)"), permissions=["change"])
    def revoke(self, request, queryset):
        done = self._each(request, queryset, services.revoke_invitation)
        if done:
            message = ngettext(
                "%(count)s invitation revoked.", "%(count)s invitations revoked.", done
            )
            self.message_user(request, message % {"count": number(done)}, messages.SUCCESS)


class InvitationInline(OneQueryInlineMixin, admin.TabularInline):
    """An employer's invitations on its page: to whom, by whom, the mail and the status."""

    model = Invitation
    fields = (
        "email",
        "kind",
        "invited_by",
        "created_at",
        "mail_column",
        "expires_at",
        "status_column",
    )
    readonly_fields = fields
    select_related = ("invited_by", "mail", "revoked_by")
    extra = 0
    show_change_link = True
    verbose_name_plural = _("invitations to the portal")

    mail_column = InvitationAdmin.mail_column
    status_column = InvitationAdmin.status_column

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
