"""The employer portal: an employer's own roster, kept current by its own users.

Every lookup goes through ``enrollment.visibility`` scoped to ``request.employer``; an id outside it is a 404.
Changes are POST only and go through ``enrollment.services``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from berjasa.access import role_required
from berjasa.audit import Channel
from berjasa.formatting import short_date
from berjasa.roles import Role
from berjasa.spreadsheets import stream_csv, temporary_file
from enrollment import services
from enrollment.models import PERSONAL_FIELDS, Employment, PersonalDataChangeRequest, Worker
from enrollment.portal.change_requests import awaiting_message, request_lines
from enrollment.portal.context import SESSION_KEY, SEVERAL_KEY, portal_view
from enrollment.portal.filters import RosterFilter
from enrollment.portal.forms import (
    AddWorkerForm,
    EmploymentForm,
    EnrolForm,
    PersonalDataForm,
    TerminateForm,
    given_changes,
    personal_data_form,
)
from enrollment.portal.history import changes_made_by
from enrollment.portal.queries import monthly_bill, roster_summary
from enrollment.roster_file import (
    FILE_FORMATS,
    ROSTER_HEADER,
    active_memberships,
    roster_rows,
    write_roster_file,
)
from enrollment.visibility import (
    change_requests_made_by,
    claims_visible_to,
    contact_visible_to,
    employers_visible_to,
    employments_visible_to,
    memberships_visible_to,
    worker_fields_visible_to,
    workers_visible_to,
)
from privacy import log
from programs.models import FundingScheme, Segment, SegmentGroup
from reports.summary import employer_summary

ROSTER_PAGE_SIZE = 50


@role_required(Role.EMPLOYER)
@require_http_methods(["GET", "POST"])
def choose_employer(request):
    employers = employers_visible_to(request.user).select_related("kelurahan").order_by("name")
    if request.method == "POST":
        employer = get_object_or_404(employers, pk=request.POST.get("employer"))
        request.session[SESSION_KEY] = employer.pk
        # Every portal page offers to switch back (templates/portal/base.html), without counting again.
        request.session[SEVERAL_KEY] = employers.count() > 1
        return redirect("portal:home")
    return render(request, "portal/choose_employer.html", {"employers": employers})


@portal_view
@require_GET
def home(request):
    today = timezone.localdate()
    employments = employments_visible_to(request.user, request.employer)
    context = {
        "summary": roster_summary(employments, request.employer, today),
        "employer_report": employer_summary(request.employer, on=today),
        "bill": monthly_bill(request.employer, today),
        "today": today,
    }
    return render(request, "portal/home.html", context)


@portal_view
@require_GET
def roster(request):
    today = timezone.localdate()
    employments = employments_visible_to(request.user, request.employer).select_related(
        "worker__kelurahan"
    )
    roster_filter = RosterFilter(request.GET, queryset=employments, employer=request.employer)
    rows = roster_filter.qs.order_by(*(roster_filter.qs.query.order_by or ["worker__name", "pk"]))
    page = Paginator(rows, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    employments = list(page.object_list)
    # Programs and coverage for the page's rows only, from one query.
    memberships = active_memberships(request.employer.pk, today).filter(
        worker_id__in=[employment.worker_id for employment in employments]
    )
    programs_by_worker: dict[int, list[str]] = {}
    for membership in memberships:
        programs_by_worker.setdefault(membership.worker_id, []).append(membership.program.code)
    shows_contact = contact_visible_to(request.user, request.employer)
    for employment in employments:
        employment.shows_contact = shows_contact(employment.worker.keeper_id)
        employment.program_codes = programs_by_worker.get(employment.worker_id, [])
        employment.covered = {"JKK", "JKM"} <= set(employment.program_codes)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/roster.html",
        {
            "filter": roster_filter,
            "page": page,
            "employments": employments,
            "query": query.urlencode(),
        },
    )


@portal_view
@require_GET
@log.access_logged(log.person_page)
def worker_detail(request, pk: int):
    worker = get_object_or_404(
        workers_visible_to(request.user, request.employer).select_related("kelurahan__kecamatan"),
        pk=pk,
    )
    employments = employments_visible_to(request.user, request.employer).filter(worker=worker)
    visible = worker_fields_visible_to(request.user, request.employer, worker)
    context = {
        "worker": worker,
        "employments": employments.order_by("-start_date"),
        "open_employment": employments.filter(end_date__isnull=True).first(),
        "memberships": memberships_visible_to(request.user, request.employer)
        .filter(worker=worker)
        .select_related("program", "segment", "funding_scheme")
        .order_by("-start_date", "program__sort_order"),
        "claims": claims_visible_to(request.user, request.employer)
        .filter(worker=worker)
        .select_related("benefit_type")
        .order_by("-submitted_date"),
        "changes": changes_made_by(request.employer, worker, visible=visible),
        "visible": visible,
        "pending": [
            (change_request, request_lines(change_request, visible))
            for change_request in change_requests_made_by(request.user, request.employer).filter(
                worker=worker, status=PersonalDataChangeRequest.Status.PENDING
            )
        ],
    }
    return render(request, "portal/worker_detail.html", context)


@portal_view
@require_http_methods(["GET", "POST"])
def worker_add(request):
    form = AddWorkerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            worker, created = services.register_worker(
                acting_user=request.user,
                channel=Channel.PORTAL,
                nik=data["nik"],
                employer=request.employer,
                start_date=data["start_date"],
                monthly_wage=data["monthly_wage"],
                **{name: data[name] for name in PersonalDataForm.Meta.fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                messages.success(
                    request, _("%(name)s was added to the roster.") % {"name": worker.name}
                )
            else:
                messages.info(
                    request,
                    _(
                        "The NIK %(nik)s was already registered in Makassar as %(name)s; that record was "
                        "added to your roster instead of creating a second one."
                    )
                    % {"nik": worker.nik, "name": worker.name},
                )
            return redirect("portal:worker", pk=worker.pk)
    return render(request, "portal/worker_form.html", {"form": form, "title": _("Add a worker")})


def _roster_entry(request, worker_pk: int) -> tuple[Worker, Employment | None]:
    """A worker the employer may see (else 404) and their open employment with it (None once it ended)."""
    worker = get_object_or_404(workers_visible_to(request.user, request.employer), pk=worker_pk)
    employment = employments_visible_to(request.user, request.employer).filter(
        worker=worker, end_date__isnull=True
    )
    return worker, employment.first()


def _no_longer_on_roster(request, worker: Worker):
    messages.warning(
        request,
        _("%(name)s is no longer on your roster; nothing was changed.") % {"name": worker.name},
    )
    return redirect("portal:worker", pk=worker.pk)


@portal_view
@require_http_methods(["GET", "POST"])
@log.access_logged(log.person_page)
def worker_edit(request, pk: int):
    worker, employment = _roster_entry(request, pk)
    if employment is None:
        return _no_longer_on_roster(request, worker)
    visible = worker_fields_visible_to(request.user, request.employer, worker)
    form_class = personal_data_form(tuple(name for name in PERSONAL_FIELDS if name not in visible))
    # The form works on a copy: validating it must not touch the worker shown on the page.
    personal = form_class(
        request.POST or None, instance=Worker.objects.get(pk=worker.pk), prefix="worker"
    )
    job = EmploymentForm(request.POST or None, instance=employment, prefix="job")
    stale = False  # refused: the record changed after the form was opened; offer it afresh
    if request.method == "POST" and personal.is_valid() and job.is_valid():
        try:
            with transaction.atomic():
                outcome = services.change_personal_data(
                    worker,
                    acting_user=request.user,
                    channel=Channel.PORTAL,
                    employer=request.employer,
                    seen_version=personal.cleaned_data["seen_version"],
                    **given_changes(personal),
                )
                services.update_employment(
                    employment,
                    acting_user=request.user,
                    channel=Channel.PORTAL,
                    start_date=job.cleaned_data["start_date"],
                    monthly_wage=job.cleaned_data["monthly_wage"],
                    seen_version=job.cleaned_data["seen_version"],
                )
        except ValidationError as error:
            personal.add_error(None, error)
            stale = isinstance(error, services.StaleEdit)
        else:
            if isinstance(outcome, PersonalDataChangeRequest):
                messages.info(request, awaiting_message(outcome))
            else:
                messages.success(request, _("The changes were saved."))
            return redirect("portal:worker", pk=worker.pk)
    return render(
        request,
        "portal/worker_edit.html",
        {
            "forms": [personal, job],
            "stale": stale,
            "worker": worker,
            "title": _("Edit %(name)s") % {"name": worker.name},
        },
    )


@portal_view
@require_http_methods(["GET", "POST"])
def worker_enrol(request, pk: int):
    worker, employment = _roster_entry(request, pk)
    if employment is None:
        return _no_longer_on_roster(request, worker)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment = services.EnrolmentRequest(
            programs=form.cleaned_data["programs"],
            segment=Segment.objects.filter(group=SegmentGroup.FORMAL, is_active=True)
            .order_by("sort_order")
            .first(),
            funding_scheme=FundingScheme.objects.get(code="EMPLOYER"),
            start_date=form.cleaned_data["start_date"],
            wage=employment.monthly_wage,
            employer=request.employer,
        )
        try:
            services.enrol_worker(
                worker, enrolment, acting_user=request.user, channel=Channel.PORTAL
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            programs = ", ".join(program.code for program in form.cleaned_data["programs"])
            messages.success(
                request,
                _("%(name)s was enrolled in %(programs)s.")
                % {"name": worker.name, "programs": programs},
            )
            return redirect("portal:worker", pk=worker.pk)
    return render(request, "portal/worker_enrol.html", {"form": form, "worker": worker})


@portal_view
@require_http_methods(["GET", "POST"])
def worker_terminate(request, pk: int):
    worker, employment = _roster_entry(request, pk)
    if employment is None:
        return _no_longer_on_roster(request, worker)
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        end_date = form.cleaned_data["end_date"]
        try:
            services.terminate_employment(
                employment,
                end_date=end_date,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
                channel=Channel.PORTAL,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "The employment of %(name)s ended on %(date)s; its memberships through you end that day."
                )
                % {"name": worker.name, "date": short_date(end_date)},
            )
            return redirect("portal:worker", pk=worker.pk)
    return render(request, "portal/worker_terminate.html", {"form": form, "worker": worker})


@portal_view
@require_GET
@log.access_logged(log.roster_file)
def roster_download(request, file_format: str):
    """The roster as CSV (streamed) or XLSX (written to a temporary file, then streamed): constant memory."""
    if file_format not in FILE_FORMATS:
        raise Http404
    employments = employments_visible_to(request.user, request.employer)
    rows = roster_rows(
        employments,
        request.employer.pk,
        timezone.localdate(),
        shows_contact=contact_visible_to(request.user, request.employer),
    )
    filename = f"roster-{request.employer.npp}-{timezone.localdate():%Y%m%d}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(
            stream_csv(ROSTER_HEADER, rows), content_type=FILE_FORMATS["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    handle = temporary_file(lambda output: write_roster_file(output, "xlsx", rows))
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=FILE_FORMATS["xlsx"]
    )
