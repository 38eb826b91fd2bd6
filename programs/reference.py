"""Loading the reference data in ``seeds/`` into the catalogue; safe to run again."""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from budget.models import BudgetLine
from programs.models import (
    BenefitType,
    ContributionRate,
    CoverageTarget,
    FundingScheme,
    Kecamatan,
    Kelurahan,
    Program,
    Segment,
)

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"


@dataclass
class ReferenceCounts:
    kecamatan: int
    kelurahan: int
    programs: int
    benefit_types: int
    funding_schemes: int
    segments: int
    rates: int
    targets: int
    budget_lines: int


def _rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _flag(value: str) -> bool:
    return value.strip().lower() == "true"


def _optional_int(value: str) -> int | None:
    return int(value) if value.strip() else None


def _optional_decimal(value: str) -> Decimal | None:
    return Decimal(value) if value.strip() else None


def _optional_date(value: str) -> date | None:
    return date.fromisoformat(value) if value.strip() else None


@transaction.atomic
def load_reference_data() -> ReferenceCounts:
    """Create or update every reference row from ``seeds/``, matched by its code."""
    regions = _rows("wilayah_makassar.csv")
    kecamatan = {}
    for row in regions:
        code = row["kecamatan_code"]
        if code not in kecamatan:
            kecamatan[code], _ = Kecamatan.objects.update_or_create(
                code=code, defaults={"name": row["kecamatan_name"]}
            )
        Kelurahan.objects.update_or_create(
            code=row["kelurahan_code"],
            defaults={"name": row["kelurahan_name"], "kecamatan": kecamatan[code]},
        )

    programs = {}
    for row in _rows("programs.csv"):
        programs[row["code"]], _ = Program.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "description": row["description"],
                "wage_earners_only": _flag(row["wage_earners_only"]),
                "business_workers_only": _flag(row["business_workers_only"]),
                "sort_order": int(row["sort_order"]),
            },
        )
    for row in _rows("benefit_types.csv"):
        BenefitType.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "sort_order": int(row["sort_order"])}
        )
    schemes = {}
    for row in _rows("funding_schemes.csv"):
        schemes[row["code"]], _ = FundingScheme.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "is_city_budget": _flag(row["is_city_budget"]),
                "payer": row["payer"],
                "risk_class": _optional_int(row["risk_class"]),
                "sort_order": int(row["sort_order"]),
            },
        )
    for row in _rows("segments.csv"):
        Segment.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "group": row["group"],
                "default_funding_scheme": schemes[row["default_funding_scheme"]],
                "sort_order": int(row["sort_order"]),
            },
        )
    for row in _rows("contribution_rates.csv"):
        ContributionRate.objects.update_or_create(
            program=programs[row["program"]],
            segment_kind=row["segment_kind"],
            risk_class=_optional_int(row["risk_class"]),
            valid_from=date.fromisoformat(row["valid_from"]),
            defaults={
                "percent_of_wage": _optional_decimal(row["percent_of_wage"]),
                "worker_percent": _optional_decimal(row["worker_percent"]),
                "fixed_amount": _optional_int(row["fixed_amount"]),
                "minimum_amount": _optional_int(row["minimum_amount"]),
                "maximum_amount": _optional_int(row["maximum_amount"]),
                "paid_by_government": _flag(row["paid_by_government"]),
                "wage_cap": _optional_int(row["wage_cap"]),
                "valid_to": _optional_date(row["valid_to"]),
                "legal_basis": row["legal_basis"],
            },
        )
    load_budget_lines()
    for row in _rows("coverage_targets.csv"):
        CoverageTarget.objects.update_or_create(
            year=int(row["year"]),
            defaults={"target_percent": Decimal(row["target_percent"]), "source": row["source"]},
        )
    return ReferenceCounts(
        kecamatan=Kecamatan.objects.count(),
        kelurahan=Kelurahan.objects.count(),
        programs=Program.objects.count(),
        benefit_types=BenefitType.objects.count(),
        funding_schemes=FundingScheme.objects.count(),
        segments=Segment.objects.count(),
        rates=ContributionRate.objects.count(),
        targets=CoverageTarget.objects.count(),
        budget_lines=BudgetLine.objects.count(),
    )


def budget_line_rows() -> list[dict[str, str]]:
    """``seeds/budget_lines.csv``: illustrative lines and ceilings (docs/decisions.md, decision 66)."""
    return _rows("budget_lines.csv")


def load_budget_lines() -> None:
    """Create the seeded budget lines that are missing (matched by year and code). A line already there is
    left as it is: its ceiling is the administrators' (a revised budget, APBD-P, changes it)."""
    segments = {segment.code: segment for segment in Segment.objects.all()}
    for row in budget_line_rows():
        line, created = BudgetLine.objects.get_or_create(
            year=int(row["year"]),
            code=row["code"],
            defaults={
                "name": row["name"],
                "department": row["department"],
                "ceiling": int(row["ceiling"]),
            },
        )
        if created:
            line.segments.set([segments[code] for code in row["segments"].split()])
