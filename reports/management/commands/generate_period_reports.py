"""Store the period's report snapshot (figures, PDF, XLSX, CSV) once; see docs/deployment.md for scheduling."""

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils import timezone

from berjasa.formatting import date_time
from reports import periods
from reports.snapshots import generate_snapshot


class Command(BaseCommand):
    help = (
        "Generate the coverage and claims snapshot of a period (2025-08, 2025-Q3, 2025) or of the previous "
        "month. A stored snapshot is left as it is unless --new-version is given."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--period", help="2025-08, 2025-Q3 or 2025")
        which.add_argument(
            "--previous-month",
            action="store_true",
            help="The month before today (Asia/Makassar), for a scheduler",
        )
        parser.add_argument(
            "--new-version",
            action="store_true",
            help="Store a new version even if one exists (the old versions are kept)",
        )

    def handle(self, *args, period, previous_month: bool, new_version: bool, **options):
        try:
            chosen = (
                periods.previous_month(timezone.localdate())
                if previous_month
                else periods.parse_period(period)
            )
            outcome = generate_snapshot(chosen, new_version=new_version)
        except ValueError as error:
            raise CommandError(str(error)) from error
        except IntegrityError as error:
            raise CommandError(
                f"Another run stored a snapshot of {chosen.key} at the same moment; run again."
            ) from error
        snapshot = outcome.snapshot
        if outcome.created:
            self.stdout.write(
                self.style.SUCCESS(f"Stored {snapshot} (PDF, XLSX, CSV) for {chosen.label()}.")
            )
        else:
            self.stdout.write(
                f"{snapshot} already exists (made {date_time(snapshot.created_at)}); "
                "left as it is. Use --new-version to add another version."
            )
