"""Write BPJS's statement of a month made from the records, with realistic discrepancies (``bpjs.demo_statement``):
for the benchmark, the browser test and trying the import. Writes the file only."""

from django.core.management.base import BaseCommand, CommandError

from bpjs.demo_statement import write_statement
from bpjs.services.reconciliation import Scope, parse_month
from enrollment.imports.cells import CellError


class Command(BaseCommand):
    help = "Write a BPJS monthly statement (CSV) of the records' participants, with discrepancies."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="2025-08")
        parser.add_argument("--scope", choices=(Scope.CITY, Scope.ALL), default=Scope.CITY)
        parser.add_argument("--output", required=True)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, month: str, scope: str, output: str, seed: int, **options):
        try:
            first_day = parse_month(month)
        except CellError as error:
            raise CommandError(error.message) from error
        with open(output, "w", encoding="utf-8", newline="") as handle:
            kinds = write_statement(handle, first_day, scope, seed=seed)
        self.stdout.write(
            f"{output}: {kinds['rows']} rows ({', '.join(f'{kind} {count}' for kind, count in sorted(kinds.items()) if kind != 'rows')})"
        )
