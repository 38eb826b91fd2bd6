"""Deliver the outbox's due mails now, in batches, and print what became of them.

The background worker delivers mails as they are queued; this command is the safety net when no job is queued
(a worker that was down, a job lost): run it every minute on one machine (docs/deployment.md). Running it beside
the worker is safe: each mail is taken by one of them (its row locked).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mailing.delivery import deliver_due, schedule_next
from mailing.models import OutgoingMail


class Command(BaseCommand):
    help = "Send the e-mails that are due (queued, or waiting to retry whose time has come)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=None, help="Send at most this many (default: all due)."
        )

    def handle(self, *args, limit=None, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        totals: dict[str, int] = {}
        server_down = False
        left = limit
        while left is None or left > 0:
            batch = (
                settings.MAIL_BATCH_SIZE if left is None else min(left, settings.MAIL_BATCH_SIZE)
            )
            delivery = deliver_due(batch)
            for status, count in delivery.counts.items():
                totals[status] = totals.get(status, 0) + count
            if left is not None:
                left -= delivery.taken
            if delivery.server_down:
                server_down = True
                break
            if not delivery.full:
                break
        if (
            limit is None
        ):  # the job picks up what waits for later (a --limit run sends only its share)
            schedule_next(delivery)
        labels = dict(OutgoingMail.Status.choices)
        words = ", ".join(f"{labels[s]}: {totals[s]}" for s in labels if totals.get(s)) or "—"
        self.stdout.write(f"Mails delivered: {words}.")
        if server_down:
            self.stdout.write(
                "The mail server is unavailable: the rest waits for the next attempt."
            )
