"""``send_roster_reminders [--month YYYY-MM] [--dry-run]``: queue the monthly roster confirmation's reminder.

Run daily (cron). Without ``--month`` it acts only within ``ROSTER_REMINDER_DAYS_BEFORE`` days of the current
month's end; each user of each employer is reminded at most once per month (the outbox's ``dedupe_key``).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from compliance.months import first_of, month_end, parse_month
from compliance.reminders import drafts_for, send_reminders
from mailing.models import OutgoingMail


class Command(BaseCommand):
    help = "Queue e-mail reminders to employers that have not confirmed this month's roster."

    def add_arguments(self, parser):
        parser.add_argument(
            "--month", help="The month, e.g. 2025-08 (default: this month, near its end)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the reminders, queue nothing"
        )

    def handle(self, *args, month: str | None, dry_run: bool, **options):
        today = timezone.localdate()
        if month:
            try:
                chosen = parse_month(month)
            except ValueError as error:
                raise CommandError(str(error)) from error
            if chosen > first_of(today):
                raise CommandError(f"{month} has not begun: no reminders for it.")
        else:
            chosen = first_of(today)
            days_left = (month_end(chosen) - today).days
            window = settings.ROSTER_REMINDER_DAYS_BEFORE
            if days_left >= window:
                self.stdout.write(
                    f"{days_left} days to the end of {chosen:%Y-%m}: reminders go out in its last "
                    f"{window} days. Nothing queued."
                )
                return
        if dry_run:
            drafts = drafts_for(chosen, today)
            taken = set(
                OutgoingMail.objects.filter(
                    dedupe_key__in=[draft.dedupe_key for draft in drafts]
                ).values_list("dedupe_key", flat=True)
            )
            self.stdout.write(
                f"{chosen:%Y-%m}: would queue {len(drafts) - len(taken)}, "
                f"skip {len(taken)} (already reminded). Dry run: nothing queued."
            )
            return
        run = send_reminders(chosen, today)
        self.stdout.write(
            f"{chosen:%Y-%m}: queued {run.queued}, skipped {run.skipped} (already reminded)."
        )
