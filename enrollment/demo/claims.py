"""Claims: those paid by REPORT_DAY, calibrated to the published totals, and the rest of the flow.

Each designated recipient (``Person.claim_event``) gets the claims their event gives rise to, all paid by
REPORT_DAY: a death gives JKM (Rp42,000,000), JHT and JP balances if held, and for some families a scholarship;
retirement gives JHT and JP; dismissal JHT and JKP; resignation or a contract's end JHT; an accident JKK.

Amounts set by rule stay as they are: JKM, scholarships (per child and school year) and JKP (six months of wage,
capped). The rest of a group's published total is shared among its JHT, JP and JKK claims in proportion to their
natural amounts (balances grown from wage and months of contribution, treatment costs), so each group's total is
exact to the Rupiah.

The other claims stay outside the published figures: paid after REPORT_DAY, still submitted or verified, or
rejected.
"""

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from enrollment.date_rules import BENEFIT_PROGRAMS, Span, claim_coverage
from enrollment.demo.identities import date_between
from enrollment.demo.population import ACCIDENT, Person, Population, Reason, Spell
from enrollment.demo.targets import (
    CLAIM_CUTOFF,
    GROUPS,
    HORIZON,
    REPORT_DAY,
    WINDOW_START,
    DemoDataError,
    Targets,
    apportion,
)
from enrollment.models import Claim

Status = Claim.Status

EVENT_BENEFITS = {
    Reason.DIED: ("JKM", "JHT", "JP", "BEASISWA"),
    Reason.RETIRED: ("JHT", "JP"),
    Reason.DISMISSED: ("JHT", "JKP"),
    Reason.RESIGNED: ("JHT",),
    Reason.CONTRACT_ENDED: ("JHT",),
    ACCIDENT: ("JKK",),
}
# The program a worker must hold for a benefit (the first of enrollment.date_rules.BENEFIT_PROGRAMS):
# the demo's scholarships come with JKM.
BENEFIT_PROGRAM = {benefit: programs[0] for benefit, programs in BENEFIT_PROGRAMS.items()}
RULE_AMOUNT_BENEFITS = frozenset({"JKM", "BEASISWA", "JKP"})
WAITING_DAYS = {"JHT": 31}  # JHT after leaving a job waits a month (not after death or retirement)
WAITING_EVENTS = frozenset({Reason.RESIGNED, Reason.CONTRACT_ENDED, Reason.DISMISSED})

JKM_BENEFIT = 42_000_000
SCHOLARSHIP_PER_CHILD = (1_500_000, 2_000_000, 3_000_000, 12_000_000)  # TK/SD, SMP, SMA, university
SCHOLARSHIP_EVERY = 2  # one bereaved family in two has children at school (the first one does)
JKP_WAGE_MONTHS = 2.1  # 45 % of wage for three months, then 25 % for three
JKP_WAGE_CAP = 5_000_000
JHT_RATE = 0.057
JHT_YEARLY_RETURN = 0.05
JP_RATE = 0.03
JP_WAGE_CAP = 10_042_300
JP_RETURN = 1.1  # a lump sum pays back the contributions with their development
JKK_MEDIAN = 3_500_000
JKK_SPREAD = 0.9

# Claims outside the published figures, at scale 1.
LATE_ACCIDENTS = 1_500  # incidents from July 2025, paid in September-October or still in progress
REJECTED = 1_100
LEAVER_CLAIM_SHARE = 0.75  # of those leaving from June 2025 on, who claim by the end of October
BACKLOG_SHARE = 0.25  # of claims due for payment after REPORT_DAY, still waiting at HORIZON
VERIFICATION_DAYS = 14  # a claim still in progress is verified two weeks after its submission
LATE_FROM = date(2025, 7, 1)


@dataclass(slots=True, eq=False)
class PlannedClaim:
    person: Person
    spell: Spell
    benefit: str
    incident: date
    submitted: date
    amount: int
    status: str = Status.PAID
    paid: date | None = None
    reference: str = ""


