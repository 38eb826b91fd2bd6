"""The August 2025 APBD bill computed independently with raw SQL and compared with the portal's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/berjasa_bench .venv/bin/python bench/apbd_bill.py

Independent of ``budget.bill``: one SQL query counts, per budget line of 2025, the participants (distinct
workers) and the memberships per program and wage of city-funded memberships active on any day of August 2025
whose state at BPJS is SUBMITTED, ACTIVE, LAPSED or MISSING; the amounts come from the rates written here
(PP 44/2015): BPU JKK 1 % of the declared income (at least Rp10.000) and JKM Rp6.800; PU (the APBD scheme, risk
class 1) JKK 0,24 % and JKM 0,30 % of the wage, each rounded half up to the Rupiah. Then ``monthly_bill`` and
``apbd_bill --format json`` are run and timed; the three must agree line by line (exit 1 otherwise).
"""

import io
import json
import sys
import time
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine  # noqa: E402  (sets Django up)

# isort: split
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from budget.bill import monthly_bill  # noqa: E402

MONTH = date(2025, 8, 1)
SQL = """
SELECT bl.code || ' ' || bl.name, p.code, s.kind, m.wage, count(*), count(DISTINCT m.worker_id)
FROM enrollment_membership m
JOIN programs_fundingscheme f ON f.id = m.funding_scheme_id AND f.is_city_budget
JOIN programs_segment s ON s.id = m.segment_id
JOIN programs_program p ON p.id = m.program_id
JOIN budget_budgetline_segments bls ON bls.segment_id = s.id
JOIN budget_budgetline bl ON bl.id = bls.budgetline_id AND bl.year = 2025
WHERE m.start_date <= '2025-08-31' AND (m.end_date IS NULL OR m.end_date >= '2025-08-01')
  AND m.bpjs_status IN ('SUBMITTED', 'ACTIVE', 'LAPSED', 'MISSING')
GROUP BY 1, 2, 3, 4
"""
PARTICIPANTS_SQL = """
SELECT bl.code || ' ' || bl.name, count(DISTINCT m.worker_id)
FROM enrollment_membership m
JOIN programs_fundingscheme f ON f.id = m.funding_scheme_id AND f.is_city_budget
JOIN budget_budgetline_segments bls ON bls.segment_id = m.segment_id
JOIN budget_budgetline bl ON bl.id = bls.budgetline_id AND bl.year = 2025
WHERE m.start_date <= '2025-08-31' AND (m.end_date IS NULL OR m.end_date >= '2025-08-01')
  AND m.bpjs_status IN ('SUBMITTED', 'ACTIVE', 'LAPSED', 'MISSING')
GROUP BY 1
"""


def percent(wage: int, rate: str) -> int:
    return int((Decimal(wage) * Decimal(rate) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amount(program: str, kind: str, wage: int) -> int:
    if kind == "BPU":
        return max(percent(wage, "1"), 10_000) if program == "JKK" else 6_800
    return percent(wage, "0.24") if program == "JKK" else percent(wage, "0.30")


def independent() -> dict[str, tuple[int, int]]:
    totals: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(SQL)
        for line, program, kind, wage, memberships, _workers in cursor.fetchall():
            totals[line] = totals.get(line, 0) + memberships * amount(program, kind, wage)
        cursor.execute(PARTICIPANTS_SQL)
        participants = dict(cursor.fetchall())
    return {line: (participants[line], total) for line, total in totals.items()}


def main() -> int:
    print("# The August 2025 APBD bill\n")
    for key, value in machine().items():
        print(f"- {key}: {value}")
    print()
    started = time.perf_counter()
    expected = independent()
    sql_seconds = time.perf_counter() - started
    started = time.perf_counter()
    bill = monthly_bill(MONTH)
    bill_seconds = time.perf_counter() - started
    out = io.StringIO()
    started = time.perf_counter()
    call_command("apbd_bill", month="2025-08", format="json", stdout=out)
    command_seconds = time.perf_counter() - started
    contract = json.loads(out.getvalue())
    ours = {line.label: (line.participants, line.total) for line in bill.lines}
    theirs = {
        line["budget_line"]: (line["participants"], line["total"]) for line in contract["lines"]
    }
    print("| budget line | SQL (participants, Rp) | monthly_bill | apbd_bill json |")
    print("|---|---:|---:|---:|")
    for line in sorted(set(expected) | set(ours)):
        print(f"| {line} | {expected.get(line)} | {ours.get(line)} | {theirs.get(line)} |")
    print(
        f"\nTotal: SQL Rp{sum(t for _p, t in expected.values()):,}, monthly_bill Rp{bill.total:,} "
        f"({bill.participants:,} participants), json Rp{contract['total']:,}"
    )
    print(
        f"Time: SQL {sql_seconds:.2f} s, monthly_bill {bill_seconds:.2f} s, "
        f"apbd_bill --format json {command_seconds:.2f} s"
    )
    agree = expected == ours == theirs
    print("Agree: yes" if agree else "Agree: NO")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
