"""Roster upload in the employer portal: template, upload, preview with counts and pages of changes, confirm.

Batches are looked up through ``import_batches_visible_to`` scoped to ``request.employer``: another employer's
batch is a 404, and the roster written is always ``request.employer``'s, whatever the file says.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from berjasa.audit import Channel
from enrollment.imports import batches, tasks
from enrollment.imports.review import review_context
from enrollment.models import ImportBatch
from enrollment.portal.context import portal_view
from enrollment.portal.forms import RosterUploadForm
from enrollment.roster_file import ROSTER_FILE_COLUMNS, roster_template_download
from enrollment.visibility import import_batches_visible_to
from privacy import log

RECENT_BATCHES = 10


@portal_view
@require_http_methods(["GET", "POST"])
def imports(request):
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = batches.stage_upload(
            data["file"],
            source=ImportBatch.Source.ROSTER,
            acting_user=request.user,
            employer=request.employer,
            options=batches.UploadOptions(
                full_sync=data["full_sync"], end_date=data["end_date"], reason=data["reason"]
            ),
        )
        tasks.start_check(batch)
        return redirect("portal:import_batch", pk=batch.pk)
    recent = import_batches_visible_to(request.user, request.employer).select_related("created_by")[
        :RECENT_BATCHES
    ]
    return render(
        request,
        "portal/imports.html",
        {
            "form": form,
            "recent": recent,
            "columns": ROSTER_FILE_COLUMNS,
            "programs_of_new_workers": request.employer.programs_of_new_workers(),
        },
    )


@portal_view
@require_GET
def import_template(request, file_format: str):
    return roster_template_download(file_format)


@portal_view
@require_GET
def import_batch(request, pk: int):
    visible = import_batches_visible_to(request.user, request.employer)
    batch = get_object_or_404(visible, pk=pk)
    if tasks.recover_stalled(visible.filter(pk=pk)):
        batch.refresh_from_db()
    context = review_context(batch, request.GET, visible)
    context.update(
        confirm_url=reverse("portal:import_confirm", kwargs={"pk": batch.pk}),
        cancel_url=reverse("portal:import_cancel", kwargs={"pk": batch.pk}),
        recheck_url=reverse("portal:import_recheck", kwargs={"pk": batch.pk}),
        errors_url=reverse("portal:import_errors", kwargs={"pk": batch.pk}),
        next_links=[
            (reverse("portal:roster"), _("See the roster")),
            (reverse("portal:imports"), _("Upload a file")),
        ],
    )
    log.preview_shown(user=request.user, channel=Channel.PORTAL, context=context)
    return render(request, "portal/import_batch.html", context)


@portal_view
@require_GET
@log.access_logged(log.error_report)
def import_errors(request, pk: int):
    batch = get_object_or_404(import_batches_visible_to(request.user, request.employer), pk=pk)
    if not batch.error_file:
        raise Http404
    name = batch.error_file.name.rsplit("/", 1)[-1]
    return FileResponse(batch.error_file.open("rb"), as_attachment=True, filename=name)


@portal_view
@require_POST
def import_confirm(request, pk: int):
    batch = get_object_or_404(import_batches_visible_to(request.user, request.employer), pk=pk)
    only_valid_rows = bool(request.POST.get("only_valid_rows"))
    if batches.confirm_batch(batch, only_valid_rows=only_valid_rows):
        tasks.start_run(batch)
    elif batch.count_errors and not only_valid_rows:
        messages.warning(
            request,
            _("The file has rows with errors: correct them, or tick “import only the valid rows”."),
        )
    else:
        messages.warning(request, _("This import can no longer be confirmed."))
    return redirect("portal:import_batch", pk=batch.pk)


@portal_view
@require_POST
def import_recheck(request, pk: int):
    batch = get_object_or_404(import_batches_visible_to(request.user, request.employer), pk=pk)
    if not tasks.start_recheck(batch):
        messages.warning(
            request, _("This upload is not interrupted; there is nothing to check again.")
        )
    return redirect("portal:import_batch", pk=batch.pk)


@portal_view
@require_POST
def import_cancel(request, pk: int):
    batch = get_object_or_404(import_batches_visible_to(request.user, request.employer), pk=pk)
    if batches.cancel_batch(batch):
        messages.info(request, _("The import was cancelled; nothing was written."))
    return redirect("portal:imports")
