"""``compliance_report --month 2025-08 [--format table|json]``: the monthly roster confirmation's reporting rate.

The JSON is a contract: ``month``, ``employers``, ``confirmed``, ``rate`` (0.0–100.0) and ``by_kecamatan``
(``kecamatan``, ``employers``, ``confirmed``) keep their names and meaning; other keys may be added.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from berjasa.formatting import number, percent
from compliance.figures import compliance_figures
from compliance.months import month_label, parse_month


class Command(BaseCommand):
    help = "The share of employers with workers that confirmed their roster for a month."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The month, e.g. 2025-08")
        parser.add_argument("--format", default="table", choices=("table", "json"))

    def handle(self, *args, month: str, format: str, **options):
        try:
            first = parse_month(month)
        except ValueError as error:
            raise CommandError(str(error)) from error
        figures = compliance_figures(first)
        if format == "json":
            self.stdout.write(json.dumps(figures.as_dict(), ensure_ascii=False, indent=2))
            return
        with translation.override("id"):
            self.stdout.write(self._table(figures, month_label(first)))

    def _table(self, figures, label: str) -> str:
        def rate(tally) -> str:
            return percent(tally.rate) if tally.rate is not None else "—"

        total = figures.total
        lines = [
            f"Lapor bulanan {label}: {number(total.confirmed)} dari {number(total.employers)} "
            f"pemberi kerja mengonfirmasi ({rate(total)})",
            "",
        ]
        for title, found in (
            ("Kecamatan", figures.by_kecamatan),
            ("Sektor", figures.by_sector),
            ("Skala", figures.by_size),
        ):
            names = [
                f"{line.key} {line.label}" if title == "Kecamatan" else line.label for line in found
            ]
            width = max([len(title), *(len(name) for name in names)])
            lines.append(
                f"{title:<{width}}  {'Pemberi kerja':>13}  {'Konfirmasi':>10}  {'Tingkat':>8}"
            )
            for name, line in zip(names, found, strict=True):
                lines.append(
                    f"{name:<{width}}  {number(line.tally.employers):>13}  "
                    f"{number(line.tally.confirmed):>10}  {rate(line.tally):>8}"
                )
            lines.append("")
        return "\n".join(lines)
