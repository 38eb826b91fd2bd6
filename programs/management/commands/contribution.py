"""One worker's monthly contribution per program and who pays it, by the rule that enrols (a calculator)."""

import json
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from berjasa.formatting import percent, rupiah
from programs.calculator import as_json, quote
from programs.models import FundingScheme, Program, Segment


class Command(BaseCommand):
    help = (
        "A worker's monthly contribution per program and its split: --programs JKK,JKM,JHT,JP,JKP "
        "--segment CODE --wage W --date YYYY-MM-DD [--risk-class N] [--funding CODE] [--format table|json]."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--programs", default="", help="codes, comma-separated (all if omitted)"
        )
        parser.add_argument("--segment", required=True, metavar="CODE")
        parser.add_argument("--wage", type=int, required=True, help="wage or declared income (Rp)")
        parser.add_argument("--date", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--risk-class", type=int, choices=range(1, 6), metavar="N")
        parser.add_argument(
            "--funding", metavar="CODE", help="funding scheme (the segment's default)"
        )
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args, **options):
        segment = (
            Segment.objects.select_related("default_funding_scheme")
            .filter(code=options["segment"])
            .first()
        )
        if segment is None:
            raise CommandError(f"There is no segment {options['segment']}.")
        funding = None
        if options["funding"]:
            funding = FundingScheme.objects.filter(code=options["funding"]).first()
            if funding is None:
                raise CommandError(f"There is no funding scheme {options['funding']}.")
        elif segment.default_funding_scheme is None:
            raise CommandError(
                f"The segment {segment.code} has no default funding scheme: give --funding."
            )
        if options["wage"] < 0:
            raise CommandError("The wage cannot be negative.")
        known = list(Program.objects.values_list("code", flat=True))
        codes = [code.strip().upper() for code in options["programs"].split(",") if code.strip()]
        if unknown := sorted(set(codes) - set(known)):
            raise CommandError(f"Unknown programs: {', '.join(unknown)}.")
        quotes = quote(
            codes or known,
            segment,
            options["wage"],
            options["date"],
            risk_class=options["risk_class"],
            funding_scheme=funding,
        )
        result = as_json(quotes)
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        for row in result["programs"]:
            if "refused" in row:
                self.stdout.write(f"{row['program']:<4} {row['refused']}")
                continue
            rate = (
                percent(Decimal(row["rate"]), places=None)
                if row["rate"] is not None
                else _("fixed")
            )
            self.stdout.write(
                f"{row['program']:<4} {rupiah(row['amount']):>14}  "
                + _("employer %(employer)s, worker %(worker)s, government %(government)s")
                % {key: rupiah(row[key]) for key in ("employer", "worker", "government")}
                + f"  ({rate}; {row['legal_basis']})"
            )
        self.stdout.write(
            _("Total: employer %(employer)s, worker %(worker)s, government %(government)s")
            % {key: rupiah(result[f"{key}_total"]) for key in ("employer", "worker", "government")}
        )
