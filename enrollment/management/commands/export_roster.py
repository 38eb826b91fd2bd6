"""Write an employer's roster (its open jobs) to CSV or XLSX: the portal's download, which import_roster accepts
unchanged. Streams: constant memory at any roster size."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from berjasa.audit import Channel
from enrollment.models import Employer, Employment
from enrollment.roster_file import FILE_FORMATS, roster_rows, write_roster_file
from privacy.log import Kind, record_access


class Command(BaseCommand):
    help = "Write an employer's roster: --employer NPP --output FILE.csv or FILE.xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--employer", metavar="NPP", required=True)
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, employer: str, output: Path | str, **options):
        output = Path(output)
        file_format = output.suffix.lower().lstrip(".")
        if file_format not in FILE_FORMATS:
            raise CommandError("The output file must end in .csv or .xlsx.")
        found = Employer.objects.filter(npp=employer).first()
        if found is None:
            raise CommandError(f"There is no employer with NPP {employer}.")
        employments = Employment.objects.filter(employer=found)
        record_access(
            user=None,
            channel=Channel.COMMAND,
            kind=Kind.EXPORT,
            employer=found,
            scope={"command": "export_roster", "output": str(output)},
            rows=employments.filter(end_date__isnull=True),
        )
        rows = roster_rows(employments, found.pk, timezone.localdate())
        with output.open("wb") as handle:
            write_roster_file(handle, file_format, rows)
        self.stdout.write(f"Roster of {found} written to {output}")
