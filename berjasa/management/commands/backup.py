"""Back up the database and ``MEDIA_ROOT`` together into a new folder (``berjasa.backup``; docs/deployment.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from berjasa.backup import BackupError, backup
from reports.periods import PeriodError, previous_month


class Command(BaseCommand):
    help = (
        "Write a consistent backup (database dump, media archive, manifest) into a new folder; "
        "restore it with the restore command."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", required=True, help="A new (or empty) folder for this backup"
        )
        parser.add_argument(
            "--report-period",
            help="The month whose coverage report the manifest records for the restore to compare "
            "(default: the previous month)",
        )

    def handle(self, *args, output: str, report_period: str | None, **options):
        period = report_period or previous_month(timezone.localdate()).key
        try:
            result = backup(Path(output), report_period=period, log=self.stderr.write)
        except (BackupError, PeriodError) as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        parts = ", ".join(
            f"{part['file']} {part['bytes']:,} bytes" for part in manifest["parts"].values()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {result.folder}: {parts}; {sum(manifest['tables'].values()):,} rows "
                f"in {len(manifest['tables'])} tables, {len(manifest['media_files']):,} media files."
            )
        )
        self.stdout.write(
            ", ".join(f"{phase} {took:.1f} s" for phase, took in result.seconds.items())
        )
