"""Print or write a report: ``coverage_report --period 2025-08 --by segment,kecamatan --format pdf --output x.pdf``."""

from django.core.management.base import BaseCommand, CommandError

from reports.exporters import EXPORTERS
from reports.params import ScopeError, scope_from_codes
from reports.periods import PeriodError, parse_period
from reports.queries import DIMENSIONS, check_dimensions
from reports.registry import REPORTS, ReportParams, run_report


class Command(BaseCommand):
    help = (
        "Coverage and claims figures for a month (2025-08), quarter (2025-Q3), year (2025) or a range of "
        "months (2023-01..2025-10, the month trend), in any format."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period",
            required=True,
            help="2025-08, 2025-Q3, 2025, 2023-01..2025-10 or a day, 2025-08-14",
        )
        parser.add_argument(
            "--by",
            default="",
            help=f"Comma-separated breakdowns (default: all): {', '.join(DIMENSIONS)}",
        )
        parser.add_argument("--format", default="table", choices=sorted(EXPORTERS))
        parser.add_argument(
            "--output", help="File to write (needed for xlsx and pdf); default stdout"
        )
        parser.add_argument("--report", default="coverage", choices=sorted(REPORTS))
        parser.add_argument("--segment", default="", help="Only this segment (code, e.g. RENTAN)")
        parser.add_argument("--kecamatan", default="", help="Only this district (code or name)")
        parser.add_argument("--employer", default="", help="Only this employer's workers (NPP)")

    def handle(
        self, *args, period, by, format, output, report, segment, kecamatan, employer, **options
    ):
        exporter = EXPORTERS[format]
        if output is None and format in ("xlsx", "pdf"):
            raise CommandError(f"--format {format} writes a binary file: give --output FILE.")
        try:
            params = ReportParams(
                parse_period(period),
                scope_from_codes(segment=segment, kecamatan=kecamatan, employer_npp=employer),
                check_dimensions(name.strip() for name in by.split(",") if name.strip()),
            )
        except (PeriodError, ScopeError, ValueError) as error:
            raise CommandError(str(error)) from error
        content = exporter.render(run_report(report, params))
        if output:
            with open(output, "wb") as handle:
                handle.write(content)
            self.stderr.write(f"{output}: {len(content):,} bytes")
        else:
            self.stdout.write(content.decode("utf-8-sig"), ending="")
