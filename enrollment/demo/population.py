"""The demo population: employers, and people with their employment and membership histories.

The published figures hold by construction, not by luck:

- exactly ``covered[group]`` people hold a spell with JKK and JKM that is active on REPORT_DAY; everybody else's
  spells end before it, start after it (new enrolments), or lack JKM (roster workers not yet registered);
- the covered formal workers are dealt over exactly ``employers_with_workers`` employers, at least one each, with
  heavy-tailed roster sizes; closed employers and employers registered after REPORT_DAY have nobody covered then;
- the recipients of claims paid by REPORT_DAY are designated here (``Person.claim_event``): leavers whose spell
  ended by CLAIM_CUTOFF for that reason, and covered workers who had an accident. ``claims`` writes their claims.

A spell is one stretch of membership under one segment; for formal workers it is also one employment. All
memberships of a spell share its dates, so a worker's memberships of one program never overlap.
"""

import math
import random
from bisect import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from statistics import NormalDist

from enrollment.demo import vocabulary as words
from enrollment.demo.employers import EmployerFactory, PlannedEmployer
from enrollment.demo.identities import IdentityFactory, add_years, date_between, weighted
from enrollment.demo.targets import (
    CLAIM_CUTOFF,
    FORMAL,
    HORIZON,
    INFORMAL,
    PUBLIC_SERVICE,
    REPORT_DAY,
    WINDOW_START,
    Targets,
    apportion,
)
from enrollment.models import Employer, Employment

Reason = Employment.TerminationReason
ACCIDENT = "ACCIDENT"  # a claim event besides the termination reasons
DAY_BEFORE_REPORT = REPORT_DAY - timedelta(days=1)  # the last day a leaver can leave
DAY_AFTER_REPORT = REPORT_DAY + timedelta(days=1)  # the first day of a new enrolment

# The shape of the population at scale 1, besides the published figures:
# covered within the window but no longer on REPORT_DAY,
LEAVERS = {FORMAL: 34_000, PUBLIC_SERVICE: 3_600, INFORMAL: 5_000}
# starting in September-October 2025,
NEW_ENROLMENTS = {FORMAL: 4_000, PUBLIC_SERVICE: 500, INFORMAL: 1_500}
# vulnerable workers the city registered at the launch of Makassar Berjasa (30 September 2025),
LAUNCH_ENROLMENTS = 3_000
LAUNCH_DAY = date(2025, 10, 1)
# on an employer's roster without JKM, or without any program yet.
UNREGISTERED_ROSTER = 3_000
CLOSED_EMPLOYERS = 190
NEW_EMPLOYERS = 150  # their first workers start after REPORT_DAY
ENDING_ON_REPORT_DAY = 150  # formal workers whose last day is REPORT_DAY itself: covered that day
ENDING_SOON_SHARE = 0.012  # of covered workers, whose spell ends in September-October 2025
MOVER_SHARE = 0.05  # of covered formal workers, who came from another employer within the window
ROSTER_SPREAD = (
    1.6  # sigma of the lognormal roster sizes: the largest has a few thousand at scale 1
)

# Of those covered on REPORT_DAY, the share covered since before 2023, and since when.
STOCK_SHARE = {FORMAL: 0.74, PUBLIC_SERVICE: 0.45, INFORMAL: 0.35}
STOCK_FROM = {
    FORMAL: date(2015, 1, 1),
    PUBLIC_SERVICE: date(2019, 1, 1),
    INFORMAL: date(2020, 1, 1),
}
APBD_WAVES = (date(2023, 4, 3), date(2024, 2, 1), date(2025, 1, 2), date(2025, 6, 2))

