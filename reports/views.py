"""The managers' dashboard, its downloads and the stored snapshots. Managers, administrators and operators read
them (REPORT_READER_ROLES), administrators and operators store a period's snapshot (SNAPSHOT_MAKER_ROLES);
everyone else signed in gets a 404, anonymous visitors the login page."""

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.contrib import messages
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from berjasa.access import role_required
from berjasa.formatting import date_time
from berjasa.roles import REPORT_READER_ROLES, SNAPSHOT_MAKER_ROLES, STAFF_ROLES, user_has_any_role
from reports import charts
from reports.exporters import DOWNLOAD_FORMATS, EXPORTERS, filename
from reports.formatting import cell
from reports.forms import FilterForm, SnapshotForm, period_query
from reports.models import ReportSnapshot
from reports.periods import Period
from reports.registry import REPORTS, ReportDefinition, ReportResult, Table, run_report, run_reports
from reports.snapshots import SNAPSHOT_FILES, SNAPSHOT_REPORT, generate_snapshot, refusal

# The dashboard's sections, in order; each is a declared report with its own downloads. Within one district,
# its sub-districts take the place of the ranking of districts.
DASHBOARD_REPORTS = (
    "coverage-trend",
    "coverage-by-segment",
    "kecamatan-ranking",
    "bpjs-confirmation",
    "claims-by-benefit",
)
DISTRICT_DASHBOARD_REPORTS = (
    "coverage-trend",
    "coverage-by-segment",
    "kelurahan-coverage",
    "bpjs-confirmation",
    "claims-by-benefit",
)
FULL_REPORT = "coverage"
SNAPSHOTS_SHOWN = 24

reports_access = role_required(*REPORT_READER_ROLES)


@dataclass(frozen=True)
class Section:
    """One table of the dashboard, ready for the template."""

    report: ReportDefinition
    table: Table
    chart: str | None  # a data: URI
    headings: list[tuple[str, bool]]
    rows: list[list[tuple[str, bool]]]
    downloads: list[tuple[str, str]]
    collapsed: bool
    link: tuple[str, str] | None = None  # (label, URL) of the page that explains the figures


def _downloads(identifier: str, querystring: str) -> list[tuple[str, str]]:
    return [
        (
            str(EXPORTERS[fmt].label),
            f"{reverse('reports:download', args=[identifier, fmt])}?{querystring}",
        )
        for fmt in DOWNLOAD_FORMATS
    ]


def _section(
    result: ReportResult, querystring: str, link: tuple[str, str] | None = None
) -> Section:
    table = result.tables[0]
    numeric = [column.kind != "text" for column in table.columns]
    return Section(
        report=result.report,
        table=table,
        chart=charts.svg_image(table),
        headings=[(c.label, n) for c, n in zip(table.columns, numeric, strict=True)],
        rows=[
            [(cell(v, c.kind), n) for v, c, n in zip(row, table.columns, numeric, strict=True)]
            for row in table.rows
        ],
        downloads=_downloads(result.report.identifier, querystring),
        collapsed=table.key == "trend",  # 36 rows: the chart says it; the figures fold open
        link=link,
    )


@reports_access
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    shown = form if form.is_valid() else FilterForm()  # invalid filters: last month, and the errors
    shown.is_valid()
    params = shown.report_params()
    querystring = shown.querystring()
    results = run_reports(
        DISTRICT_DASHBOARD_REPORTS if params.scope.kecamatan_id else DASHBOARD_REPORTS, params
    )
    headline = results[0].headline
    is_staff = user_has_any_role(request.user, STAFF_ROLES)
    # Staff settle the gap on the admin's list of BPJS discrepancies (bpjs.StatementLine); managers read it only.
    discrepancies = reverse("admin:bpjs_statementline_changelist") if is_staff else None
    links = {"confirmation": (_("BPJS discrepancies"), discrepancies)} if is_staff else {}
    may_make_snapshot = user_has_any_role(request.user, SNAPSHOT_MAKER_ROLES)
    stored = (
        ReportSnapshot.objects.filter(report=SNAPSHOT_REPORT, period=params.period.key)
        .order_by("-version")
        .first()
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "period": params.period,
            "filters": results[0].filters,
            "headline": headline,
            "figures": {f.key: cell(f.value, f.kind, short_money=True) for f in headline.figures},
            "sections": [
                _section(result, querystring, links.get(result.tables[0].key)) for result in results
            ],
            "discrepancies": discrepancies,
            "full_report": _downloads(FULL_REPORT, querystring),
            "snapshots": ReportSnapshot.objects.order_by("-period", "-version")[:SNAPSHOTS_SHOWN],
            "latest_data": shown.latest_data,
            "to_admin": is_staff,
            "snapshot_period": _storable(params.period, stored) if may_make_snapshot else None,
            "stored": stored,
        },
    )


def _storable(period: Period, stored: ReportSnapshot | None) -> Period | None:
    """The period the dashboard shows, when staff may store its report from there (an ended month, quarter or
    year whose report is not ``stored`` yet; ``refusal`` says why not otherwise)."""
    if stored is not None or refusal(period, timezone.localdate()):
        return None
    return period


@role_required(*SNAPSHOT_MAKER_ROLES)
@require_POST
def make_snapshot(request: HttpRequest) -> HttpResponse:
    """Store the city-wide report of a period once (reports.snapshots, as the scheduled command); a period already
    stored is left as it is, and the message says so."""
    form = SnapshotForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["period"]))
        return redirect("reports:dashboard")
    period = form.cleaned_data["period"]
    try:
        outcome = generate_snapshot(period, user=request.user)
    except IntegrityError:
        messages.error(
            request,
            _("Someone else stored the report of %(period)s at the same moment; it is in the list.")
            % {"period": period.label()},
        )
    else:
        if outcome.created:
            messages.success(
                request,
                _("The report of %(period)s is stored (PDF, XLSX, CSV).")
                % {"period": period.label()},
            )
        else:
            messages.warning(
                request,
                _(
                    "The report of %(period)s was already stored on %(made)s. A stored report is never made "
                    "again: it stays as it was, so the figures once given out do not change."
                )
                % {"period": period.label(), "made": date_time(outcome.snapshot.created_at)},
            )
    return redirect(f"{reverse('reports:dashboard')}?{period_query(period)}")


@reports_access
@require_GET
def download(request: HttpRequest, identifier: str, fmt: str) -> HttpResponse:
    definition = REPORTS.get(identifier)
    exporter = EXPORTERS.get(fmt)
    if (
        definition is None
        or exporter is None
        or fmt == "table"
        or not definition.allows(request.user)
    ):
        raise Http404
    form = FilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("These filters do not describe a period."))
    result = run_report(identifier, form.report_params())
    response = HttpResponse(exporter.render(result), content_type=exporter.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename(result, exporter)
    )
    return response


@reports_access
@require_GET
def snapshot_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    snapshot = get_object_or_404(ReportSnapshot, pk=pk)
    definition = REPORTS.get(snapshot.report)
    field = {exporter: field for field, exporter in SNAPSHOT_FILES.items()}.get(fmt)
    if field is None or (definition is not None and not definition.allows(request.user)):
        raise Http404
    stored = getattr(snapshot, field)
    if not stored:
        raise Http404
    # A file named in the archive but gone from the storage (a partial restore) is a 404, not a server error.
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=PurePosixPath(stored.name).name,
        content_type=EXPORTERS[fmt].content_type,
    )
