"""The admin of employers, workers, employments, memberships, claims and import batches.

Sized for the full city: ~310,000 workers, ~1.1 million memberships. Every changelist joins what its columns
show (``list_select_related``), orders by an indexed column and filters through indexes or ``EXISTS``; every
foreign key to a worker, employer or kelurahan is an autocomplete. ``bench/admin_changelists.py`` measures it.
"""

from datetime import date, datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from berjasa.admin.common import (
    ActiveFilter,
    CountedDeleteMixin,
    FormattedNumbersMixin,
    IdentifierSearchMixin,
    OneQueryInlineMixin,
    ReadOnlyAdminMixin,
    StreamedExportMixin,
    count_column,
    rupiah_column,
)
from berjasa.admin.history import AuditHistoryAdminMixin
from berjasa.admin.import_export_pages import ReadableImportExportMixin
from berjasa.audit import Channel
from berjasa.formatting import date_time, number, short_date
from enrollment import services
from enrollment.admin.actions import (
    approve_change_requests,
    end_memberships,
    mark_paid,
    mark_rejected,
    mark_verified,
    reject_change_requests,
    seen_version_name,
    terminate_employments,
)
from enrollment.admin.imports import ImportUploadForm, ImportUploadViews
from enrollment.forms import (
    AdminChannelForm,
    ClaimAdminForm,
    EmployerAdminForm,
    EmploymentAdminForm,
    EnrolmentAdminForm,
    RecordImportForm,
    WorkerAdminForm,
)
from enrollment.models import (
    Claim,
    Employer,
    EmployerUser,
    Employment,
    ImportBatch,
    Membership,
    PersonalDataChangeRequest,
    Worker,
    adopt,
)
from enrollment.portal.change_requests import request_lines
from enrollment.resources import (
    ClaimResource,
    EmployerResource,
    EmploymentResource,
    MembershipResource,
    WorkerResource,
)
from enrollment.services.claims import RECORDED_FIELDS
from invitations.admin import InvitationInline
from invitations.services import invite_employers
from privacy.admin import PersonalDataAdminMixin, RetainedFilesAdminMixin
from programs.models import Program, Segment, SegmentGroup

# Filled in by the admin or by an import, never typed: shown on the record, read-only.
RECORD_FIELDS = ("entered_via", "import_batch", "created_at", "updated_at")


class RecordAdmin(
    FormattedNumbersMixin,
    CountedDeleteMixin,
    IdentifierSearchMixin,
    StreamedExportMixin,
    ReadableImportExportMixin,
    ImportExportMixin,
    AuditHistoryAdminMixin,
    SimpleHistoryAdmin,
):
    """The records of people and employers: entered in the admin, imported or created by the portal.

    Their audit history (django-simple-history: who, when, what, through which channel) is behind each
    record's History button. Import and Export (CSV, XLSX) use the model's resource in
    ``enrollment.resources``: the same cell and model rules, an import batch, history through the IMPORT
    channel. Rosters and the DTSEN list have their own upload (import batches → Upload). An employer with a
    roster (or anything else still referring to a record) is not deleted: its delete page counts what does.
    """

    formats = (CSV, XLSX)
    import_form_class = RecordImportForm

    form = AdminChannelForm
    # Its History button shows only to those who may read the history.
    change_form_template = "admin/enrollment/record_change_form.html"
    # History is read with the historical models' own permissions, which only administrators hold.
    enforce_history_permissions = True
    # The unfiltered total is one more COUNT(*) over the table on every filtered page; "Show all" is enough.
    show_full_result_count = False
    # "Show counts" counts every choice of every filter over the filtered rows: minutes at full scale.
    show_facets = admin.ShowFacets.NEVER

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *RECORD_FIELDS)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_read_history"] = self.has_view_history_or_change_history_permission(
            request, obj
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def process_result(self, result, request):
        """A confirmed file with rows refused now (records changed since its preview) wrote nothing: say so."""
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        self.message_user(
            request,
            gettext(
                "Nothing was imported: some rows are refused now that the records have changed since "
                "the preview. Import the file again to see which."
            ),
            messages.ERROR,
        )
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version can be looked at, not restored: a revert would write it past the services."""
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ServiceRefusal(Exception):
    """A service refused what the admin's form asked; the change view's transaction is rolled back."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(error.messages)
        self.messages = error.messages