class ClaimPlanner:
    def __init__(self, population: Population, targets: Targets, rng: random.Random) -> None:
        self.population = population
        self.targets = targets
        self.rng = rng
        self._bereaved = 0

    def plan(self) -> list[PlannedClaim]:
        people = self.population.people
        counted: dict[str, list[PlannedClaim]] = {group: [] for group in GROUPS}
        for person in people:
            if person.claim_event:
                counted[person.group] += self._paid_claims(person)
        for group, claims in counted.items():
            self._calibrate(claims, self.targets.paid[group])
        claims = [claim for group in GROUPS for claim in counted[group]]
        claims += self._leavers_claims(people)
        claims += self._late_accidents(people)
        claims += self._rejected(people)
        claims.sort(key=lambda claim: claim.submitted)
        for number, claim in enumerate(claims, start=1):
            claim.reference = f"KLM{claim.submitted:%y%m}{number:07d}"
        return claims

    def _paid_claims(self, person: Person) -> list[PlannedClaim]:
        spell, event = person.spell, person.claim_event
        if event == ACCIDENT:
            last = min(spell.end or CLAIM_CUTOFF, CLAIM_CUTOFF)
            incident = date_between(self.rng, max(spell.start, WINDOW_START), last)
        else:
            incident = spell.end
        return [
            self._claim(person, benefit, incident, waits=event in WAITING_EVENTS)
            for benefit in self._benefits(event, person, incident)
        ]

    def _benefits(self, event: str, person: Person, incident: date) -> list[str]:
        """What the event gives: the benefits of programs held in the latest spell, those the claim rule
        allows (a dismissal gives JKP only after 12 months of it, PP 37/2021 Pasal 20)."""
        spell = person.spell
        benefits = [
            b
            for b in EVENT_BENEFITS[event]
            if BENEFIT_PROGRAM[b] in spell.programs and not _coverage(person, b, incident)[0]
        ]
        if "BEASISWA" in benefits:
            self._bereaved += 1
            if self._bereaved % SCHOLARSHIP_EVERY != 1:
                benefits.remove("BEASISWA")
        return benefits

    def _claim(
        self, person: Person, benefit: str, incident: date, waits: bool = False
    ) -> PlannedClaim:
        """A claim on its natural schedule: submitted within a month (after any wait), paid in 3 weeks.

        Its spell (segment, employer) is the one the services would take (``date_rules.claim_coverage``).
        """
        rng = self.rng
        spell = _covering_spell(person, benefit, incident)
        wait = WAITING_DAYS.get(benefit, 0) if waits else 0
        submitted = incident + timedelta(days=wait + rng.randint(1, 30))
        return PlannedClaim(
            person=person,
            spell=spell,
            benefit=benefit,
            incident=incident,
            submitted=submitted,
            paid=submitted + timedelta(days=rng.randint(3, 21)),
            amount=self._natural_amount(benefit, person, spell, incident),
        )

    def _natural_amount(self, benefit: str, person: Person, spell: Spell, incident: date) -> int:
        rng = self.rng
        if benefit == "JKM":
            return JKM_BENEFIT
        if benefit == "BEASISWA":
            return sum(rng.choice(SCHOLARSHIP_PER_CHILD) for _ in range(rng.randint(1, 2)))
        if benefit == "JKP":
            return round(JKP_WAGE_MONTHS * min(spell.income, JKP_WAGE_CAP) / 1000) * 1000
        if benefit == "JKK":
            return round(rng.lognormvariate(math.log(JKK_MEDIAN), JKK_SPREAD) / 1000) * 1000
        # Balances: contributions since the first membership in the program, with returns.
        first = min(s.start for s in person.spells if BENEFIT_PROGRAM[benefit] in s.programs)
        months = max(1, (incident - first).days // 30)
        if benefit == "JHT":
            return round(JHT_RATE * spell.income * months * (1 + JHT_YEARLY_RETURN * months / 12))
        return round(JP_RATE * min(spell.income, JP_WAGE_CAP) * months * JP_RETURN)

    def _calibrate(self, claims: list[PlannedClaim], target: int) -> None:
        """Share what the rule amounts leave of ``target`` among the balance and cost claims."""
        variable = [claim for claim in claims if claim.benefit not in RULE_AMOUNT_BENEFITS]
        remaining = target - sum(
            claim.amount for claim in claims if claim.benefit in RULE_AMOUNT_BENEFITS
        )
        if not variable or remaining < 1000 * len(variable):
            raise DemoDataError(
                "At this scale the claims cannot add up to the published totals; use a larger scale."
            )
        shares = apportion(remaining, [claim.amount for claim in variable])
        for claim, amount in zip(variable, shares, strict=True):
            claim.amount = amount

    # --- claims outside the published figures -----------------------------------------------

    def _leavers_claims(self, people: list[Person]) -> list[PlannedClaim]:
        """Those who left from June 2025 on claim what their leaving gives them."""
        claims = []
        for person in people:
            spell = person.spell
            if (
                person.claim_event
                or spell.end is None
                or spell.end < date(2025, 6, 1)
                or spell.reason not in EVENT_BENEFITS
                or self.rng.random() >= LEAVER_CLAIM_SHARE
            ):
                continue
            for benefit in self._benefits(spell.reason, person, spell.end):
                claim = self._claim(
                    person, benefit, spell.end, waits=spell.reason in WAITING_EVENTS
                )
                if self._settle_after_report_day(claim):
                    claims.append(claim)
        return claims

    def _late_accidents(self, people: list[Person]) -> list[PlannedClaim]:
        """Accidents from July 2025 on: paid in September-October, or still in progress."""
        incidents = self._incidents(people, LATE_FROM, HORIZON - timedelta(days=7), LATE_ACCIDENTS)
        claims = [self._claim(person, "JKK", day) for person, _spell, day in incidents]
        return [claim for claim in claims if self._settle_after_report_day(claim)]

    def _rejected(self, people: list[Person]) -> list[PlannedClaim]:
        """Accidents found not to be work-related, and JHT asked for while still employed."""
        claims = []
        for person, spell, day in self._incidents(
            people, WINDOW_START, HORIZON - timedelta(days=31), REJECTED
        ):
            benefit = "JHT" if "JHT" in spell.programs and self.rng.random() < 0.4 else "JKK"
            claim = self._claim(person, benefit, day)
            claim.status, claim.paid = Status.REJECTED, None
            claims.append(claim)
        return claims

    def _incidents(
        self, people: list[Person], first: date, last: date, count_at_scale_1: int
    ) -> list[tuple[Person, Spell, date]]:
        """Random days in [first, last] on which random members held JKK in their latest spell."""
        members = [
            person
            for person in people
            if "JKK" in person.spell.programs
            and person.spell.start <= last
            and (person.spell.end or last) >= first
        ]
        incidents = []
        for _ in range(self.targets.scaled(count_at_scale_1)):
            person = self.rng.choice(members)
            spell = person.spell
            day = date_between(self.rng, max(spell.start, first), min(spell.end or last, last))
            incidents.append((person, spell, day))
        return incidents

    def _settle_after_report_day(self, claim: PlannedClaim) -> bool:
        """Move a claim outside the published figures: paid after REPORT_DAY, or still in progress.

        Returns False for a claim not even submitted by HORIZON.
        """
        rng = self.rng
        if claim.submitted > HORIZON:
            return False
        if claim.paid <= REPORT_DAY:  # a backlog cleared in September
            claim.paid = REPORT_DAY + timedelta(days=rng.randint(1, 30))
        if claim.paid > HORIZON or rng.random() < BACKLOG_SHARE:
            recent = claim.submitted > HORIZON - timedelta(days=VERIFICATION_DAYS)
            claim.status = Status.SUBMITTED if recent else Status.VERIFIED
            claim.paid = None
        return True


def _coverage(person: Person, benefit: str, incident: date) -> tuple[list, Span | None]:
    """``date_rules.claim_coverage`` over the person's spells (each spell's memberships share its dates)."""
    spans: dict[str, list[Span]] = {}
    for spell in sorted(person.spells, key=lambda spell: spell.start):
        for program in spell.programs:
            spans.setdefault(program, []).append(Span(spell.start, spell.end, spell))
    return claim_coverage(benefit, incident, spans)


def _covering_spell(person: Person, benefit: str, incident: date) -> Spell:
    contradictions, span = _coverage(person, benefit, incident)
    if contradictions:
        raise DemoDataError(
            f"A planned {benefit} claim contradicts the coverage: {contradictions[0].message}"
        )
    return span.source


def plan_claims(population: Population, targets: Targets, seed: int) -> list[PlannedClaim]:
    return ClaimPlanner(population, targets, random.Random(f"{seed}:claims")).plan()
