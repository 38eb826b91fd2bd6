"""Who the demo people are: names, NIKs, birth dates, phones, addresses, where they live.

NIKs are structurally valid (``enrollment.nik``) and agree with the birth date and sex; serials count from 0001
within each 12-digit prefix, so no NIK repeats.
"""

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import TypeVar

from enrollment.demo import vocabulary as words
from enrollment.demo.targets import REPORT_DAY
from enrollment.nik import FEMALE_DAY_OFFSET

# Residents by kecamatan, roughly in proportion to population.
RESIDENT_WEIGHTS = {
    "73.71.01": 60, "73.71.02": 62, "73.71.03": 85, "73.71.04": 29, "73.71.05": 33,
    "73.71.06": 58, "73.71.07": 145, "73.71.08": 36, "73.71.09": 150, "73.71.10": 210,
    "73.71.11": 225, "73.71.12": 155, "73.71.13": 170, "73.71.14": 117, "73.71.15": 15,
}  # fmt: skip
# Employers favour the centre (Ujung Pandang, Wajo), Panakkukang and the KIMA industrial estate (Biringkanaya).
BUSINESS_FACTORS = {"73.71.04": 4, "73.71.05": 3, "73.71.09": 2, "73.71.11": 2, "73.71.03": 1.5}

# NIK regions other than Makassar: Sulawesi Selatan regencies (the commuter belt weighs most), other provinces.
SULAWESI_SELATAN = {
    "7306": 5, "7309": 4, "7305": 2, "7308": 2, "7304": 1.5, "7310": 1.5, "7313": 1.5,
    "7315": 1.5, "7318": 1.5, "7301": 0.5, "7302": 1, "7303": 1, "7307": 1, "7311": 1,
    "7312": 1, "7314": 1, "7316": 1, "7317": 1, "7322": 1, "7325": 1, "7326": 1, "7372": 1,
    "7373": 1,
}  # fmt: skip
OTHER_PROVINCES = ("7171", "7271", "7471", "7602", "3171", "3578", "3374", "6471", "8271", "5171")
NIK_ORIGINS = (("MAKASSAR", 82), ("SULAWESI_SELATAN", 14), ("OTHER", 4))

# Age on REPORT_DAY: (youngest, oldest, weight).
AGE_BANDS = ((18, 24, 12), (25, 34, 28), (35, 44, 27), (45, 54, 21), (55, 64, 12))
OLDEST_BIRTH = date(1960, 9, 1)  # 64 on REPORT_DAY
YOUNGEST_BIRTH = date(2007, 8, 31)  # 18 on REPORT_DAY

NAME_STYLES = (("BUGIS_MAKASSAR", 72), ("JAVANESE", 14), ("TORAJA_MINAHASA", 11), ("CHINESE", 3))
STYLES_OF_FAITH = {
    words.MUSLIM: ("BUGIS_MAKASSAR", "JAVANESE"),
    words.CHRISTIAN: ("TORAJA_MINAHASA",),
}
PHONE_PREFIXES = (
    "0811", "0812", "0813", "0821", "0822", "0823", "0851", "0852", "0853", "0814", "0815",
    "0856", "0857", "0858", "0817", "0818", "0819", "0859", "0877", "0878", "0895", "0896",
    "0881", "0882", "0887",
)  # fmt: skip


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def date_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


Choice = TypeVar("Choice")


def weighted(rng: random.Random, options: Sequence[tuple[Choice, float]]) -> Choice:
    """One of the options, each ``(value, weight)``."""
    return rng.choices([option for option, _ in options], [weight for _, weight in options])[0]


@dataclass(frozen=True)
class Regions:
    """Kelurahan codes (sorted), their kecamatan, and how likely people and employers are to be there."""

    kelurahan: tuple[str, ...]
    kecamatan_of: dict[str, str]
    resident_weights: tuple[float, ...]
    business_weights: tuple[float, ...]

    @classmethod
    def build(cls, kecamatan_of: dict[str, str], rng: random.Random) -> "Regions":
        kelurahan = tuple(sorted(kecamatan_of))
        per_kecamatan: dict[str, int] = {}
        for code in kelurahan:
            per_kecamatan[kecamatan_of[code]] = per_kecamatan.get(kecamatan_of[code], 0) + 1
        residents = []
        business = []
        for code in kelurahan:
            kecamatan = kecamatan_of[code]
            weight = RESIDENT_WEIGHTS.get(kecamatan, 50) / per_kecamatan[kecamatan]
            residents.append(weight * rng.uniform(0.6, 1.4))
            business.append(residents[-1] * BUSINESS_FACTORS.get(kecamatan, 1))
        return cls(kelurahan, kecamatan_of, tuple(residents), tuple(business))

    @property
    def kecamatan(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.kecamatan_of.values())))