def refused_form(form_class: type, refusal: ServiceRefusal) -> type:
    """``form_class``, showing the service's refusal as the form's own error."""

    class RefusedForm(form_class):
        def clean(self):
            super().clean()
            raise ValidationError(refusal.messages)

    return RefusedForm


class ThroughServicesAdmin(RecordAdmin):
    """Records the admin writes only through ``enrollment.services``, never with ``obj.save()``.

    ``save_through_services`` (one per model) calls the service of an add or a change. A refusal (the
    service's ValidationError) rolls the change view back and shows the form again with the service's words
    (``ServiceRefusal``, ``refused_form``), as any other form error: nothing is written, never a 500.
    """

    def save_through_services(self, request, obj, form, change: bool):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return
        try:
            saved = self.save_through_services(request, obj, form, change)
        except ValidationError as error:
            raise ServiceRefusal(error) from error
        adopt(obj, saved)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefusal as refusal:
            request.service_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        refusal = getattr(request, "service_refusal", None)
        return form if refusal is None else refused_form(form, refusal)


class SeenVersionsMixin:
    """Each row's action checkbox carries the row's version as listed, so an action (end, verify, pay…) refuses
    a row that changed after the list was shown (``enrollment.admin.actions.seen_version``)."""

    def action_checkbox(self, obj):
        return format_html(
            '{}<input type="hidden" name="{}" value="{}">',
            super().action_checkbox(obj),
            seen_version_name(obj),
            obj.version,
        )


class ReadOnlyWhenSavedMixin:
    """A saved record is only looked at in its form; admin actions change it through the services."""

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


class HistoryInline(
    FormattedNumbersMixin, ReadOnlyAdminMixin, OneQueryInlineMixin, admin.TabularInline
):
    """A worker's employments, memberships or claims, listed: each row links to its own page, where the
    services' forms and actions change it."""

    extra = 0
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.fields)


# --- Import batches -------------------------------------------------------------------------------------


@admin.register(ImportBatch)
class ImportBatchAdmin(
    FormattedNumbersMixin,
    RetainedFilesAdminMixin,
    ImportUploadViews,
    ReadOnlyAdminMixin,
    admin.ModelAdmin,
):
    """Written by the import engine, never edited: upload, preview and confirm are ``ImportUploadViews``."""

    list_display = (
        "__str__",
        "created_at",
        "source",
        "status",
        "employer",
        "created_by",
        count_column("count_new", _("new")),
        count_column("count_updated", _("updated")),
        count_column("count_unchanged", _("unchanged")),
        count_column("count_terminated", _("terminated")),
        count_column("count_errors", _("errors")),
        "attempts",
    )
    list_filter = ("source", "status")
    list_select_related = ("employer", "created_by")
    show_facets = admin.ShowFacets.NEVER  # one batch per upload: a table that only grows
    show_full_result_count = False
    search_fields = ("file_name", "sha256__startswith", "employer__name")
    date_hierarchy = "created_at"
    actions = ("produce_registration_file",)

    def has_bpjs_handover_permission(self, request) -> bool:
        return request.user.has_perm("bpjs.add_registrationfile")

    @admin.action(
        description=_("Produce the BPJS registration file"), permissions=["bpjs_handover"]
    )
    def produce_registration_file(self, request, queryset):
        """Open the hand-over page for the one batch chosen (it shows what the file will list)."""
        if queryset.count() != 1:
            self.message_user(request, gettext("Choose one import batch."), messages.WARNING)
            return None
        url = reverse("admin:bpjs_registrationfile_produce")
        return HttpResponseRedirect(f"{url}?import_batch={queryset.get().pk}")

    def get_fields(self, request, obj=None):
        """The options as the upload form asked them; the summary and the interruptions, stored for the engine,
        are in words on the batch's review page, linked in the summary's place."""
        fields = super().get_fields(request, obj)
        shown = {"options": "chosen_options", "summary": "review_link"}
        return [shown.get(name, name) for name in fields if name != "interruptions"]

    @admin.display(description=_("options"))
    def chosen_options(self, batch: ImportBatch) -> str:
        """What the user chose on upload, as the upload form asked it (the stored JSON is for the engine)."""
        lines = []
        for name, value in batch.options.items():
            field = ImportUploadForm.base_fields.get(name)
            if field is None or value in (None, ""):
                continue
            if isinstance(field, forms.BooleanField):
                shown = gettext("yes") if value else gettext("no")
            elif isinstance(field, forms.DateField):
                shown = short_date(date.fromisoformat(value))
            elif isinstance(field, forms.ChoiceField):
                shown = dict(field.choices).get(value, value)
            else:
                shown = value
            lines.append((field.label, shown))
        return format_html_join(mark_safe("<br>"), "{}: {}", lines) or "—"


