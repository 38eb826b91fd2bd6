"""The registration hand-over in the admin (decisions 61, 62): the registration files (produce one for a batch or
a segment, download it), the upload of BPJS's response (through the import engine's preview), the column
mapping with its templates, and the work list of memberships BPJS rejected.

Operators and administrators work here with the bpjs permissions; the column mapping is administrators' alone
(``berjasa.roles``). Employers never reach the admin.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from berjasa.admin.common import FormattedNumbersMixin, ReadOnlyAdminMixin
from berjasa.audit import Channel
from berjasa.spreadsheets import temporary_file
from bpjs.columns import FIELDS, write_template
from bpjs.models import ColumnMapping, FileKind, RegistrationFile, RejectedMembership
from bpjs.services import handover
from enrollment.admin.actions import (
    _apply_each,
    ask_for_confirmation,
    seen_version,
)
from enrollment.admin.records import SeenVersionsMixin
from enrollment.imports import batches, tasks
from enrollment.models import ImportBatch
from enrollment.roster_file import FILE_FORMATS
from privacy.log import Kind, record_access
from programs.models import Segment

PRODUCE_PERMISSION = "bpjs.add_registrationfile"
RESPONSE_PERMISSIONS = ("enrollment.add_importbatch", "bpjs.change_registrationfile")


def _waiting_batches():
    """Import batches with city-funded memberships still to hand over."""
    waiting = handover.waiting_for_hand_over().filter(import_batch__isnull=False)
    return ImportBatch.objects.filter(pk__in=waiting.values("import_batch")).order_by("-pk")


class ProduceForm(forms.Form):
    import_batch = forms.ModelChoiceField(
        label=gettext_lazy("Import batch"),
        queryset=ImportBatch.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "The batch whose city-funded memberships the file lists (a DTSEN list)."
        ),
    )
    segment = forms.ModelChoiceField(
        label=gettext_lazy("or segment"),
        queryset=Segment.objects.order_by("sort_order", "code"),
        required=False,
        help_text=gettext_lazy("Every city-funded membership of the segment not handed over yet."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["import_batch"].queryset = _waiting_batches()

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("import_batch")) == bool(cleaned.get("segment")):
            raise ValidationError(_("Choose one import batch or one segment."))
        return cleaned


class ResponseUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("BPJS's response (XLSX or CSV)"))
    registration_file = forms.ModelChoiceField(
        label=gettext_lazy("Registration file it answers"),
        queryset=RegistrationFile.objects.all(),
        required=False,
        empty_label=gettext_lazy("Find it by NIK (each person's latest file)"),
    )


@admin.register(RegistrationFile)
class RegistrationFileAdmin(FormattedNumbersMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Produced by ``create_registration_file``, never edited; downloads are access-logged."""

    change_list_template = "admin/bpjs/registrationfile/change_list.html"
    list_display = (
        "reference",
        "scope",
        "person_count",
        "membership_count",
        "created_by",
        "created_at",
        "downloads",
    )
    list_select_related = ("import_batch", "segment", "created_by")
    search_fields = ("reference",)
    exclude = ("csv_file", "xlsx_file")
    readonly_fields = ("downloads",)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("produce/", view(self.produce_view), name="bpjs_registrationfile_produce"),
            path("response/", view(self.response_view), name="bpjs_registrationfile_response"),
            path(
                "<int:pk>/download.<str:file_format>",
                view(self.download_view),
                name="bpjs_registrationfile_download",
            ),
            path(
                "template/<str:kind>.<str:file_format>",
                view(self.template_view),
                name="bpjs_registrationfile_columns_template",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("batch or segment"))
    def scope(self, registration: RegistrationFile) -> str:
        return str(registration.import_batch or registration.segment or "—")

    @admin.display(description=gettext_lazy("download"))
    def downloads(self, registration: RegistrationFile) -> str:
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (
                    reverse(
                        "admin:bpjs_registrationfile_download",
                        kwargs={"pk": registration.pk, "file_format": file_format},
                    ),
                    file_format.upper(),
                )
                for file_format in ("xlsx", "csv")
            ),
        )

    def _context(self, request, title: str, **more) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **more,
        }

    def produce_view(self, request):
        if not request.user.has_perm(PRODUCE_PERMISSION):
            raise PermissionDenied
        form = ProduceForm(
            request.POST or None, initial={"import_batch": request.GET.get("import_batch")}
        )
        if request.method == "POST" and form.is_valid():
            try:
                registration = handover.create_registration_file(
                    acting_user=request.user,
                    import_batch=form.cleaned_data["import_batch"],
                    segment=form.cleaned_data["segment"],
                )
            except ValidationError as refusal:  # nothing waiting, or a reference taken meanwhile
                messages.warning(request, " ".join(refusal.messages))
            else:
                messages.success(
                    request,
                    _(
                        "%(reference)s lists %(persons)d persons; their memberships are now submitted to BPJS."
                    )
                    % {"reference": registration.reference, "persons": registration.person_count},
                )
                return redirect("admin:bpjs_registrationfile_changelist")
        context = self._context(request, _("Produce a BPJS registration file"), form=form)
        return render(request, "admin/bpjs/registrationfile/produce.html", context)

    def response_view(self, request):
        if not request.user.has_perms(RESPONSE_PERMISSIONS):
            raise PermissionDenied
        form = ResponseUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            answered = form.cleaned_data["registration_file"]
            batch = batches.stage_upload(
                form.cleaned_data["file"],
                source=ImportBatch.Source.BPJS_RESPONSE,
                acting_user=request.user,
                options=batches.UploadOptions(
                    source_options={"registration_file": answered.pk if answered else None}
                ),
            )
            tasks.start_check(batch)
            return redirect("admin:enrollment_importbatch_review", pk=batch.pk)
        context = self._context(
            request,
            _("Upload BPJS's response to a registration file"),
            form=form,
            kind=FileKind.RESPONSE,
        )
        return render(request, "admin/bpjs/registrationfile/response.html", context)

    def download_view(self, request, pk: int, file_format: str):
        if not request.user.has_perm("bpjs.view_registrationfile"):
            raise PermissionDenied
        if file_format not in FILE_FORMATS:
            raise Http404
        registration = get_object_or_404(RegistrationFile, pk=pk)
        stored = registration.xlsx_file if file_format == "xlsx" else registration.csv_file
        if not stored:
            raise Http404
        response = FileResponse(
            stored.open("rb"),
            as_attachment=True,
            filename=f"{registration.reference}.{file_format}",
            content_type=FILE_FORMATS[file_format],
        )
        record_access(
            user=request.user,
            channel=Channel.ADMIN,
            kind=Kind.EXPORT,
            scope={"registration_file": registration.reference, "format": file_format},
            rows=registration.person_count,
        )
        return response

    def template_view(self, request, kind: str, file_format: str):
        if not request.user.has_perm("bpjs.view_registrationfile"):
            raise PermissionDenied
        if file_format not in FILE_FORMATS or kind.upper() not in FileKind.values:
            raise Http404
        kind = FileKind(kind.upper())
        return FileResponse(
            temporary_file(lambda output: write_template(output, kind, file_format)),
            as_attachment=True,
            filename=f"template-bpjs-{kind.lower()}.{file_format}",
            content_type=FILE_FORMATS[file_format],
        )


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """The headings of BPJS's files (decision 61): an administrator edits a heading or its aliases; the next
    upload reads them. Fields are fixed by ``bpjs.columns.FIELDS``: none is added or deleted here."""

    change_list_template = "admin/bpjs/columnmapping/change_list.html"
    list_display = ("heading", "meaning", "kind", "other_headings")
    list_filter = ("kind",)
    fields = ("kind", "meaning", "heading", "aliases")
    readonly_fields = ("kind", "meaning")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("what the column holds"))
    def meaning(self, mapping: ColumnMapping) -> str:
        spec = next(
            (spec for spec in FIELDS.get(mapping.kind, ()) if spec.key == mapping.field), None
        )
        if spec is None:
            return mapping.field
        return f"{spec.label}{_(' (required)') if spec.required else ''}"

    @admin.display(description=gettext_lazy("other headings"))
    def other_headings(self, mapping: ColumnMapping) -> str:
        return ", ".join(line.strip() for line in mapping.aliases.splitlines() if line.strip())


