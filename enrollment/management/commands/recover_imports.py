"""Interrupt the import batches whose lease has expired (their process died) and queue them again.

Run it every minute on one machine (docs/deployment.md); running it on several, or beside the batches' pages
that do the same for the batch shown, is safe: one of them wins each batch.
"""

from django.core.management.base import BaseCommand

from enrollment.imports.tasks import recover_stalled


class Command(BaseCommand):
    help = "Queue again, or mark interrupted, the import batches whose worker stopped."

    def handle(self, *args, **options):
        recovered = recover_stalled()
        if recovered:
            self.stdout.write(f"{recovered} import batch(es) recovered.")
