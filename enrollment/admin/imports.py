"""The admin's roster and DTSEN uploads, with the engine and pages of the portal's (``enrollment.imports``).

``ImportUploadViews`` adds to the import batches' admin: an upload form (a roster for an employer chosen by NPP,
or the DTSEN list from a start date), each batch's preview with progress, confirm and cancel, and the error
report. Uploading and confirming need the permission to add import batches (administrators and operators).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from berjasa.audit import Channel
from enrollment.imports import batches, tasks
from enrollment.imports.dtsen import DTSEN_COLUMNS
from enrollment.imports.review import review_context
from enrollment.models import Employer, Employment, ImportBatch
from enrollment.portal.forms import DateInput
from enrollment.roster_file import roster_template_download
from privacy.log import Kind, preview_shown, record_access

ADD_PERMISSION = "enrollment.add_importbatch"


class ImportUploadForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("What the file is"),
        choices=[
            (ImportBatch.Source.ROSTER, gettext_lazy("An employer's roster")),
            (ImportBatch.Source.DTSEN, gettext_lazy("The DTSEN list (city-funded JKK and JKM)")),
        ],
    )
    npp = forms.CharField(label=gettext_lazy("Employer's NPP (roster)"), required=False)
    file = forms.FileField(label=gettext_lazy("File (XLSX or CSV)"))
    start_date = forms.DateField(
        label=gettext_lazy("Coverage starts on (DTSEN)"),
        required=False,
        widget=DateInput(),
    )
    full_sync = forms.BooleanField(
        label=gettext_lazy("Full-roster sync: the jobs of workers not in the file end"),
        required=False,
    )
    end_date = forms.DateField(
        label=gettext_lazy("Last day of work of those not in the file"),
        required=False,
        widget=DateInput(),
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        choices=Employment.TerminationReason.choices,
        initial=Employment.TerminationReason.CONTRACT_ENDED,
    )

    def clean(self):
        cleaned = super().clean()
        self.employer = None
        if cleaned.get("source") == ImportBatch.Source.ROSTER:
            self.employer = Employer.objects.filter(npp=(cleaned.get("npp") or "").strip()).first()
            if self.employer is None:
                self.add_error("npp", _("There is no employer with this NPP."))
        if cleaned.get("full_sync") and not cleaned.get("end_date"):
            self.add_error("end_date", _("Give the last day of work of those not in the file."))
        return cleaned

    def options(self) -> batches.UploadOptions:
        data = self.cleaned_data
        return batches.UploadOptions(
            full_sync=data["full_sync"] and data["source"] == ImportBatch.Source.ROSTER,
            end_date=data["end_date"],
            reason=data["reason"],
            start_date=data["start_date"] or timezone.localdate(),
        )


class ImportUploadViews:
    """Mixed into the ImportBatch ModelAdmin."""

    change_list_template = "admin/enrollment/importbatch/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="enrollment_importbatch_upload"),
            path(
                "template.<str:file_format>",
                view(self.template_view),
                name="enrollment_importbatch_template",
            ),
            path("<int:pk>/review/", view(self.review_view), name="enrollment_importbatch_review"),
            path(
                "<int:pk>/confirm/",
                view(require_POST(self.confirm_view)),
                name="enrollment_importbatch_confirm",
            ),
            path(
                "<int:pk>/recheck/",
                view(require_POST(self.recheck_view)),
                name="enrollment_importbatch_recheck",
            ),
            path(
                "<int:pk>/cancel/",
                view(require_POST(self.cancel_view)),
                name="enrollment_importbatch_cancel",
            ),
            path("<int:pk>/errors/", view(self.errors_view), name="enrollment_importbatch_errors"),
            *super().get_urls(),
        ]

    def get_list_display(self, request):
        return (*super().get_list_display(request), "review_link")

    @admin.display(description=gettext_lazy("preview"))
    def review_link(self, batch: ImportBatch) -> str:
        url = reverse("admin:enrollment_importbatch_review", kwargs={"pk": batch.pk})
        return format_html('<a href="{}">{}</a>', url, _("preview"))

    def _batch(self, request, pk: int, *, write: bool = False) -> ImportBatch:
        if not request.user.has_perm(ADD_PERMISSION if write else "enrollment.view_importbatch"):
            raise PermissionDenied
        return get_object_or_404(ImportBatch, pk=pk)

    def upload_view(self, request):
        if not request.user.has_perm(ADD_PERMISSION):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            batch = batches.stage_upload(
                form.cleaned_data["file"],
                source=form.cleaned_data["source"],
                acting_user=request.user,
                employer=form.employer,
                options=form.options(),
            )
            tasks.start_check(batch)
            return redirect("admin:enrollment_importbatch_review", pk=batch.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Upload a roster or the DTSEN list"),
            "dtsen_columns": [column.header for column in DTSEN_COLUMNS],
        }
        return render(request, "admin/enrollment/importbatch/upload.html", context)

    def template_view(self, request, file_format: str):
        if not request.user.has_perm(ADD_PERMISSION):
            raise PermissionDenied
        return roster_template_download(file_format)

    def review_view(self, request, pk: int):
        batch = self._batch(request, pk)
        if tasks.recover_stalled(ImportBatch.objects.filter(pk=pk)):
            batch.refresh_from_db()
        names = {name: reverse(f"admin:enrollment_importbatch_{name}", kwargs={"pk": pk}) for name in ("confirm", "cancel", "recheck", "errors")}  # fmt: skip
        context = {
            **self.admin_site.each_context(request),
            **review_context(batch, request.GET, ImportBatch.objects.all()),
            "opts": self.model._meta,
            "title": _("Import batch #%(number)d: %(name)s")
            % {"number": pk, "name": batch.file_name},
            "confirm_url": names["confirm"],
            "cancel_url": names["cancel"],
            "recheck_url": names["recheck"],
            "errors_url": names["errors"],
            "next_links": [
                (reverse("admin:enrollment_importbatch_changelist"), _("All import batches")),
                (reverse("admin:enrollment_importbatch_upload"), _("Upload a file")),
            ],
        }
        preview_shown(user=request.user, channel=Channel.ADMIN, context=context)
        return render(request, "admin/enrollment/importbatch/review.html", context)

    def confirm_view(self, request, pk: int):
        batch = self._batch(request, pk, write=True)
        if batches.confirm_batch(batch, only_valid_rows=bool(request.POST.get("only_valid_rows"))):
            tasks.start_run(batch)
        else:
            messages.warning(request, _("This import cannot be confirmed as it is."))
        return redirect("admin:enrollment_importbatch_review", pk=pk)

    def recheck_view(self, request, pk: int):
        batch = self._batch(request, pk, write=True)
        if not tasks.start_recheck(batch):
            messages.warning(
                request, _("This batch is not interrupted; there is nothing to check again.")
            )
        return redirect("admin:enrollment_importbatch_review", pk=pk)

    def cancel_view(self, request, pk: int):
        batch = self._batch(request, pk, write=True)
        if batches.cancel_batch(batch):
            messages.info(request, _("The import was cancelled; nothing was written."))
        return redirect("admin:enrollment_importbatch_review", pk=pk)

    def errors_view(self, request, pk: int):
        batch = self._batch(request, pk)
        if not batch.error_file:
            raise Http404
        name = batch.error_file.name.rsplit("/", 1)[-1]
        response = FileResponse(batch.error_file.open("rb"), as_attachment=True, filename=name)
        record_access(
            user=request.user,
            channel=Channel.ADMIN,
            kind=Kind.ERROR_FILE,
            employer=batch.employer_id,
            scope={"import_batch": batch.pk},
            rows=batch.row_count,
        )
        return response
