"""Write the roster import template (CSV or XLSX, chosen by the file's extension) with one example row."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enrollment.roster_file import FILE_FORMATS, write_roster_template


class Command(BaseCommand):
    help = "Write the roster import template with one example row: --output FILE.csv or FILE.xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, output: Path | str, **options):
        output = Path(output)
        file_format = output.suffix.lower().lstrip(".")
        if file_format not in FILE_FORMATS:
            raise CommandError("The output file must end in .csv or .xlsx.")
        with output.open("wb") as handle:
            write_roster_template(handle, file_format)
        self.stdout.write(f"Template written to {output}")
