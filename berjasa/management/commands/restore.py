"""Restore a backup into an empty database and media folder, then verify it (``berjasa.backup``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from berjasa.backup import RestoreError, read_manifest, restore, verify


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the configured database (DATABASE_URL, new and empty) and MEDIA_ROOT "
        "(new or empty), then compare row counts, files and a report's figures with the manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The backup folder (with manifest.json)")
        parser.add_argument(
            "--jobs", type=int, default=2, help="pg_restore's parallel jobs (default 2)"
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Restore nothing: compare the configured database and MEDIA_ROOT with the backup",
        )

    def handle(self, *args, folder: str, jobs: int, verify_only: bool, **options):
        try:
            if verify_only:
                checked = verify(read_manifest(Path(folder)))
            else:
                checked = restore(Path(folder), jobs=jobs, log=self.stderr.write)
        except RestoreError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Verified: {checked['rows']:,} rows in {checked['tables']} tables, "
                f"{checked['media_files']:,} media files ({checked['named_files']:,} named by rows), "
                f"the coverage report of {checked['report_period']} as in the backup."
            )
        )
        if seconds := checked.get("seconds"):
            self.stdout.write(", ".join(f"{phase} {took:.1f} s" for phase, took in seconds.items()))
