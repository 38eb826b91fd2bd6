"""The outbox in the admin: every mail the portal queued, what became of it, and the mail as it is sent.

Read-only (code queues mails; nobody adds, changes or deletes one). The page of a mail shows its subject and
body rendered from its kind's template, a kind's secret values (an activation link) as •••. The action "Send
again" queues failed, bounced and waiting mails again now (``mailing.services.retry_mails``; in the admin's log).
Administrators and operators (view and send again; ``berjasa.roles``).
"""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from berjasa.admin.common import (
    FormattedNumbersMixin,
    IdentifierSearchMixin,
    ReadOnlyAdminMixin,
    formatted_column,
)
from berjasa.formatting import date_time
from mailing import kinds
from mailing.models import OutgoingMail
from mailing.rendering import render
from mailing.services import retry_mails

RETRY_PERMISSION = "mailing.retry_outgoingmail"


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return kinds.kind_choices()

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(OutgoingMail)
class OutgoingMailAdmin(
    FormattedNumbersMixin, IdentifierSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    # moments as ``31/08/2025 23.59 WITA``, sortable by their field; "—" when empty
    queued_at = staticmethod(formatted_column("created_at", _("queued at"), date_time))
    next_attempt = staticmethod(
        formatted_column("next_attempt_at", _("next attempt at"), date_time)
    )
    sent = staticmethod(formatted_column("sent_at", _("sent at"), date_time))

    list_display = (
        "queued_at",
        "kind_label",
        "recipient",
        "employer",
        "status",
        "attempts",
        "next_attempt",
        "sent",
        "short_error",
    )
    list_filter = ("status", KindFilter)
    list_select_related = ("employer",)
    search_fields = ("recipient", "employer__name")
    identifier_search_fields = ("employer__npp",)
    search_help_text = _("The recipient's address, the employer's name or its NPP.")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["send_again"]
    fields = (
        "kind_label",
        "recipient",
        "employer",
        "language",
        "status",
        "attempts",
        "queued_at",
        "created_by",
        "next_attempt",
        "sent",
        "last_error",
        "message_id",
        "rendered_subject",
        "rendered_body",
    )
    readonly_fields = fields

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, mail: OutgoingMail) -> str:
        return mail.get_kind_display()

    @admin.display(description=_("last error"), ordering="last_error")
    def short_error(self, mail: OutgoingMail) -> str:
        error = mail.last_error
        return error if len(error) <= 80 else f"{error[:79]}…"

    @admin.display(description=_("Message-ID"))
    def message_id(self, mail: OutgoingMail) -> str:
        return mail.message_id

    def _rendered(self, mail: OutgoingMail):
        """The mail as it is sent (its secrets masked), or why it cannot be shown."""
        cached = getattr(mail, "_preview", None)
        if cached is None:
            try:
                cached = render(mail, preview=True)
            except kinds.Withdrawn:
                cached = gettext("Withdrawn: what this mail was about is no longer current.")
            except Exception as error:  # a broken template or an unknown kind: say so on the page
                cached = gettext("It cannot be shown: %(error)s") % {
                    "error": f"{type(error).__name__}: {error}"
                }
            mail._preview = cached
        return cached

    @admin.display(description=_("subject"))
    def rendered_subject(self, mail: OutgoingMail) -> str:
        rendered = self._rendered(mail)
        return rendered if isinstance(rendered, str) else rendered.subject

    @admin.display(description=_("message"))
    def rendered_body(self, mail: OutgoingMail) -> str:
        rendered = self._rendered(mail)
        if isinstance(rendered, str):
            return "—"
        return format_html('<pre class="mail-body">{}</pre>', rendered.body)

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm(RETRY_PERMISSION)

    @admin.action(description=_("Send again"), permissions=["retry"])
    def send_again(self, request, queryset):
        chosen = list(queryset.values_list("pk", flat=True))
        queued = retry_mails(chosen, acting_user=request.user)
        if queued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail queued to be sent again.",
                    "%(count)d e-mails queued to be sent again.",
                    queued,
                )
                % {"count": queued},
                messages.SUCCESS,
            )
        if queued < len(chosen):
            self.message_user(
                request,
                gettext(
                    "Only failed, bounced or waiting e-mails are sent again; the others were left as they are."
                ),
                messages.WARNING,
            )
