"""Print a month's APBD contribution bill: ``apbd_bill --month 2025-08 [--format table|json]``."""

import json

from django.core.management.base import BaseCommand, CommandError

from berjasa.formatting import number, rupiah
from budget.bill import monthly_bill, parse_month
from programs.rates import Refused


class Command(BaseCommand):
    help = "The city budget's contribution bill of a month, per budget line (JSON: the README's contract)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM, e.g. 2025-08")
        parser.add_argument("--format", default="table", choices=("table", "json"))

    def handle(self, *args, month: str, format: str, **options):
        try:
            first = parse_month(month)
        except ValueError as error:
            raise CommandError(f"--month takes YYYY-MM, e.g. 2025-08 (not {month!r}).") from error
        try:
            bill = monthly_bill(first)
        except Refused as error:
            raise CommandError(str(error)) from error
        if format == "json":
            self.stdout.write(json.dumps(bill.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"APBD bill {bill.month:%Y-%m}")
        for line in bill.lines:
            self.stdout.write(
                f"  {line.label}  [{', '.join(line.segments)}]  "
                f"{number(line.participants)} participants  {rupiah(line.total)}"
            )
        self.stdout.write(f"Total: {number(bill.participants)} participants, {rupiah(bill.total)}")
        for line in bill.without_budget_line:
            self.stderr.write(f"Warning: no budget line pays {', '.join(line.segments)}.")
