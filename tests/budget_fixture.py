"""A small city-funded population whose August 2025 bill is counted by hand (tests/test_budget_*.py).

Rates (seeds/contribution_rates.csv): BPU JKK 1 % of the declared income Rp1.000.000 = Rp10.000 and JKM
Rp6.800 (PP 44/2015 Lampiran II), Rp16.800 a worker; PU JKK risk class 1 (the APBD scheme's) 0,24 % and JKM
0,30 % of the wage (PP 44/2015 Lampiran I): at Rp3.000.000, Rp7.200 + Rp9.000 = Rp16.200 a worker.
"""

from dataclasses import dataclass
from datetime import date

from budget.models import BudgetLine
from enrollment.models import BpjsStatus, Worker
from programs.models import FundingScheme, Segment
from tests import factories

ACTIVE, SUBMITTED = BpjsStatus.ACTIVE, BpjsStatus.SUBMITTED


@dataclass
class Population:
    rentan_line: BudgetLine
    non_asn_line: BudgetLine
    starts_on_31st: Worker


def _city_funded(name: str, segment: str, wage: int, status: str, start: date, end=None) -> Worker:
    worker = factories.make_worker(name=name)
    for program, amount in (("JKK", 0), ("JKM", 0)):
        factories.make_membership(
            worker,
            program,
            segment=Segment.objects.get(code=segment),
            funding_scheme=FundingScheme.objects.get(code="APBD"),
            start_date=start,
            end_date=end,
            wage=wage,
            monthly_contribution=amount,
            government_share=amount,
            bpjs_status=status,
        )
    return worker


def _budget_line(code: str, name: str, department: str, segment: str, ceiling: int) -> BudgetLine:
    line = BudgetLine.objects.create(
        year=2025, code=code, name=name, department=department, ceiling=ceiling
    )
    line.segments.set([Segment.objects.get(code=segment)])
    return line


def make_population() -> Population:
    """Billed in August 2025: Ani (RENTAN, since January), Budi (RENTAN, from 31 August, SUBMITTED), Citra
    (RENTAN, ended 1 August), Dedi and Eka (NON_ASN at Rp3.000.000). Not billed: Fajar (RENTAN, REGISTERED),
    Gita (RENTAN, REJECTED), Hadi (FORMAL, employer-funded), Indah (RENTAN, ended 31 July, billed January to
    July), Joko (RENTAN, from 1 September)."""
    BudgetLine.objects.all().delete()  # the seeded lines: these tests keep their own, with small ceilings
    rentan, non_asn = (
        _budget_line(code, name, department, segment, ceiling)
        for code, name, department, segment, ceiling in (
            ("5.1.02.99.01", "Iuran pekerja rentan", "Disnaker", "RENTAN", 520_000),
            ("5.1.02.99.02", "Iuran non-ASN", "BKPSDM", "NON_ASN", 10_000_000),
        )
    )
    bpu, wage = 1_000_000, 3_000_000
    _city_funded("Ani", "RENTAN", bpu, ACTIVE, date(2025, 1, 1))
    budi = _city_funded("Budi", "RENTAN", bpu, SUBMITTED, date(2025, 8, 31))
    _city_funded("Citra", "RENTAN", bpu, ACTIVE, date(2024, 1, 1), date(2025, 8, 1))
    _city_funded("Dedi", "NON_ASN", wage, ACTIVE, date(2024, 6, 1))
    _city_funded("Eka", "NON_ASN", wage, ACTIVE, date(2025, 3, 1))
    _city_funded("Fajar", "RENTAN", bpu, BpjsStatus.REGISTERED, date(2025, 2, 1))
    _city_funded("Gita", "RENTAN", bpu, BpjsStatus.REJECTED, date(2025, 2, 1))
    _city_funded("Indah", "RENTAN", bpu, ACTIVE, date(2025, 1, 1), date(2025, 7, 31))
    _city_funded("Joko", "RENTAN", bpu, ACTIVE, date(2025, 9, 1))
    hadi = factories.make_worker(name="Hadi")
    factories.make_membership(hadi, "JKK", start_date=date(2025, 1, 1), bpjs_status=ACTIVE)
    return Population(rentan, non_asn, budi)
