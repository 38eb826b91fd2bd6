"""The DTSEN candidate list: the vulnerable workers the city would register next. A CSV file, not the database.

Besides the candidates awaiting registration (NIKs unknown to the database, desil 1-5), it holds the rows a
DTSEN import must handle: workers the city already covers (to skip), formal employees enrolled through their
employer (to flag) and households above the usual cut-off (desil 6-10). Columns: see ``seeds/README.md``.
"""

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from enrollment.demo import vocabulary as words
from enrollment.demo.identities import weighted
from enrollment.demo.population import (
    CITY_DECILES,
    CITY_FUNDED,
    DISABILITY_SHARE,
    Person,
    Population,
)
from enrollment.demo.targets import FORMAL, HORIZON, INFORMAL, Targets

COLUMNS = (
    "nik",
    "nama",
    "tanggal_lahir",
    "jenis_kelamin",
    "kode_kelurahan",
    "alamat",
    "pekerjaan",
    "desil",
    "disabilitas",
)
# Extra rows at scale 1.
ALREADY_COVERED = 600
FORMAL_EMPLOYEES = 250
ABOVE_CUTOFF = 900
ABOVE_CUTOFF_DECILES = ((6, 30), (7, 25), (8, 20), (9, 15), (10, 10))


@dataclass(frozen=True)
class DtsenList:
    rows: list[tuple[str, ...]]
    awaiting: int  # new NIKs, desil 1-5: awaiting registration
    already_covered: int  # informal workers the city covers already: an import skips them
    formal_employees: int  # covered through an employer: an import flags them
    above_cutoff: int  # new NIKs, desil 6-10


def _row(person: Person, decile: int) -> tuple[str, ...]:
    return (
        person.nik,
        person.name,
        person.birth_date.isoformat(),
        person.sex,
        person.kelurahan,
        person.address,
        person.occupation,
        str(decile),
        "ya" if person.has_disability else "tidak",
    )


class DtsenListBuilder:
    def __init__(self, population: Population, targets: Targets, rng: random.Random) -> None:
        self.population = population
        self.targets = targets
        self.rng = rng

    def build(self) -> DtsenList:
        targets, rng = self.targets, self.rng
        covered_now = [
            person
            for person in self.population.people
            if person.spell.active_on(HORIZON) and "JKM" in person.spell.programs
        ]
        city_funded = [
            person
            for person in covered_now
            if person.group == INFORMAL and person.spell.funding == CITY_FUNDED
        ]
        employees = [person for person in covered_now if person.group == FORMAL]
        awaiting = [
            _row(self._candidate(), weighted(rng, CITY_DECILES))
            for _ in range(targets.dtsen_candidates)
        ]
        covered = [
            _row(person, person.dtsen_decile)
            for person in rng.sample(city_funded, targets.scaled(ALREADY_COVERED))
        ]
        flagged = [
            _row(person, weighted(rng, CITY_DECILES))
            for person in rng.sample(employees, targets.scaled(FORMAL_EMPLOYEES))
        ]
        above = [
            _row(self._candidate(), weighted(rng, ABOVE_CUTOFF_DECILES))
            for _ in range(targets.scaled(ABOVE_CUTOFF))
        ]
        rows = awaiting + covered + flagged + above
        rng.shuffle(rows)
        return DtsenList(rows, len(awaiting), len(covered), len(flagged), len(above))

    def _candidate(self) -> Person:
        """A vulnerable worker the database does not know (a NIK no demo worker holds)."""
        ids, rng = self.population.identities, self.rng
        occupation = rng.choices(
            words.INFORMAL_OCCUPATIONS, [o.weight for o in words.INFORMAL_OCCUPATIONS]
        )[0]
        sex = "L" if rng.random() < occupation.male_share else "P"
        born = ids.birth_date()
        kelurahan = ids.home_kelurahan()
        return Person(
            group=INFORMAL,
            sex=sex,
            birth_date=born,
            name=ids.name(sex),
            nik=ids.nik(born, sex, kelurahan),
            kelurahan=kelurahan,
            address=ids.home_address(),
            phone="",
            occupation=occupation.title,
            spells=[],
            has_disability=rng.random() < DISABILITY_SHARE[INFORMAL],
        )


def build_dtsen_list(population: Population, targets: Targets, seed: int) -> DtsenList:
    return DtsenListBuilder(population, targets, random.Random(f"{seed}:dtsen")).build()


def write_dtsen_csv(path: Path, dtsen: DtsenList) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(dtsen.rows)