# Who receives the claims paid by REPORT_DAY, by the event behind them.
CLAIM_EVENTS = {
    FORMAL: (
        (Reason.DIED, 4),
        (Reason.RETIRED, 8),
        (Reason.DISMISSED, 14),
        (Reason.RESIGNED, 40),
        (Reason.CONTRACT_ENDED, 22),
        (ACCIDENT, 12),
    ),
    PUBLIC_SERVICE: ((Reason.DIED, 10), (ACCIDENT, 90)),
    INFORMAL: ((Reason.DIED, 6), (ACCIDENT, 94)),
}
FORMAL_LEAVING = (
    (Reason.RESIGNED, 45),
    (Reason.CONTRACT_ENDED, 30),
    (Reason.DISMISSED, 15),
    (Reason.RETIRED, 6),
    (Reason.DIED, 4),
)
LEAVING_SOON = ((Reason.RESIGNED, 5), (Reason.CONTRACT_ENDED, 4), (Reason.DISMISSED, 1))
RETIREMENT_AGES = (56, 58)
DEATH_SHARE_OF_OTHER_LEAVERS = 0.05  # public-service and informal leavers; the others stopped

PUBLIC_SERVICE_SEGMENTS = (("NON_ASN", 38), ("RT_RW", 24), ("KADER", 20), ("KEAGAMAAN", 18))
FORMAL_SEGMENT = "FORMAL"
INFORMAL_SEGMENT = "RENTAN"
EMPLOYER_FUNDED, SELF_FUNDED, CITY_FUNDED = "EMPLOYER", "MANDIRI", "APBD"
INFORMAL_FUNDING = ((CITY_FUNDED, 85), (SELF_FUNDED, 15))

ALL_PROGRAMS = ("JKK", "JKM", "JHT", "JP", "JKP")
BASIC_PROGRAMS = ("JKK", "JKM")
WITHOUT_JKM = ("JKK", "JHT")  # registered by an employer in part: not covered
PENSION_PROGRAMS = ("JP", "JKP")  # only for those who join before PENSION_JOIN_AGE
PENSION_JOIN_AGE = 56

FORMAL_MALE_SHARE = 0.6
WAGE_FLOOR = 3_650_000
WAGE_STEP = 50_000
NON_ASN_HONORARIUM = (2_000_000, 3_900_000)
CITY_DECLARED_INCOME = 1_000_000  # JKK Rp10,000 + JKM Rp6,800: the Rp16,800 package the city pays
MANDIRI_INCOMES = ((1_000_000, 5), (1_500_000, 2), (2_000_000, 2), (2_500_000, 1), (3_000_000, 1))
CITY_DECILES = ((1, 30), (2, 25), (3, 20), (4, 15), (5, 10))
DISABILITY_SHARE = {FORMAL: 0.005, PUBLIC_SERVICE: 0.005, INFORMAL: 0.03}
KPJ_SHARE = 0.96  # members with a card number; the others wait for theirs


@dataclass(slots=True, eq=False)
class Spell:
    segment: str
    funding: str
    start: date
    programs: tuple[str, ...]
    income: int  # monthly wage (wage earners) or declared income (non-wage earners)
    employer: PlannedEmployer | None = None
    end: date | None = None
    # An Employment.TerminationReason, or empty when a term ended or contributions stopped.
    reason: str = ""

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass(slots=True, eq=False)
class Person:
    group: str
    sex: str
    birth_date: date
    name: str
    nik: str
    kelurahan: str
    address: str
    phone: str
    occupation: str
    spells: list[Spell]
    has_disability: bool = False
    dtsen_decile: int | None = None
    kpj: str | None = None
    claim_event: str = ""  # the event behind the claims paid by REPORT_DAY, if any

    @property
    def spell(self) -> Spell:
        """The latest spell: the one a covered worker is covered by, the one a leaver left."""
        return self.spells[-1]


@dataclass
class Population:
    employers: list[PlannedEmployer]
    people: list[Person]
    identities: IdentityFactory  # hands out further NIKs that clash with none of these


