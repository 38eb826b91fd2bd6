"""Disnaker's work list of identity checks to resolve (``IdentityProofAttempt``), in the admin.

The list opens on the refused attempts still open. An attempt's page shows what the employer gave beside the
record and, to operators and administrators, two buttons: link the person to the employer (``hire_worker`` with
the start date and wage the employer gave) or dismiss with a reason. Both are POST-only views that call the
services of ``enrollment.services.identity``. Attempts are written by the services only: no add, change or
delete here.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from berjasa.admin.common import FormattedNumbersMixin
from berjasa.formatting import rupiah, short_date
from enrollment.models import Employment, IdentityProofAttempt
from enrollment.services.identity import dismiss_attempt, link_after_review
from privacy.admin import PersonalDataAdminMixin

Outcome = IdentityProofAttempt.Outcome
Resolution = IdentityProofAttempt.Resolution
OPEN = "open"


class StateFilter(admin.SimpleListFilter):
    """To resolve (the default), resolved, or every attempt (matched and throttled ones too)."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            (OPEN, _("To resolve")),
            ("resolved", _("Resolved")),
            ("all", _("All attempts")),
        ]

    def value(self):
        return super().value() or OPEN

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == OPEN:
            return queryset.filter(outcome=Outcome.REFUSED, resolution=Resolution.OPEN)
        if self.value() == "resolved":
            return queryset.filter(outcome=Outcome.REFUSED).exclude(resolution=Resolution.OPEN)
        return queryset


@admin.register(IdentityProofAttempt)
class IdentityProofAttemptAdmin(FormattedNumbersMixin, PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "employer", "nik", "outcome", "resolution")
    list_filter = (StateFilter, "outcome", "channel")
    list_select_related = ("employer", "user")
    search_fields = ("=nik", "=employer__npp")
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    change_form_template = "admin/enrollment/identityproofattempt/change_form.html"
    fieldsets = (
        (_("Beside the record"), {"fields": ("comparison", "employers_now")}),
        (
            _("The attempt"),
            {
                "fields": (
                    "created_at",
                    "user",
                    "employer",
                    "nik",
                    "worker",
                    "channel",
                    "import_batch",
                    "row_number",
                    "outcome",
                    "start_date",
                    "wage_given",
                    "employment",
                )
            },
        ),
        (
            _("Resolution"),
            {"fields": ("resolution", "resolved_by", "resolved_at", "resolution_note")},
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        return [name for _title, options in self.fieldsets for name in options["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("worker", "employer", "user")

    def changelist_view(self, request, extra_context=None):
        if request.GET.get(StateFilter.parameter_name, OPEN) == OPEN:
            extra_context = {
                **(extra_context or {}),
                "title": gettext("Identity checks to resolve"),
            }
        return super().changelist_view(request, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            title=gettext("Identity check"),
            show_save=False,
            show_save_and_continue=False,
            show_save_and_add_another=False,
            show_delete=False,
            may_resolve=obj is not None and self._may_resolve(request, obj),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _may_resolve(self, request, obj: IdentityProofAttempt) -> bool:
        is_open = obj.outcome == Outcome.REFUSED and obj.resolution == Resolution.OPEN
        return is_open and self.has_change_permission(request, obj)

    # --- beside the record ----------------------------------------------------------------------------------

    @admin.display(description=_("given by the employer and on record"))
    def comparison(self, obj: IdentityProofAttempt) -> str:
        worker = obj.worker
        rows = [
            (gettext("Name"), obj.offered_name, worker.name, obj.name_matched),
            (
                gettext("Birth date"),
                "",
                short_date(worker.birth_date),
                obj.birth_date_matched,
            ),
            (gettext("Sex"), "", worker.get_sex_display(), obj.sex_matched),
            (capfirst(gettext("KPJ number")), obj.offered_kpj, worker.kpj or "", obj.kpj_matched),
            (gettext("Phone"), obj.offered_phone, worker.phone, obj.phone_matched),
        ]
        body = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (label, given or "—", recorded or "—", _matched(flag))
                for label, given, recorded, flag in rows
            ),
        )
        return format_html(
            "<table><thead><tr><th></th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>"
            "<p class='help'>{}</p>",
            gettext("Given"),
            gettext("On record"),
            gettext("Matches"),
            body,
            gettext(
                "What the employer typed is kept only until the attempt is resolved; the birth date and sex "
                "it gave are not kept, only whether they matched."
            ),
        )

    @admin.display(description=_("monthly wage given (Rp)"))
    def wage_given(self, obj: IdentityProofAttempt) -> str:
        return rupiah(obj.monthly_wage) if obj.monthly_wage is not None else "—"

    @admin.display(description=_("employers now"))
    def employers_now(self, obj: IdentityProofAttempt) -> str:
        employments = (
            Employment.objects.filter(worker_id=obj.worker_id, end_date__isnull=True)
            .select_related("employer")
            .order_by("start_date")
        )
        return (
            format_html_join(
                ", ",
                "{} ({})",
                (
                    (employment.employer, short_date(employment.start_date))
                    for employment in employments
                ),
            )
            or "—"
        )

    # --- resolving -------------------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/link/",
                view(require_POST(self.link_view)),
                name="enrollment_identityproofattempt_link",
            ),
            path(
                "<int:pk>/dismiss/",
                view(require_POST(self.dismiss_view)),
                name="enrollment_identityproofattempt_dismiss",
            ),
            *super().get_urls(),
        ]

    def link_view(self, request, pk: int):
        attempt = self._attempt_to_resolve(request, pk)
        try:
            employment = link_after_review(
                attempt, acting_user=request.user, note=request.POST.get("note", "")
            )
        except ValidationError as error:
            return self._refused(request, attempt, error)
        self.log_change(request, attempt, gettext("Linked to the employer."))
        self.message_user(
            request,
            gettext("%(person)s is now on the roster of %(employer)s.")
            % {"person": employment.worker.name, "employer": employment.employer.name},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:enrollment_identityproofattempt_changelist"))

    def dismiss_view(self, request, pk: int):
        attempt = self._attempt_to_resolve(request, pk)
        try:
            dismiss_attempt(attempt, acting_user=request.user, reason=request.POST.get("note", ""))
        except ValidationError as error:
            return self._refused(request, attempt, error)
        self.log_change(request, attempt, gettext("Dismissed."))
        self.message_user(request, gettext("The attempt was dismissed."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:enrollment_identityproofattempt_changelist"))

    def _attempt_to_resolve(self, request, pk: int) -> IdentityProofAttempt:
        attempt = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, attempt):
            raise PermissionDenied
        return attempt

    def _refused(self, request, attempt: IdentityProofAttempt, error: ValidationError):
        for message in error.messages:
            self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(
            reverse("admin:enrollment_identityproofattempt_change", args=[attempt.pk])
        )


def _matched(flag: bool | None) -> str:
    if flag is None:
        return "—"
    return gettext("yes") if flag else gettext("no")
