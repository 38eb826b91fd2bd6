"""The managers' dashboard, its downloads and the stored snapshots. Managers and administrators only; everyone
else signed in gets a 404, anonymous visitors the login page."""

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from berjasa.access import role_required
from berjasa.roles import Role
from reports import charts
from reports.exporters import DOWNLOAD_FORMATS, EXPORTERS, filename
from reports.formatting import cell
from reports.forms import FilterForm
from reports.models import ReportSnapshot
from reports.registry import REPORTS, ReportDefinition, ReportResult, Table, run_report, run_reports
from reports.snapshots import SNAPSHOT_FILES

# The dashboard's sections, in order; each is a declared report with its own downloads. Within one district,
# its sub-districts take the place of the ranking of districts.
DASHBOARD_REPORTS = (
    "coverage-trend",
    "coverage-by-segment",
    "kecamatan-ranking",
    "claims-by-benefit",
)
DISTRICT_DASHBOARD_REPORTS = (
    "coverage-trend",
    "coverage-by-segment",
    "kelurahan-coverage",
    "claims-by-benefit",
)
FULL_REPORT = "coverage"
SNAPSHOTS_SHOWN = 24

# Who reads the reports and downloads their files (also the report archive's links in the admin).
READERS = (Role.MANAGER, Role.ADMINISTRATOR)
reports_access = role_required(*READERS)


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


def _downloads(identifier: str, querystring: str) -> list[tuple[str, str]]:
    return [
        (
            str(EXPORTERS[fmt].label),
            f"{reverse('reports:download', args=[identifier, fmt])}?{querystring}",
        )
        for fmt in DOWNLOAD_FORMATS
    ]


def _section(result: ReportResult, querystring: str) -> Section:
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
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "period": params.period,
            "filters": results[0].filters,
            "headline": headline,
            "figures": {f.key: cell(f.value, f.kind, short_money=True) for f in headline.figures},
            "sections": [_section(result, querystring) for result in results],
            "full_report": _downloads(FULL_REPORT, querystring),
            "snapshots": ReportSnapshot.objects.order_by("-period", "-version")[:SNAPSHOTS_SHOWN],
        },
    )


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
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=PurePosixPath(stored.name).name,
        content_type=EXPORTERS[fmt].content_type,
    )
