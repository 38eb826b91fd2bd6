"""Demo employers: sector, name, JKK risk class fitting the sector, where they are, NPP and size."""

import random
from dataclasses import dataclass

from enrollment.demo import vocabulary as words
from enrollment.demo.identities import IdentityFactory, weighted
from enrollment.models import Employer

COOPERATIVE_KINDS = ("Simpan Pinjam", "Serba Usaha", "Karyawan")
SMALL_FIRM_FORMS = ("CV", "UD")  # a large employer is a PT instead


@dataclass(slots=True, eq=False)
class PlannedEmployer:
    name: str
    sector: str
    risk_class: int
    kelurahan: str
    address: str
    status: str
    npp: str = ""
    size: str = ""


def employer_size(headcount: int) -> str:
    if headcount < 5:
        return Employer.Size.MICRO
    if headcount < 20:
        return Employer.Size.SMALL
    if headcount < 100:
        return Employer.Size.MEDIUM
    return Employer.Size.LARGE


class EmployerFactory:
    """Makes employers with names no other employer of the demo has."""

    def __init__(self, rng: random.Random, identities: IdentityFactory) -> None:
        self.rng = rng
        self.identities = identities
        self.employers: list[PlannedEmployer] = []
        self._names_taken: set[str] = set()

    def new(self, status: str, large: bool = False) -> PlannedEmployer:
        rng = self.rng
        sector = rng.choices(list(words.SECTORS), [p.weight for p in words.SECTORS.values()])[0]
        profile = words.SECTORS[sector]
        form = weighted(rng, profile.legal_forms)
        if large and form in SMALL_FIRM_FORMS:
            form = "PT"
        employer = PlannedEmployer(
            name=self._name(form, profile),
            sector=sector,
            risk_class=rng.choice(profile.risk_classes),
            kelurahan=self.identities.business_kelurahan(),
            address=self.identities.street_address(),
            status=status,
        )
        self.employers.append(employer)
        return employer

    def _name(self, form: str, profile: words.SectorProfile) -> str:
        rng = self.rng
        name = ""
        for _ in range(20):
            place, word = rng.choice(words.PLACE_WORDS), rng.choice(words.NAME_WORDS)
            trade = rng.choice(profile.words)
            if form == "Yayasan":
                name = f"Yayasan {trade} {place}"
            elif form == "Koperasi":
                name = f"Koperasi {rng.choice(COOPERATIVE_KINDS)} {place}"
            elif form == "UD":
                name = f"UD {word} {rng.choice(words.NAME_WORDS)}"
            else:
                name = rng.choice((f"{form} {word} {place} {trade}", f"{form} {place} {trade}"))
            if name not in self._names_taken:
                break
        else:
            name = f"{name} {len(self._names_taken)}"
        self._names_taken.add(name)
        return name

    def number(self, headcount: dict[PlannedEmployer, int]) -> None:
        """Give every employer its NPP (8 digits, unique) and its size from ``headcount``."""
        numbers = self.rng.sample(range(10_000_000, 100_000_000), len(self.employers))
        for employer, number in zip(self.employers, numbers, strict=True):
            employer.npp = str(number)
            employer.size = employer_size(headcount.get(employer, 0))