class PopulationBuilder:
    def __init__(self, targets: Targets, identities: IdentityFactory, rng: random.Random) -> None:
        self.targets = targets
        self.identities = identities
        self.rng = rng
        self.employers = EmployerFactory(rng, identities)
        self.people: list[Person] = []
        self._registered: list[PlannedEmployer] = []  # employers with workers covered on REPORT_DAY
        self._registered_cumulative: list[int] = []  # their cumulative roster sizes

    def build(self) -> Population:
        self._formal()
        self._public_service()
        self._informal()
        self.employers.number(self._headcounts())
        self._issue_cards()
        return Population(self.employers.employers, self.people, self.identities)

    # --- formal employees -----------------------------------------------------------------------

    def _formal(self) -> None:
        covered = self._covered_employees()
        self._formal_leavers(covered)
        self._new_hires()
        self._not_yet_registered()

    def _covered_employees(self) -> list[Person]:
        """The covered formal workers, dealt over the employers with registered workers."""
        targets, rng = self.targets, self.rng
        count = targets.employers_with_workers
        # Lognormal roster sizes at evenly spaced quantiles: the same heavy tail at every scale.
        spread = NormalDist(0, ROSTER_SPREAD)
        weights = [round(1000 * math.exp(spread.inv_cdf((i + 0.5) / count))) for i in range(count)]
        rng.shuffle(weights)
        rosters = [1 + extra for extra in apportion(targets.covered[FORMAL] - count, weights)]
        self._registered = [
            self.employers.new(Employer.Status.ACTIVE, large=size >= 100) for size in rosters
        ]
        self._registered_cumulative = list(accumulate(rosters))

        seats = [
            employer
            for employer, size in zip(self._registered, rosters, strict=True)
            for _ in range(size)
        ]
        rng.shuffle(seats)
        movers = set(rng.sample(range(len(seats)), round(len(seats) * MOVER_SHARE)))
        covered = []
        for index, employer in enumerate(seats):
            if index in movers:
                spells = self._move_to(employer)
            else:
                spells = [self._employment(employer, self._covered_start(FORMAL))]
            covered.append(self._formal_person(spells))
        for person in rng.sample(covered, targets.scaled(ENDING_ON_REPORT_DAY)):
            person.spell.end = REPORT_DAY
            person.spell.reason = weighted(rng, LEAVING_SOON)
        self._end_some_soon(covered)
        return covered

    def _roster_employer(self) -> PlannedEmployer:
        """An employer with registered workers, the larger the likelier."""
        cumulative = self._registered_cumulative
        return self._registered[bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _move_to(self, employer: PlannedEmployer) -> list[Spell]:
        """Spells of a worker who left another employer within the window and joined ``employer``."""
        rng = self.rng
        left = date_between(rng, WINDOW_START + timedelta(days=60), date(2025, 6, 30))
        previous = self._roster_employer()
        while previous is employer:
            previous = self._roster_employer()
        before = self._employment(previous, self._start_before(FORMAL, left), left)
        before.reason = weighted(rng, ((Reason.RESIGNED, 7), (Reason.CONTRACT_ENDED, 3)))
        return [before, self._employment(employer, left + timedelta(days=rng.randint(1, 60)))]

    def _formal_leavers(self, covered: list[Person]) -> None:
        """Claim recipients (leavers and accidents), closed employers' staff, and other leavers."""
        leavers = 0
        for event, count in self._claim_events(FORMAL):
            if event == ACCIDENT:
                self._designate_accidents(covered, count)
                continue
            for _ in range(count):
                leaver = self._formal_leaver(self._roster_employer(), event, CLAIM_CUTOFF)
                leaver.claim_event = event
            leavers += count
        for _ in range(self.targets.scaled(CLOSED_EMPLOYERS)):
            leavers += self._closed_employer()
        for _ in range(self.targets.scaled(LEAVERS[FORMAL]) - leavers):
            self._formal_leaver(self._roster_employer(), weighted(self.rng, FORMAL_LEAVING))

    def _new_hires(self) -> None:
        """Workers starting in September-October 2025, some at employers registered only then."""
        rng = self.rng
        hires = self.targets.scaled(NEW_ENROLMENTS[FORMAL])
        newcomers = [
            self.employers.new(Employer.Status.ACTIVE)
            for _ in range(min(hires, self.targets.scaled(NEW_EMPLOYERS)))
        ]
        for index in range(hires):
            if index < len(newcomers):
                employer = newcomers[index]
            elif rng.random() < 0.3:
                employer = rng.choice(newcomers)
            else:
                employer = self._roster_employer()
            start = date_between(rng, DAY_AFTER_REPORT, HORIZON)
            self._formal_person([self._employment(employer, start)])

    def _not_yet_registered(self) -> None:
        """On a roster today without JKM: recent hires not registered yet, or registered in part."""
        rng = self.rng
        for _ in range(self.targets.scaled(UNREGISTERED_ROSTER)):
            if rng.random() < 0.6:
                start, programs = date_between(rng, date(2025, 6, 1), HORIZON), ()
            else:
                start, programs = date_between(rng, date(2024, 1, 1), HORIZON), WITHOUT_JKM
            spell = self._employment(self._roster_employer(), start)
            spell.programs = programs
            self._formal_person([spell])

    def _employment(self, employer: PlannedEmployer, start: date, end: date | None = None) -> Spell:
        profile = words.SECTORS[employer.sector]
        wage = profile.median_wage * self.rng.lognormvariate(0, 0.35)
        return Spell(
            segment=FORMAL_SEGMENT,
            funding=EMPLOYER_FUNDED,
            start=start,
            end=end,
            programs=ALL_PROGRAMS,
            income=max(WAGE_FLOOR, round(wage / WAGE_STEP) * WAGE_STEP),
            employer=employer,
        )

    def _formal_person(self, spells: list[Spell], born: date | None = None) -> Person:
        job = self.rng.choice(words.SECTORS[spells[-1].employer.sector].jobs)
        return self._person(FORMAL, spells, job, FORMAL_MALE_SHARE, born=born)

    def _formal_leaver(
        self,
        employer: PlannedEmployer,
        reason: str,
        last_day: date = DAY_BEFORE_REPORT,
    ) -> Person:
        rng = self.rng
        end = date_between(rng, WINDOW_START, last_day)
        spell = self._employment(employer, self._start_before(FORMAL, end), end)
        spell.reason = reason
        born = None
        if reason == Reason.RETIRED:
            born = self.identities.born_at_age(rng.randint(*RETIREMENT_AGES), on=end)
        return self._formal_person([spell], born=born)

    def _closed_employer(self) -> int:
        """An employer that closed within the window, its workers dismissed or their contracts ended."""
        rng = self.rng
        employer = self.employers.new(
            weighted(rng, ((Employer.Status.CLOSED, 7), (Employer.Status.INACTIVE, 3)))
        )
        closed = date_between(rng, date(2023, 3, 1), date(2025, 6, 30))
        headcount = 1 + int(rng.lognormvariate(0.8, 0.9))
        for _ in range(headcount):
            spell = self._employment(employer, self._start_before(FORMAL, closed), closed)
            spell.reason = weighted(rng, ((Reason.DISMISSED, 1), (Reason.CONTRACT_ENDED, 1)))
            self._formal_person([spell])
        return headcount

    # --- public-service workers -----------------------------------------------------------------

    def _public_service(self) -> None:
        targets, rng = self.targets, self.rng
        segments = [code for code, _ in PUBLIC_SERVICE_SEGMENTS]
        counts = apportion(targets.covered[PUBLIC_SERVICE], [w for _, w in PUBLIC_SERVICE_SEGMENTS])
        covered = [
            self._public_servant(segment, self._covered_start(PUBLIC_SERVICE))
            for segment, count in zip(segments, counts, strict=True)
            for _ in range(count)
        ]
        self._end_some_soon(covered)
        died = self._designate(PUBLIC_SERVICE, covered)
        for _ in range(targets.scaled(LEAVERS[PUBLIC_SERVICE]) - died):
            segment = weighted(rng, PUBLIC_SERVICE_SEGMENTS)
            if rng.random() < 0.4:  # appointments run by budget year
                end = date(rng.choice((2023, 2024)), 12, 31)
            else:
                end = date_between(rng, WINDOW_START, DAY_BEFORE_REPORT)
            self._public_servant(
                segment, self._start_before(PUBLIC_SERVICE, end), end, self._other_leaving()
            )
        for _ in range(targets.scaled(NEW_ENROLMENTS[PUBLIC_SERVICE])):
            start = date_between(rng, DAY_AFTER_REPORT, HORIZON)
            self._public_servant(weighted(rng, PUBLIC_SERVICE_SEGMENTS), start)

    def _public_servant(
        self, segment: str, start: date, end: date | None = None, reason: str = ""
    ) -> Person:
        rng = self.rng
        occupation = self._occupation(words.PUBLIC_SERVICE_OCCUPATIONS[segment])
        if segment == "NON_ASN":
            income = round(rng.uniform(*NON_ASN_HONORARIUM) / WAGE_STEP) * WAGE_STEP
        else:
            income = CITY_DECLARED_INCOME
        spell = Spell(segment, CITY_FUNDED, start, BASIC_PROGRAMS, income, end=end, reason=reason)
        return self._person(
            PUBLIC_SERVICE, [spell], occupation.title, occupation.male_share, occupation.religion
        )

    # --- informal and vulnerable workers --------------------------------------------------------

    def _informal(self) -> None:
        targets, rng = self.targets, self.rng
        counts = apportion(targets.covered[INFORMAL], [w for _, w in INFORMAL_FUNDING])
        fundings = [
            funding
            for (funding, _), count in zip(INFORMAL_FUNDING, counts, strict=True)
            for _ in range(count)
        ]
        rng.shuffle(fundings)
        covered = []
        for funding in fundings:
            start = self._covered_start(INFORMAL)
            if funding == CITY_FUNDED and start >= WINDOW_START and rng.random() < 0.5:
                start = rng.choice(APBD_WAVES)  # the city registers in waves
            covered.append(self._informal_worker(funding, start))
        self._end_some_soon(covered)
        died = self._designate(INFORMAL, covered)
        for _ in range(targets.scaled(LEAVERS[INFORMAL]) - died):
            end = date_between(rng, WINDOW_START, DAY_BEFORE_REPORT)
            # Mostly self-funded workers who stopped paying; city-funded ones who moved away.
            funding = weighted(rng, ((SELF_FUNDED, 7), (CITY_FUNDED, 3)))
            self._informal_worker(
                funding, self._start_before(INFORMAL, end), end, self._other_leaving()
            )
        for _ in range(targets.scaled(LAUNCH_ENROLMENTS)):
            self._informal_worker(CITY_FUNDED, LAUNCH_DAY)
        for _ in range(targets.scaled(NEW_ENROLMENTS[INFORMAL])):
            funding = weighted(rng, ((CITY_FUNDED, 6), (SELF_FUNDED, 4)))
            self._informal_worker(funding, date_between(rng, DAY_AFTER_REPORT, HORIZON))

    def _informal_worker(
        self, funding: str, start: date, end: date | None = None, reason: str = ""
    ) -> Person:
        rng = self.rng
        if funding == CITY_FUNDED:
            income = CITY_DECLARED_INCOME
            decile = weighted(rng, CITY_DECILES)
        else:
            income = weighted(rng, MANDIRI_INCOMES)
            decile = rng.randint(3, 10)
        spell = Spell(
            INFORMAL_SEGMENT, funding, start, BASIC_PROGRAMS, income, end=end, reason=reason
        )
        occupation = self._occupation(words.INFORMAL_OCCUPATIONS)
        person = self._person(INFORMAL, [spell], occupation.title, occupation.male_share)
        person.dtsen_decile = decile
        return person

    # --- shared steps ---------------------------------------------------------------------------

    def _claim_events(self, group: str) -> list[tuple[str, int]]:
        """How many recipients of claims paid by REPORT_DAY each event has, in ``group``."""
        events = CLAIM_EVENTS[group]
        counts = apportion(self.targets.recipients[group], [weight for _, weight in events])
        return [(event, count) for (event, _), count in zip(events, counts, strict=True)]

    def _designate(self, group: str, covered: list[Person]) -> int:
        """Designate the claim recipients of a city-funded or informal group; return the deaths."""
        died = 0
        for event, count in self._claim_events(group):
            if event == ACCIDENT:
                self._designate_accidents(covered, count)
                continue
            for _ in range(count):
                end = date_between(self.rng, WINDOW_START, CLAIM_CUTOFF)
                template = self.rng.choice(covered).spell  # a leaver like those who stay
                if group == PUBLIC_SERVICE:
                    person = self._public_servant(
                        template.segment, self._start_before(group, end), end, Reason.DIED
                    )
                else:
                    person = self._informal_worker(
                        template.funding, self._start_before(group, end), end, Reason.DIED
                    )
                person.claim_event = event
            died += count
        return died

    def _designate_accidents(self, covered: list[Person], count: int) -> None:
        eligible = [person for person in covered if person.spell.start < CLAIM_CUTOFF]
        for person in self.rng.sample(eligible, count):
            person.claim_event = ACCIDENT

    def _end_some_soon(self, covered: list[Person]) -> None:
        """End a few covered workers' spells in September-October 2025 (covered on REPORT_DAY still)."""
        rng = self.rng
        for person in rng.sample(covered, round(len(covered) * ENDING_SOON_SHARE)):
            if person.spell.end is None:
                person.spell.end = date_between(rng, DAY_AFTER_REPORT, HORIZON)
                if person.spell.employer is not None:
                    person.spell.reason = weighted(rng, LEAVING_SOON)

    def _other_leaving(self) -> str:
        return Reason.DIED if self.rng.random() < DEATH_SHARE_OF_OTHER_LEAVERS else ""

    def _covered_start(self, group: str) -> date:
        if self.rng.random() < STOCK_SHARE[group]:
            return self._stock_start(group)
        return self._window_day(WINDOW_START, REPORT_DAY)

    def _stock_start(self, group: str) -> date:
        """A start before 2023, more likely the more recent."""
        first = STOCK_FROM[group]
        span = (WINDOW_START - first).days - 1
        return first + timedelta(days=int(self.rng.triangular(0, span, span)))

    def _window_day(self, first: date, last: date) -> date:
        """A day in [first, last]; a third of the draws lean towards the end, so growth quickens."""
        if self.rng.random() < 0.7:
            return date_between(self.rng, first, last)
        return first + timedelta(
            days=int(self.rng.triangular(0, (last - first).days, (last - first).days))
        )

    def _start_before(self, group: str, end: date) -> date:
        """The start of a spell that ends on ``end``: before 2023, or in the window a month before."""
        latest = end - timedelta(days=30)
        if latest < WINDOW_START or self.rng.random() < 0.55:
            return self._stock_start(group)
        return date_between(self.rng, WINDOW_START, latest)

    def _occupation(self, options: tuple[words.Occupation, ...]) -> words.Occupation:
        return self.rng.choices(options, [option.weight for option in options])[0]

    def _person(
        self,
        group: str,
        spells: list[Spell],
        occupation: str,
        male_share: float,
        faith: str | None = None,
        born: date | None = None,
    ) -> Person:
        ids, rng = self.identities, self.rng
        sex = "L" if rng.random() < male_share else "P"
        earliest = min(spell.start for spell in spells)
        born = born or ids.birth_date(latest=add_years(earliest, -18))
        for spell in spells:
            if add_years(born, PENSION_JOIN_AGE) <= spell.start:
                spell.programs = tuple(p for p in spell.programs if p not in PENSION_PROGRAMS)
        kelurahan = ids.home_kelurahan()
        person = Person(
            group=group,
            sex=sex,
            birth_date=born,
            name=ids.name(sex, faith),
            nik=ids.nik(born, sex, kelurahan),
            kelurahan=kelurahan,
            address=ids.home_address(),
            phone=ids.phone(),
            occupation=occupation,
            spells=spells,
            has_disability=rng.random() < DISABILITY_SHARE[group],
        )
        self.people.append(person)
        return person

    def _headcounts(self) -> dict[PlannedEmployer, int]:
        """An employer's size counts its open roster, or, once it has closed, the roster it had."""
        headcount: dict[PlannedEmployer, int] = {}
        for person in self.people:
            for spell in person.spells:
                employer = spell.employer
                if employer and (spell.end is None or employer.status != Employer.Status.ACTIVE):
                    headcount[employer] = headcount.get(employer, 0) + 1
        return headcount

    def _issue_cards(self) -> None:
        """KPJ numbers (11 digits, unique) for most members; none for those not registered at all."""
        rng = self.rng
        holders = [
            person
            for person in self.people
            if any(spell.programs for spell in person.spells) and rng.random() < KPJ_SHARE
        ]
        for person, number in zip(
            holders, rng.sample(range(10**10, 10**11), len(holders)), strict=True
        ):
            person.kpj = str(number)


def build_population(targets: Targets, identities: IdentityFactory, seed: int) -> Population:
    return PopulationBuilder(targets, identities, random.Random(f"{seed}:population")).build()