# --- Employers ------------------------------------------------------------------------------------------


class UserManagementPermissionMixin:
    """Linking a login to an employer hands that login the employer's workers: it is user management.

    Only those who may change users (administrators) add, change or remove links; others may look.
    """

    def _may_manage_users(self, request) -> bool:
        return request.user.has_perm("auth.change_user")

    def has_add_permission(self, request, *args):
        return self._may_manage_users(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may_manage_users(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage_users(request) and super().has_delete_permission(request, obj)


class EmployerUserInline(UserManagementPermissionMixin, OneQueryInlineMixin, admin.TabularInline):
    model = EmployerUser
    fields = ("user", "is_main_contact", "last_login", "created_at")
    # The main contact changes through its service (Employer users → "Make main contact"), logged; never a tick.
    readonly_fields = ("is_main_contact", "last_login", "created_at")
    autocomplete_fields = ("user",)
    select_related = ("user",)
    extra = 0

    @admin.display(description=_("last login"))
    def last_login(self, link: EmployerUser) -> str:
        if link.pk is None or link.user.last_login is None:
            return "—"
        return date_time(link.user.last_login)


def open_roster_sizes(employers) -> dict[int, int]:
    """The number of open employments of each employer, in one query on the (employer, end_date) index."""
    return dict(
        Employment.objects.filter(employer__in=employers, end_date__isnull=True)
        .order_by()
        .values_list("employer")
        .annotate(Count("pk"))
    )


class EmployerChangeList(ChangeList):
    """Counts the rosters of the listed page only.

    A roster-size annotation on the queryset would count the roster of every employer before the page's
    OFFSET (the last page of 7,000 employers: ~300 ms instead of ~50 ms).
    """

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        sizes = open_roster_sizes(self.result_list)
        for employer in self.result_list:
            employer.roster_size = sizes.get(employer.pk, 0)


def roster_link(employer: Employer, size: int) -> str:
    """A link to the employer's roster (its open employments) in the employment changelist."""
    url = reverse("admin:enrollment_employment_changelist")
    label = ngettext("%(count)d worker", "%(count)d workers", size) % {"count": size}
    return format_html(
        '<a href="{}?employer__id__exact={}&amp;{}=active">{}</a>',
        url,
        employer.pk,
        ActiveFilter.parameter_name,
        label,
    )


@admin.register(Employer)
class EmployerAdmin(RecordAdmin):
    resource_classes = [EmployerResource]
    form = EmployerAdminForm
    list_display = ("name", "npp", "sector", "size", "kelurahan", "status", "roster")
    list_select_related = ("kelurahan__kecamatan",)
    list_filter = ("status", "size", "sector", "kelurahan__kecamatan", "entered_via")
    identifier_search_fields = ("npp",)
    search_fields = ("name",)
    search_help_text = _("NPP (or its first digits) or part of the name.")
    autocomplete_fields = ("kelurahan",)
    readonly_fields = ("roster",)
    fieldsets = (
        (None, {"fields": ("npp", "name", "sector", "size", "risk_class", "status")}),
        (_("Address"), {"fields": ("address", "kelurahan", "email")}),
        (_("New workers"), {"fields": ("default_programs",)}),
        (_("Roster"), {"fields": ("roster",)}),
        (_("Record"), {"fields": RECORD_FIELDS}),
    )
    inlines = (EmployerUserInline, InvitationInline)
    actions = ("invite_to_portal",)

    def has_invite_permission(self, request) -> bool:
        return request.user.has_perm("invitations.add_invitation")

    @admin.action(description=_("Invite to the portal"), permissions=["invite"])
    def invite_to_portal(self, request, queryset):
        """Invite the first user of each chosen employer (all matching ones with "select all"); the mails go
        out through the outbox in the background."""
        counts = invite_employers(queryset, acting_user=request.user)
        parts = [gettext("%(count)s invited") % {"count": number(counts.invited)}]
        if counts.without_email:
            parts.append(
                gettext("%(count)s without a contact e-mail")
                % {"count": number(counts.without_email)}
            )
        if counts.with_login:
            parts.append(
                gettext("%(count)s with a login already") % {"count": number(counts.with_login)}
            )
        if counts.already_invited:
            parts.append(
                gettext("%(count)s with a valid invitation already")
                % {"count": number(counts.already_invited)}
            )
        self.message_user(
            request,
            ", ".join(parts) + ".",
            messages.SUCCESS if counts.invited else messages.WARNING,
        )

    def get_changelist(self, request, **kwargs):
        return EmployerChangeList

    @admin.display(description=_("roster"))
    def roster(self, obj: Employer) -> str:
        if obj.pk is None:
            return "–"
        # Set on the changelist's rows; counted here on the employer's own page.
        size = getattr(obj, "roster_size", None)
        return roster_link(obj, open_roster_sizes([obj]).get(obj.pk, 0) if size is None else size)


@admin.register(EmployerUser)
class EmployerUserAdmin(UserManagementPermissionMixin, admin.ModelAdmin):
    list_display = ("user", "employer", "is_main_contact", "created_at")
    list_select_related = ("user", "employer")
    search_fields = ("user__username", "employer__name", "employer__npp__startswith")
    autocomplete_fields = ("user", "employer")
    readonly_fields = ("is_main_contact",)
    actions = ("make_main_contact",)

    @admin.action(description=_("Make main contact of its employer"), permissions=("change",))
    def make_main_contact(self, request, queryset):
        from invitations.services import transfer_main_contact

        links = list(queryset.select_related("user", "employer"))
        if len({link.employer_id for link in links}) != len(links):
            self.message_user(
                request,
                gettext("An employer has one main contact: choose one login per employer."),
                messages.ERROR,
            )
            return
        if any(not link.user.is_active for link in links):
            self.message_user(
                request,
                gettext("A deactivated login cannot be a main contact; nothing was changed."),
                messages.ERROR,
            )
            return
        for link in links:
            transfer_main_contact(link.employer, link.user, acting_user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d login made main contact.",
                "%(count)d logins made main contact.",
                len(links),
            )
            % {"count": len(links)},
            messages.SUCCESS,
        )


# --- Workers --------------------------------------------------------------------------------------------


class WorkerMembershipFilter(admin.SimpleListFilter):
    """Workers with at least one membership (active or ended) matching the choice.

    An ``EXISTS`` subquery: each worker appears once, without a DISTINCT over the whole table.
    """

    membership_lookup: str

    def matching(self, value: str) -> dict:
        """The condition on a worker's memberships for the chosen value."""
        return {self.membership_lookup: value}

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in {str(value) for value, _label in self.lookup_choices}:
            raise IncorrectLookupParameters  # the changelist says "?e=1" instead of a 500
        memberships = Membership.objects.filter(
            worker=OuterRef("pk"), **self.matching(self.value())
        )
        return queryset.filter(Exists(memberships))


class WorkerSegmentGroupFilter(WorkerMembershipFilter):
    """By the group's segments, read first: ``segment_id IN (…)`` on the (segment, worker) index of
    memberships, where a join to the segments made PostgreSQL read every membership (decision 48)."""

    title = _("segment group")
    parameter_name = "segment_group"

    def lookups(self, request, model_admin):
        return SegmentGroup.choices

    def matching(self, value: str) -> dict:
        return {
            "segment__in": list(Segment.objects.filter(group=value).values_list("pk", flat=True))
        }


class WorkerSegmentFilter(WorkerMembershipFilter):
    title = _("segment")
    parameter_name = "segment"
    membership_lookup = "segment"

    def lookups(self, request, model_admin):
        return [(str(segment.pk), segment.name) for segment in Segment.objects.all()]


class WorkerProgramFilter(WorkerMembershipFilter):
    title = _("program")
    parameter_name = "program"
    membership_lookup = "program"

    def lookups(self, request, model_admin):
        return [(str(program.pk), str(program)) for program in Program.objects.all()]


class EmploymentInline(HistoryInline):
    model = Employment
    fields = ("employer", "start_date", "end_date", "termination_reason", "monthly_wage")
    select_related = ("worker", "employer")


class MembershipInline(HistoryInline):
    model = Membership
    fields = (
        "program",
        "segment",
        "funding_scheme",
        "employer",
        "start_date",
        "end_date",
        "monthly_contribution",
        "employer_share",
        "worker_share",
        "government_share",
    )
    select_related = ("worker", "program", "segment", "funding_scheme", "employer")


class ClaimInline(HistoryInline):
    model = Claim
    fields = (
        "reference",
        "benefit_type",
        "segment",
        "employer",
        "incident_date",
        "submitted_date",
        "paid_date",
        "amount",
        "status",
    )
    select_related = ("worker", "benefit_type", "segment", "employer")


@admin.register(Worker)
class WorkerAdmin(PersonalDataAdminMixin, ThroughServicesAdmin):
    resource_classes = [WorkerResource]
    form = WorkerAdminForm
    list_display = (
        "name",
        "nik",
        "kpj",
        "birth_date",
        "sex",
        "kelurahan",
        "has_disability",
        "entered_via",
    )
    list_select_related = ("kelurahan__kecamatan",)
    list_filter = (
        WorkerSegmentGroupFilter,
        WorkerSegmentFilter,
        WorkerProgramFilter,
        "kelurahan__kecamatan",
        "sex",
        "has_disability",
        "entered_via",
    )
    # Sorting ~310,000 rows by an unindexed column is a full sort on every page; these have indexes.
    sortable_by = ("name", "nik", "kpj")
    identifier_search_fields = ("nik", "kpj")
    search_fields = ("name",)
    search_help_text = _("NIK or KPJ number (or their first digits) or part of the name.")
    autocomplete_fields = ("kelurahan",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "nik",
                    "kpj",
                    "name",
                    "birth_date",
                    "sex",
                    "keep_as_entered",
                    "nik_warnings_confirmed",
                    "seen_version",
                )
            },
        ),
        (_("Contact and address"), {"fields": ("phone", "address", "kelurahan")}),
        (_("Work and circumstances"), {"fields": ("occupation", "has_disability", "dtsen_decile")}),
        (_("Record"), {"fields": ("keeper", *RECORD_FIELDS)}),
    )
    # Disnaker's corrections apply at once and keep the record keeper (docs/architecture.md, Access).
    readonly_fields = ("keeper", "nik_warnings_confirmed")
    inlines = (EmploymentInline, MembershipInline, ClaimInline)

    @admin.display(description=_("NIK warnings confirmed"))
    def nik_warnings_confirmed(self, obj: Worker) -> str:
        return confirmations_shown(obj.confirmed_warnings)

    def save_through_services(self, request, obj, form, change):
        return services.correct_worker(
            obj,
            acting_user=request.user,
            channel=Channel.ADMIN,
            seen_version=form.cleaned_data["seen_version"],
            confirm_nik_mismatch=form.cleaned_data["keep_as_entered"],
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in form.warnings:
            messages.warning(request, warning)


@admin.register(PersonalDataChangeRequest)
class PersonalDataChangeRequestAdmin(
    PersonalDataAdminMixin, AuditHistoryAdminMixin, SimpleHistoryAdmin
):
    """Employers' changes to persons they share, awaiting Disnaker: approved or rejected by the actions only."""

    list_display = ("worker", "employer", "requested_fields", "status", "created_at", "decided_by")
    list_filter = ("status", "identity_only")
    list_select_related = ("worker", "employer", "decided_by")
    search_fields = ("worker__nik", "worker__name")
    exclude = ("changes",)
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    actions = (approve_change_requests, reject_change_requests)
    enforce_history_permissions = True

    @admin.display(description=_("changes"))
    def requested_fields(self, obj):
        return ", ".join(
            f"{line.field}: {line.old} → {line.new}"
            for line in request_lines(obj, visible=obj.changes)
        )

    def get_readonly_fields(self, request, obj=None):
        """Every field: a request is decided by the actions (through the services), never edited; the requested
        changes in words (``Nama: Andi Pratama → Andi Pratama Putra``), not the JSON they are stored as."""
        return [
            "requested_fields" if field.name == "changes" else field.name
            for field in self.model._meta.concrete_fields
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True


# --- Employments, memberships, claims -------------------------------------------------------------------


class ConfirmedWarningsFilter(admin.SimpleListFilter):
    """Rows recorded despite a date warning, which a staff user confirmed (``enrollment.date_rules``)."""

    title = _("date warnings confirmed")
    parameter_name = "date_warnings"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(confirmed_warnings__isnull=self.value() == "no")
        return queryset


class ConfirmedWarningsMixin:
    """A saved membership's or claim's page shows the date warnings confirmed when it was recorded."""

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if obj is None else (*readonly, "date_warnings_confirmed")

    @admin.display(description=_("date warnings confirmed"))
    def date_warnings_confirmed(self, obj) -> str:
        return confirmations_shown(obj.confirmed_warnings)


def confirmations_shown(confirmations: list[dict] | None) -> str:
    """Warnings a staff user confirmed (``confirmed_warnings``): each one's words, by whom and when."""
    if not confirmations:
        return "—"
    return format_html_join(
        "",
        "<p>{} ({})</p>",
        (
            (
                confirmation["warning"],
                gettext("confirmed by %(user)s on %(when)s")
                % {
                    "user": confirmation["confirmed_by"] or "—",
                    "when": date_time(datetime.fromisoformat(confirmation["confirmed_at"])),
                },
            )
            for confirmation in confirmations
        ),
    )


@admin.register(Employment)
class EmploymentAdmin(PersonalDataAdminMixin, SeenVersionsMixin, ThroughServicesAdmin):
    resource_classes = [EmploymentResource]
    form = EmploymentAdminForm
    list_display = (
        "worker",
        "employer",
        "start_date",
        "end_date",
        rupiah_column("monthly_wage", _("monthly wage")),
        "entered_via",
    )
    list_select_related = ("worker", "employer")
    list_filter = (
        ActiveFilter,
        "termination_reason",
        "employer__kelurahan__kecamatan",
        "entered_via",
    )
    ordering = ("-pk",)
    sortable_by = ()
    identifier_search_fields = ("worker__nik", "worker__kpj", "employer__npp")
    # Worker names only: an OR with employer names makes PostgreSQL join every employment to both tables
    # (~250 ms at full scale). An employer's employments are one click away: its roster link.
    search_fields = ("worker__name",)
    search_help_text = _(
        "The worker's NIK or KPJ, the employer's NPP, or part of the worker's name."
    )
    autocomplete_fields = ("worker", "employer")
    actions = (terminate_employments,)
    # An employment is ended by the action (which ends its memberships too), not by typing an end date.
    add_fields = ("worker", "employer", "start_date", "monthly_wage")
    change_fields = (
        "worker",
        "employer",
        "start_date",
        "monthly_wage",
        "end_date",
        "termination_reason",
        *RECORD_FIELDS,
        "seen_version",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return (*self.change_fields, "confirm_date_warnings")

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is None:
            return readonly
        return (*readonly, "worker", "employer", "end_date", "termination_reason")

    def save_through_services(self, request, obj, form, change):
        if change:
            return services.update_employment(
                obj,
                start_date=obj.start_date,
                monthly_wage=obj.monthly_wage,
                acting_user=request.user,
                channel=Channel.ADMIN,
                seen_version=form.cleaned_data["seen_version"],
                confirm=form.confirmed_warnings(),
            )
        return services.hire_worker(
            obj.worker,
            obj.employer,
            start_date=obj.start_date,
            monthly_wage=obj.monthly_wage,
            acting_user=request.user,
            channel=Channel.ADMIN,
        )


@admin.register(Membership)
class MembershipAdmin(
    ConfirmedWarningsMixin,
    PersonalDataAdminMixin,
    SeenVersionsMixin,
    ReadOnlyWhenSavedMixin,
    ThroughServicesAdmin,
):
    resource_classes = [MembershipResource]
    list_display = (
        "worker",
        "program",
        "segment",
        "funding_scheme",
        "employer",
        "start_date",
        "end_date",
        rupiah_column("monthly_contribution", _("monthly contribution")),
        rupiah_column("employer_share", _("employer's share")),
        rupiah_column("worker_share", _("worker's share")),
        rupiah_column("government_share", _("government or sponsor share")),
    )
    list_select_related = ("worker", "program", "segment", "funding_scheme", "employer")
    list_filter = (
        ActiveFilter,
        "program",
        "segment__group",
        "segment",
        "funding_scheme",
        "worker__kelurahan__kecamatan",
        "entered_via",
        "bpjs_status",
        ConfirmedWarningsFilter,
    )
    ordering = ("-pk",)
    sortable_by = ()
    identifier_search_fields = ("worker__nik", "worker__kpj")
    search_fields = ("worker__name",)
    search_help_text = _("The worker's NIK or KPJ number, or part of the worker's name.")
    autocomplete_fields = ("worker", "employer")
    actions = (end_memberships,)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = EnrolmentAdminForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return (
                "worker",
                "programs",
                "segment",
                "funding_scheme",
                "employer",
                "start_date",
                "wage",
                "confirm_date_warnings",
            )
        return super().get_fields(request, obj)

    def save_through_services(self, request, obj, form, change):
        enrolment = services.EnrolmentRequest(
            programs=form.cleaned_data["programs"],
            segment=obj.segment,
            funding_scheme=obj.funding_scheme,
            start_date=obj.start_date,
            wage=form.cleaned_data["wage"],
            employer=obj.employer,
        )
        memberships = services.enrol_worker(
            obj.worker,
            enrolment,
            acting_user=request.user,
            channel=Channel.ADMIN,
            confirm=form.confirmed_warnings(),
        )
        programs = ", ".join(membership.program.code for membership in memberships)
        self.message_user(
            request,
            gettext("%(name)s was enrolled in %(programs)s.")
            % {"name": obj.worker.name, "programs": programs},
            messages.SUCCESS,
        )
        return memberships[0]


@admin.register(Claim)
class ClaimAdmin(
    ConfirmedWarningsMixin,
    PersonalDataAdminMixin,
    SeenVersionsMixin,
    ReadOnlyWhenSavedMixin,
    ThroughServicesAdmin,
):
    resource_classes = [ClaimResource]
    list_display = (
        "reference",
        "worker",
        "benefit_type",
        "segment",
        "status",
        "submitted_date",
        "paid_date",
        rupiah_column("amount", _("amount")),
    )
    list_select_related = (
        "worker",
        "benefit_type",
        "segment",
        "employer",
    )  # the export names the employer
    # Date filters rather than a date hierarchy: the hierarchy runs two more queries over the filtered
    # claims on every page (MIN/MAX, then the years), doubling the cost of a search.
    list_filter = (
        "status",
        "benefit_type",
        "segment__group",
        "segment",
        "worker__kelurahan__kecamatan",
        "submitted_date",
        "paid_date",
        "entered_via",
        ConfirmedWarningsFilter,
    )
    # Newest first by key: sorting by an unindexed date joins every claim to its worker first.
    ordering = ("-pk",)
    sortable_by = ("reference",)
    identifier_search_fields = ("reference", "worker__nik", "worker__kpj")
    search_fields = ("worker__name",)
    search_help_text = _(
        "The claim reference, the worker's NIK or KPJ number, or the worker's name."
    )
    autocomplete_fields = ("worker", "employer")
    # The status moves only through these actions; a new claim is recorded as submitted.
    actions = (mark_verified, mark_paid, mark_rejected)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ClaimAdminForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("worker", *RECORDED_FIELDS, "confirm_date_warnings")
        return super().get_fields(request, obj)

    def save_through_services(self, request, obj, form, change):
        return services.record_claim_as(
            obj,
            acting_user=request.user,
            channel=Channel.ADMIN,
            confirm=form.confirmed_warnings(),
        )
