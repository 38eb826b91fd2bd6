"""List stored memberships and claims whose dates contradict each other (``enrollment.date_rules``).

Prints a count per rule and the first rows of each (record ids only, no personal data: open them in the admin).
Changes nothing; exits 1 when it finds any, so a scheduled run can alert.
"""

from collections import Counter

from django.core.management.base import BaseCommand
from django.utils import timezone

from enrollment.stored_contradictions import stored_contradictions


class Command(BaseCommand):
    help = "List stored memberships and claims whose dates contradict each other (changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--show", type=int, default=20, help="rows listed per rule (default 20; 0: counts only)"
        )

    def handle(self, *args, show: int, **options):
        counts: Counter = Counter()
        for finding in stored_contradictions(timezone.localdate()):
            key = (finding.model, finding.code)
            counts[key] += 1
            if counts[key] <= show:
                self.stdout.write(
                    f"{finding.model} #{finding.pk} {finding.code}: {finding.message}"
                )
        for (model, code), count in sorted(counts.items()):
            self.stdout.write(f"{model} {code}: {count}")
        total = sum(counts.values())
        self.stdout.write(f"{total} contradiction(s) found.")
        if total:
            raise SystemExit(1)