class IdentityFactory:
    """Draws everything personal from one random stream; hands out every kelurahan before repeating any."""

    def __init__(self, rng: random.Random, regions: Regions) -> None:
        self._rng = rng
        self._regions = regions
        self._resident_cumulative = list(accumulate(regions.resident_weights))
        self._business_cumulative = list(accumulate(regions.business_weights))
        self._unused_kelurahan = list(regions.kelurahan)
        rng.shuffle(self._unused_kelurahan)
        self._serials: dict[str, int] = {}

    def home_kelurahan(self) -> str:
        if self._unused_kelurahan:
            return self._unused_kelurahan.pop()
        return self._pick(self._resident_cumulative)

    def business_kelurahan(self) -> str:
        return self._pick(self._business_cumulative)

    def _pick(self, cumulative: list[float]) -> str:
        return self._regions.kelurahan[bisect(cumulative, self._rng.random() * cumulative[-1])]

    def birth_date(self, latest: date = YOUNGEST_BIRTH) -> date:
        """A working-age birth date (18-64 on REPORT_DAY), no later than ``latest``."""
        latest = min(latest, YOUNGEST_BIRTH)
        rng = self._rng
        for _ in range(10):
            youngest, oldest, _weight = rng.choices(AGE_BANDS, [band[2] for band in AGE_BANDS])[0]
            born = self.born_at_age(rng.randint(youngest, oldest), on=REPORT_DAY)
            if born <= latest:
                return born
        return date_between(rng, OLDEST_BIRTH, max(latest, OLDEST_BIRTH))

    def born_at_age(self, age: int, *, on: date) -> date:
        """A birth date of someone who is ``age`` years old on ``on``."""
        last = add_years(on, -age)
        return date_between(self._rng, add_years(last, -1) + timedelta(days=1), last)

    def nik(self, birth_date: date, sex: str, kelurahan: str) -> str:
        rng = self._rng
        origin = weighted(rng, NIK_ORIGINS)
        if origin == "MAKASSAR":
            kecamatan = self._regions.kecamatan_of[kelurahan]
            if rng.random() < 0.15:  # registered in another kecamatan of the city
                kecamatan = self._regions.kecamatan_of[rng.choice(self._regions.kelurahan)]
            region = "7371" + kecamatan[-2:]
        elif origin == "SULAWESI_SELATAN":
            regency = rng.choices(list(SULAWESI_SELATAN), list(SULAWESI_SELATAN.values()))[0]
            region = f"{regency}{rng.randint(1, 12):02d}"
        else:
            region = f"{rng.choice(OTHER_PROVINCES)}{rng.randint(1, 8):02d}"
        day = birth_date.day + (FEMALE_DAY_OFFSET if sex == "P" else 0)
        prefix = f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
        serial = self._serials.get(prefix, 0) + 1
        self._serials[prefix] = serial
        return f"{prefix}{serial:04d}"

    def name(self, sex: str, faith: str | None = None) -> str:
        rng = self._rng
        style = weighted(rng, NAME_STYLES) if faith is None else rng.choice(STYLES_OF_FAITH[faith])
        male = sex == "L"
        if style == "BUGIS_MAKASSAR":
            return self._bugis_makassar_name(male)
        if style == "JAVANESE":
            given = words.JAVANESE_MALE if male else words.JAVANESE_FEMALE
            family = words.JAVANESE_FAMILY_MALE if male else words.JAVANESE_FAMILY_FEMALE
        elif style == "TORAJA_MINAHASA":
            given = words.CHRISTIAN_MALE if male else words.CHRISTIAN_FEMALE
            family = words.CHRISTIAN_FAMILY_NAMES
        else:
            given, family = words.CHINESE_INDONESIAN_GIVEN, words.CHINESE_INDONESIAN_FAMILY
        return f"{rng.choice(given)} {rng.choice(family)}"

    def _bugis_makassar_name(self, male: bool) -> str:
        rng = self._rng
        if male:
            parts = ["Andi"] if rng.random() < 0.06 else []
            parts.append(rng.choice(words.BUGIS_MAKASSAR_MALE))
            if rng.random() < 0.45:
                parts.append(rng.choice(words.BUGIS_MAKASSAR_MALE_SECOND))
            daeng_share = 0.15
        else:
            honorific = rng.random()
            parts = ["Sitti"] if honorific < 0.1 else ["St."] if honorific < 0.14 else []
            parts.append(rng.choice(words.BUGIS_MAKASSAR_FEMALE))
            if rng.random() < 0.3:
                parts.append(rng.choice(words.BUGIS_MAKASSAR_FEMALE_SECOND))
            daeng_share = 0.08
        if parts[0] != "Andi" and rng.random() < daeng_share:
            parts += ["Dg.", rng.choice(words.DAENG_NAMES)]
        return " ".join(parts)

    def phone(self) -> str:
        rng = self._rng
        if rng.random() < 0.1:
            return ""
        digits = rng.randint(7, 8)
        return f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10 ** (digits - 1), 10**digits)}"

    def street_address(self) -> str:
        rng = self._rng
        address = f"Jl. {rng.choice(words.STREETS)} No. {rng.randint(1, 250)}"
        if rng.random() < 0.25:
            address += f" Lr. {rng.randint(1, 12)}"
        return address

    def home_address(self) -> str:
        rng = self._rng
        return f"{self.street_address()}, RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 9):03d}"