class EndRejectedForm(forms.Form):
    end_date = forms.DateField(label=gettext_lazy("Last day of cover"))
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=255,
        help_text=gettext_lazy("For example: NIK not found at Dukcapil."),
    )


@admin.action(
    description=gettext_lazy("Corrected: resubmit to BPJS in the next registration file"),
    permissions=["change"],
)
def resubmit(modeladmin, request, queryset):
    _apply_each(
        modeladmin,
        request,
        queryset.select_related("worker", "program"),
        lambda membership: handover.resubmit_rejected(
            membership, acting_user=request.user, seen_version=seen_version(request, membership)
        ),
        ngettext_lazy(
            "%(count)d membership will be handed over again.",
            "%(count)d memberships will be handed over again.",
            "count",
        ),
    )


@admin.action(description=gettext_lazy("End with a reason"), permissions=["change"])
def end_with_reason(modeladmin, request, queryset):
    queryset = queryset.select_related("worker", "program")
    form = EndRejectedForm(
        request.POST if "apply" in request.POST else None,
        initial={"end_date": timezone.localdate()},
    )
    if not form.is_valid():
        return ask_for_confirmation(
            modeladmin, request, queryset, form, _("End rejected memberships"), "end_with_reason"
        )
    _apply_each(
        modeladmin,
        request,
        queryset,
        lambda membership: handover.end_rejected(
            membership,
            end_date=form.cleaned_data["end_date"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
            seen_version=seen_version(request, membership),
        ),
        ngettext_lazy("%(count)d membership ended.", "%(count)d memberships ended.", "count"),
    )
    return None


@admin.register(RejectedMembership)
class RejectedMembershipAdmin(FormattedNumbersMixin, SeenVersionsMixin, admin.ModelAdmin):
    """The open memberships BPJS rejected, with its reason: the clerk corrects the worker (the worker's link opens
    its form) and resubmits, or ends the membership with a reason."""

    list_display = (
        "worker_link",
        "program",
        "segment",
        "bpjs_reason",
        "bpjs_submission",
        "start_date",
    )
    list_select_related = ("worker", "program", "segment", "bpjs_submission")
    list_filter = ("program", "segment", "bpjs_submission")
    search_fields = ("=worker__nik", "=worker__kpj", "worker__name")
    search_help_text = gettext_lazy("The worker's NIK or KPJ number, or part of the worker's name.")
    ordering = ("bpjs_submission", "worker__name", "pk")
    sortable_by = ()  # as the memberships' list: sorting a column walks a whole table's index
    actions = (resubmit, end_with_reason)
    show_facets = admin.ShowFacets.NEVER

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=gettext_lazy("worker"))
    def worker_link(self, membership: RejectedMembership) -> str:
        url = reverse("admin:enrollment_worker_change", args=[membership.worker_id])
        return format_html('<a href="{}">{}</a>', url, membership.worker)
