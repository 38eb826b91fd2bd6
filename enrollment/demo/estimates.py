"""Workforce estimates, the denominators of coverage percentages, city-wide and per kecamatan.

The 2025 city-wide values are the published denominators (scaled); earlier years grow towards them. Each year's
kecamatan values add up exactly to its city-wide value, split by where the demo's workers live.
"""

from dataclasses import dataclass

from enrollment.demo.identities import Regions
from enrollment.demo.targets import Targets, apportion
from reports.models import WorkforceEstimate

# Each year's workforce relative to 2025.
YEAR_FACTORS = {2023: 0.958, 2024: 0.979, 2025: 1.0}
SOURCE = (
    "seed_demo: synthetic demo estimate. The 2025 city-wide values are the denominators of the "
    "published August 2025 figures (52 % of the employed population, UCJ 63.47 %)."
)


@dataclass(frozen=True)
class PlannedEstimate:
    year: int
    kecamatan: str | None  # a kecamatan code; None for the whole city
    kind: str
    workers: int


def workforce_estimates(targets: Targets, regions: Regions) -> list[PlannedEstimate]:
    kecamatan = regions.kecamatan
    residents = dict.fromkeys(kecamatan, 0.0)
    for kelurahan, weight in zip(regions.kelurahan, regions.resident_weights, strict=True):
        residents[regions.kecamatan_of[kelurahan]] += weight
    weights = [round(residents[code] * 1000) for code in kecamatan]
    city_2025 = {
        WorkforceEstimate.Kind.EMPLOYED: targets.employed_population,
        WorkforceEstimate.Kind.UCJ_ELIGIBLE: targets.ucj_eligible_workforce,
    }
    estimates = []
    for year, factor in YEAR_FACTORS.items():
        for kind, workers_2025 in city_2025.items():
            city = round(workers_2025 * factor)
            estimates.append(PlannedEstimate(year, None, kind, city))
            for code, workers in zip(kecamatan, apportion(city, weights), strict=True):
                estimates.append(PlannedEstimate(year, code, kind, workers))
    return estimates
