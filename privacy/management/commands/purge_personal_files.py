"""Delete what is past its retention period: import files with personal data, orphan import files, old access
records (``privacy.retention``). Safe to re-run; schedule it daily (docs/deployment.md)."""

from django.core.management.base import BaseCommand

from privacy.retention import purge


class Command(BaseCommand):
    help = (
        "Delete import files (uploads, previews, error reports) and access records older than their "
        "retention period; --dry-run lists them only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; delete nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        report = purge(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        for batch, names in report.batches:
            for name in names:
                self.stdout.write(f"{verb} {name} (import batch #{batch.pk})")
        for name in report.orphans:
            self.stdout.write(f"{verb} {name} (no import batch names it)")
        files = sum(len(names) for _batch, names in report.batches) + len(report.orphans)
        self.stdout.write(
            f"{verb} {files} file(s) of {len(report.batches)} import batch(es) and orphans, "
            f"{report.access_records} access record(s)."
        )
