"""Import a roster or a DTSEN list from the command line, with the engine and rules of the portal and the admin.

Prints the summary, writes the error report next to the input (``FILE-kesalahan.csv``/``.xlsx``) and exits 1
when nothing was imported (refused file, rows with errors, a failure, or a dry run that found errors).
"""

from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from enrollment.imports import batches
from enrollment.models import Employer, Employment, ImportBatch

SOURCES = {"roster": ImportBatch.Source.ROSTER, "dtsen": ImportBatch.Source.DTSEN}


class Command(BaseCommand):
    help = "Import an employer's roster file or the DTSEN list (CSV or XLSX) as one import batch."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", choices=sorted(SOURCES), required=True)
        parser.add_argument("--employer", metavar="NPP", help="the employer of a roster file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="the user the changes are recorded under"
        )
        parser.add_argument(
            "--only-valid-rows",
            action="store_true",
            help="import the valid rows of a file with errors",
        )
        parser.add_argument(
            "--full-sync",
            action="store_true",
            help="end the jobs of workers on the roster but absent from the file",
        )
        parser.add_argument(
            "--end-date", type=date.fromisoformat, help="full sync: last day (today)"
        )
        parser.add_argument(
            "--reason",
            choices=Employment.TerminationReason.values,
            default=Employment.TerminationReason.CONTRACT_ENDED,
            help="full sync: why the jobs end",
        )
        parser.add_argument(
            "--start-date", type=date.fromisoformat, help="DTSEN: first day of coverage (today)"
        )

    def handle(self, *args, file: Path, source: str, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        user = self._user(options["user"])
        employer = self._employer(source, options["employer"])
        upload_options = batches.UploadOptions(
            full_sync=options["full_sync"],
            end_date=options["end_date"] or timezone.localdate(),
            reason=options["reason"],
            start_date=options["start_date"],
        )
        with file.open("rb") as handle:
            batch = batches.stage_upload(
                File(handle, name=file.name),
                source=SOURCES[source],
                acting_user=user,
                employer=employer,
                options=upload_options,
            )
        if options["dry_run"]:
            batches.check_batch(batch.pk)
        elif batches.start_batch(batch, only_valid_rows=options["only_valid_rows"]):
            batches.run_batch(batch.pk)
        batch.refresh_from_db()
        self._report(batch, file, dry_run=options["dry_run"])
        imported = batch.status == ImportBatch.Status.IMPORTED or (
            options["dry_run"]
            and batch.status == ImportBatch.Status.VALIDATED
            and not batch.count_errors
        )
        if options["dry_run"] and batch.status == ImportBatch.Status.VALIDATED:
            batches.cancel_batch(batch)
        if not imported:
            raise SystemExit(1)

    def _user(self, username: str | None):
        if username is None:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        return user

    def _employer(self, source: str, npp: str | None) -> Employer | None:
        if source == "dtsen":
            if npp:
                raise CommandError(
                    "A DTSEN list is not imported for an employer; leave out --employer."
                )
            return None
        if not npp:
            raise CommandError("A roster file needs --employer NPP.")
        employer = Employer.objects.filter(npp=npp).first()
        if employer is None:
            raise CommandError(f"There is no employer with NPP {npp}.")
        return employer

    def _report(self, batch: ImportBatch, file: Path, *, dry_run: bool) -> None:
        write = self.stdout.write
        write(f"Batch #{batch.pk} ({batch.get_source_display()}): {batch.get_status_display()}")
        if batch.message:
            write(batch.message)
        rows = batch.summary.get("rows", {})
        skipped = batch.summary.get("skipped_reasons", {})
        lines = [
            ("rows", batch.row_count),
            ("new", batch.count_new),
            ("updated", batch.count_updated),
            ("unchanged", batch.count_unchanged),
            ("terminated", batch.count_terminated),
            ("skipped: already covered", skipped.get("covered", 0)),
            ("skipped: above the desil cut-off", skipped.get("above_cutoff", 0)),
            ("flagged: enrolled through an employer", rows.get("flagged", 0)),
            ("rows with errors", batch.count_errors),
            ("warnings", batch.summary.get("listed", {}).get("warning", 0)),
        ]
        for label, count in lines:
            if count or label in ("rows", "new", "rows with errors"):
                write(f"  {label:<40} {count:>9,}")
        if dry_run and batch.status == ImportBatch.Status.VALIDATED:
            write("Dry run: nothing was written.")
        if batch.error_file:
            target = file.with_name(f"{file.stem}-kesalahan{Path(batch.error_file.name).suffix}")
            with batch.error_file.open("rb") as report:
                target.write_bytes(report.read())
            write(f"Error report: {target}")
