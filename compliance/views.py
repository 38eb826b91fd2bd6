"""The managers' compliance page (``/reports/kepatuhan/``): the reporting rate of the monthly roster
confirmation, its breakdowns and trend, the employers that did not confirm, and downloads. For the report
readers (``REPORT_READER_ROLES``); everyone else signed in gets a 404."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from berjasa.access import role_required
from berjasa.roles import REPORT_READER_ROLES, STAFF_ROLES, user_has_any_role
from berjasa.spreadsheets import planned_to_the_end, stream_csv, temporary_file, write_xlsx
from compliance import charts
from compliance.figures import (
    ComplianceFigures,
    Tally,
    compliance_figures,
    last_roster_update,
    non_confirmed_employers,
)
from compliance.forms import ComplianceForm
from compliance.months import month_label
from reports import charts as report_charts

PAGE_SIZE = 50
DOWNLOADS = {"breakdown", "not-confirmed"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

reports_access = role_required(*REPORT_READER_ROLES)


def _lines(title: str, lines) -> dict:
    return {
        "title": title,
        "rows": [(line.key, line.label, line.tally) for line in lines],
    }


@reports_access
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    form = ComplianceForm(request.GET, today=timezone.localdate())
    month = form.chosen_month()
    figures = compliance_figures(month, form.filters())
    page = Paginator(non_confirmed_employers(month, form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    employers = list(page.object_list)
    for employer in employers:
        employer.last_update = last_roster_update(employer)
    querystring = form.querystring()
    return render(
        request,
        "compliance/compliance.html",
        {
            "form": form,
            "month": month,
            "month_label": month_label(month),
            "figures": figures,
            "total": figures.total,
            "kecamatan_chart": report_charts.svg_image(charts.kecamatan_table(figures)),
            "trend_chart": report_charts.svg_image(charts.trend_table(figures)),
            "breakdowns": [
                _lines(_("By district (kecamatan)"), figures.by_kecamatan),
                _lines(_("By sector"), figures.by_sector),
                _lines(_("By size"), figures.by_size),
            ],
            "trend": [(month_label(m), tally) for m, tally in reversed(figures.trend)],
            "page": page,
            "employers": employers,
            "querystring": querystring,
            "to_admin": user_has_any_role(request.user, STAFF_ROLES),
        },
    )


def _breakdown_rows(figures: ComplianceFigures):
    def row(kind: str, key: str, label: str, tally: Tally) -> list:
        return [kind, key, label, tally.employers, tally.confirmed, tally.not_confirmed, tally.rate]

    yield row(_("All"), "", _("All employers"), figures.total)
    for kind, lines in (
        (_("District"), figures.by_kecamatan),
        (_("Sector"), figures.by_sector),
        (_("Size"), figures.by_size),
    ):
        for line in lines:
            yield row(kind, line.key, line.label, line.tally)
    for month, tally in figures.trend:
        yield row(_("Month"), f"{month:%Y-%m}", month_label(month), tally)


def _not_confirmed_rows(month, filters):
    for employer in non_confirmed_employers(month, filters).iterator(chunk_size=2000):
        yield [
            employer.npp,
            employer.name,
            employer.kecamatan_code or "",
            employer.kecamatan_name or "",
            employer.get_sector_display(),
            employer.get_size_display(),
            employer.email,
            employer.contact_name or "",
            employer.contact_email or "",
            last_roster_update(employer),
            f"{employer.last_month:%Y-%m}" if employer.last_month else "",
            employer.last_confirmed_at,
        ]


@reports_access
@require_GET
def download(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if table not in DOWNLOADS or fmt not in CONTENT_TYPES:
        raise Http404
    form = ComplianceForm(request.GET, today=timezone.localdate())
    month = form.chosen_month()
    filters = form.filters()
    name = f"kepatuhan-{table}-{month:%Y-%m}.{fmt}"
    if table == "breakdown":
        header = [
            _("Breakdown"),
            _("Code"),
            _("Name"),
            _("Employers with workers"),
            pgettext("roster confirmation", "Confirmed"),
            _("Not confirmed"),
            _("Reporting rate (%)"),
        ]
        rows = list(_breakdown_rows(compliance_figures(month, filters)))
        text_columns = (0, 1, 2)
    else:
        header = [
            _("NPP"),
            _("Employer"),
            _("District code"),
            _("District"),
            _("Sector"),
            _("Size"),
            _("Employer e-mail"),
            _("Main contact"),
            _("Main contact's e-mail"),
            _("Last roster update"),
            _("Last month confirmed"),
            _("Last confirmed at"),
        ]
        rows = _not_confirmed_rows(month, filters)
        text_columns = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10)
    if fmt == "csv":
        if table == "not-confirmed":
            rows = list(_planned(rows))
        response = StreamingHttpResponse(stream_csv(header, rows), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def write(handle):
        with planned_to_the_end():
            write_xlsx(
                handle, header, rows, text_columns=text_columns, sheet_title=month_label(month)
            )

    return FileResponse(
        temporary_file(write), as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt]
    )


def _planned(rows):
    with planned_to_the_end():
        yield from rows
