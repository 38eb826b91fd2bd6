"""Keep the coverage ledger: ``coverage_ledger rebuild``, ``coverage_ledger extend`` (daily),
``coverage_ledger compare --from 2023-01 --to 2025-08``."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from berjasa.formatting import number
from reports.ledger import posting
from reports.ledger.comparison import compare, every_scope
from reports.periods import PeriodError, month_end, parse_period, shift_month
from reports.queries import CITY

SHOWN = 20  # differences printed; the count is of all


class Command(BaseCommand):
    help = (
        "The coverage ledger: 'rebuild' it from the memberships (reporting what differed), 'extend' its "
        "horizon and month-end balances (daily), or 'compare' its figures with the memberships'."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "extend", "compare"])
        parser.add_argument("--from", dest="first", help="compare: first month (2023-01)")
        parser.add_argument("--to", dest="last", help="compare: last month (default: this one)")
        parser.add_argument(
            "--every-scope",
            action="store_true",
            dest="all_scopes",
            help="compare: each segment and each district too (slow on a large database)",
        )

    def handle(self, *args, action, first, last, all_scopes, **options):
        getattr(self, action)(first=first, last=last, all_scopes=all_scopes)

    def rebuild(self, **options):
        with transaction.atomic():
            rebuilt = posting.rebuild()
        self.stdout.write(
            f"Coverage ledger rebuilt: {number(rebuilt.spans)} spans, {number(rebuilt.changes)} changes, "
            f"{number(rebuilt.balances)} month-end balances."
        )
        for name, rows in (
            ("changes", rebuilt.differing_changes),
            ("balances", rebuilt.differing_balances),
        ):
            if rows:
                self.stdout.write(f"{len(rows)} {name} differed from the ledger before (was − is):")
                for row in rows[:SHOWN]:
                    self.stdout.write(f"  {row}")
        if not (rebuilt.differing_changes or rebuilt.differing_balances):
            self.stdout.write("Nothing differed from the ledger before.")

    def extend(self, **options):
        with transaction.atomic():
            horizon = posting.extend()
        if horizon is None:
            raise CommandError(
                "The coverage ledger is not built yet: run 'coverage_ledger rebuild'."
            )
        self.stdout.write(f"Coverage ledger counts up to {horizon}.")

    def compare(self, *, first, last, all_scopes, **options):
        today = timezone.localdate()
        days = _month_ends(first, last, today)
        try:
            differences = compare(days, every_scope() if all_scopes else [CITY])
        except ValueError as error:
            raise CommandError(str(error)) from error
        scopes = "the city, each segment and each district" if all_scopes else "the city"
        if differences:
            for difference in differences[:SHOWN]:
                self.stdout.write(str(difference))
            raise CommandError(
                f"{len(differences)} figures differ between the ledger and the memberships and claims "
                f"({len(days)} days, {scopes})."
            )
        span = f"{days[0]}" if len(days) == 1 else f"{len(days)} days from {days[0]} to {days[-1]}"
        self.stdout.write(
            f"The ledger agrees with the memberships and claims on every figure: {span}, {scopes}, every "
            "breakdown, the trend, the month's and the year's flows and claims."
        )


def _month_ends(first: str | None, last: str | None, today: date) -> list[date]:
    """The month ends from ``first`` to ``last`` (months, 2025-08), the last one today if it is this month."""
    try:
        end = parse_period(last).end if last else today
        start = (
            parse_period(first).end if first else month_end(*shift_month(end.year, end.month, -11))
        )
    except PeriodError as error:
        raise CommandError(str(error)) from error
    days = []
    while start < end:
        days.append(start)
        start = month_end(*shift_month(start.year, start.month, 1))
    return [*days, min(end, today)]
