"""The coverage ledger against the reference: random membership histories, changed the ways the portal changes them,
and every figure of the ledger compared with the same figure counted from the memberships (``direct_*``).

The histories are drawn around the days where counting goes wrong: month ends and the day after, a leap day,
memberships ending on the last day of a month, JKK and JKM that overlap by one day or miss by one, birthdays that
move a worker into another age band (29 February births among them), open and planned ends.
"""

import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from enrollment.models import BpjsStatus, Claim, Employer, Membership, Worker
from programs.models import BenefitType, FundingScheme, Kecamatan, Kelurahan, Program, Segment
from reports.ledger import posting, spans, triggers
from reports.ledger.comparison import compare
from reports.models import (
    CoverageBalance,
    CoverageChange,
    CoverageLedgerSeal,
    CoverageLedgerState,
    CoveragePending,
    CoverageSpan,
    LedgerEntry,
)
from reports.queries import CITY, Scope, coverage_on
from tests import factories

PIVOTS = [
    date(2023, 12, 31),
    date(2024, 1, 1),
    date(2024, 2, 28),
    date(2024, 2, 29),
    date(2024, 3, 1),
    date(2024, 6, 30),
    date(2024, 7, 1),
    date(2025, 1, 31),
    date(2025, 2, 28),
    date(2025, 3, 1),
    date(2025, 8, 31),
    date(2026, 2, 28),
    date(2027, 3, 31),
]
STATUSES = [BpjsStatus.ACTIVE, BpjsStatus.ACTIVE, BpjsStatus.REGISTERED, BpjsStatus.LAPSED]


def _near(rng: random.Random) -> date:
    """A day on or next to a pivot."""
    return rng.choice(PIVOTS) + timedelta(days=rng.choice([-1, 0, 0, 1]))


def _birth_date(rng: random.Random) -> date:
    """Births whose 25th, 35th, 45th or 55th birthday falls within the days compared, some on 29 February."""
    if rng.random() < 0.2:
        return date(rng.choice([1972, 1980, 1992, 2000]), 2, 29)
    birthday = _near(rng)
    year = birthday.year - rng.choice([25, 35, 45, 55])
    return (
        date(year, 3, 1)
        if (birthday.month, birthday.day) == (2, 29)
        else birthday.replace(year=year)
    )


def _periods(rng: random.Random, count: int) -> list[tuple[date, date | None]]:
    """``count`` disjoint memberships' dates, in order; the last may be open."""
    days = sorted({_near(rng) for _ in range(count * 2)})
    periods = [(days[i], days[i + 1]) for i in range(0, len(days) - 1, 2)]
    if periods and rng.random() < 0.5:
        periods[-1] = (periods[-1][0], None)
    return periods


class History:
    """A random city: workers, employers and memberships, and the changes the portal makes to them."""

    def __init__(self, seed: int, workers: int = 36):
        self.rng = rng = random.Random(seed)
        self.segments = list(Segment.objects.all())
        self.kelurahan = list(Kelurahan.objects.all()[:6]) + [None]
        self.programs = {p.code: p for p in Program.objects.all()}
        self.schemes = list(FundingScheme.objects.all())
        self.benefits = list(BenefitType.objects.values_list("code", flat=True))
        self.employers = [
            factories.make_employer(size=size) for size in list(Employer.Size.values)[:3]
        ] + [None]
        for _ in range(workers):
            worker = factories.make_worker(
                birth_date=_birth_date(rng),
                sex=rng.choice(["L", "P"]),
                has_disability=rng.random() < 0.2,
                kelurahan=rng.choice(self.kelurahan),
            )
            for code, least, most in (
                ("JKK", 1, 3),
                ("JKM", 1, 3),
                ("JHT", 0, 2),
                ("JP", 0, 1),
                ("JKP", 0, 1),
            ):
                for start, end in _periods(rng, rng.randint(least, most)):
                    self.add(worker, code, start, end)
            for _claim in range(rng.choice([0, 0, 1, 2, 3])):
                self.claim(worker)

    def claim(self, worker: Worker) -> None:
        """A claim, paid near a pivot (two of three) or still in process."""
        rng = self.rng
        paid = rng.random() < 0.67
        factories.make_claim(
            worker,
            rng.choice(self.benefits),
            segment=rng.choice(self.segments),
            status=Claim.Status.PAID if paid else Claim.Status.SUBMITTED,
            paid_date=_near(rng) if paid else None,
            incident_date=date(2023, 1, 2),
            submitted_date=date(2023, 1, 3),
            amount=rng.randrange(1, 50) * 1_000_000 if paid else 0,
        )

    def add(self, worker: Worker, code: str, start: date, end: date | None) -> Membership:
        rng = self.rng
        return factories.make_membership(
            worker,
            code,
            segment=rng.choice(self.segments),
            funding_scheme=rng.choice(self.schemes),
            employer=rng.choice(self.employers),
            start_date=start,
            end_date=end,
            bpjs_status=rng.choice(STATUSES),
        )

    def change(self) -> None:
        """One round of the changes the portal makes: back-dated starts, ends on a month's last day, deletions,
        new memberships, BPJS's answers, a worker's move or corrected birth date, an employer's new size."""
        rng = self.rng
        memberships = list(Membership.objects.order_by("pk"))
        firsts = [  # a worker's first membership of a program can start earlier without overlapping another
            m
            for m in memberships
            if not any(
                o.worker_id == m.worker_id
                and o.program_id == m.program_id
                and o.start_date < m.start_date
                for o in memberships
            )
        ]
        for membership in rng.sample(firsts, 6):
            membership.start_date -= timedelta(days=rng.choice([1, 31, 366]))
            membership.save()
        for membership in rng.sample(memberships, 3):
            if membership.end_date is None and membership.start_date < date(2025, 8, 31):
                Membership.objects.filter(pk=membership.pk).update(end_date=date(2025, 8, 31))
        Membership.objects.filter(pk__in=[m.pk for m in rng.sample(memberships, 4)]).delete()
        Membership.objects.filter(pk__in=[m.pk for m in rng.sample(memberships, 8)]).update(
            bpjs_status=BpjsStatus.ACTIVE
        )
        for worker in rng.sample(list(Worker.objects.all()), 4):
            worker.kelurahan = rng.choice(self.kelurahan)
            worker.birth_date = _birth_date(rng)
            worker.has_disability = not worker.has_disability
            worker.save()
        claims = list(Claim.objects.order_by("pk"))
        for claim in rng.sample(claims, min(3, len(claims))):
            claim.paid_date = _near(rng)
            claim.status = Claim.Status.PAID
            claim.amount = 2_500_000
            claim.save()
        Claim.objects.filter(
            pk__in=[c.pk for c in rng.sample(claims, min(2, len(claims)))]
        ).delete()
        for worker in rng.sample(list(Worker.objects.all()), 3):
            self.claim(worker)
        newcomer = factories.make_worker(birth_date=date(2000, 2, 29))
        self.add(newcomer, "JKK", date(2024, 2, 29), None)
        self.add(newcomer, "JKM", date(2024, 3, 1), date(2025, 2, 28))
        Employer.objects.filter(pk=self.employers[0].pk).update(size=Employer.Size.MICRO)


def days_compared() -> list[date]:
    days = {day + timedelta(days=shift) for day in PIVOTS for shift in (-1, 0, 1)}
    days |= {date(2025, 2, 28), date(2025, 3, 1)}  # born 29/02/2000: 25 on 1 March in a common year
    days |= {
        date(year, month, 1) - timedelta(days=1) for year in (2024, 2025) for month in (1, 4, 9)
    }
    return sorted(days)


def scopes() -> list[Scope]:
    return [
        CITY,
        Scope(segment_id=Segment.objects.first().pk),
        Scope(kecamatan_id=Kecamatan.objects.first().pk),
    ]


def settle() -> None:
    """What the commit of the changes does (``berjasa.db``); a test's own transaction never commits."""
    posting.settle()
    assert not CoveragePending.objects.exists()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_of_the_ledger_equals_the_count_from_the_memberships(reference_data, seed):
    history = History(seed)
    settle()
    assert compare(days_compared(), scopes()) == []
    for _round in range(2):
        history.change()
        settle()
        assert compare(days_compared(), scopes()) == []


def test_a_settlement_of_most_of_the_city_rebuilds_and_stays_exact(reference_data, monkeypatch):
    monkeypatch.setattr(posting, "REBUILD_ABOVE", 10)
    History(7)
    assert CoveragePending.objects.count() > 10
    settle()
    assert CoverageLedgerState.objects.get().built_at is not None
    assert compare(days_compared()[::3], [CITY]) == []


def test_a_settlement_of_a_smaller_part_of_the_city_settles_those_workers_only(
    reference_data, monkeypatch
):
    monkeypatch.setattr(posting, "REBUILD_ABOVE", 10)
    History(8)
    settle()
    state = CoverageLedgerState.objects.get()
    eleven = Worker.objects.order_by("pk")[:11]  # above REBUILD_ABOVE, under a third of 36
    Worker.objects.filter(pk__in=list(eleven.values_list("pk", flat=True))).update(
        birth_date=date(1970, 1, 2)
    )
    assert posting.settle() == 11
    assert CoverageLedgerState.objects.get().built_at == state.built_at  # not rebuilt
    assert posting._city_has_at_least(36) and not posting._city_has_at_least(37)
    assert compare(days_compared()[::3], [CITY]) == []


def test_a_rebuild_finds_nothing_the_settlements_missed(reference_data):
    history = History(4)
    settle()
    history.change()
    settle()
    rebuilt = posting.rebuild()
    assert (rebuilt.differing_changes, rebuilt.differing_balances) == ([], [])
    assert rebuilt.spans == CoverageSpan.objects.count() > 0


def test_a_rebuild_reports_a_ledger_that_was_altered(reference_data):
    History(5)
    settle()
    change = CoverageChange.objects.filter(dimension="total").order_by("day").first()
    CoverageChange.objects.filter(pk=change.pk).update(delta=change.delta + 2)
    balance = CoverageBalance.objects.filter(dimension="sex").order_by("month_end").last()
    CoverageBalance.objects.filter(pk=balance.pk).update(covered=balance.covered - 1)
    rebuilt = posting.rebuild()
    assert [(row[0], row[1], row[-1]) for row in rebuilt.differing_changes] == [
        (change.day, "total", 2)
    ]
    assert [(row[0], row[1], row[-1]) for row in rebuilt.differing_balances] == [
        (balance.month_end, "sex", -1)
    ]


def test_the_horizon_moves_on_and_the_figures_stay_exact(reference_data):
    History(6)
    settle()
    horizon = CoverageLedgerState.objects.get().horizon
    later = date(horizon.year + 1, 1, 15)
    assert posting.extend(today=later) > horizon
    assert compare([horizon, horizon + timedelta(days=1), date(later.year, 12, 31)], scopes()) == []


def test_a_day_beyond_the_horizon_is_counted_from_the_memberships(reference_data):
    worker = factories.make_worker()
    factories.make_membership(worker, "JKK", start_date=date(2024, 1, 1))
    factories.make_membership(worker, "JKM", start_date=date(2024, 1, 1))
    far = CoverageLedgerState.objects.get().horizon + timedelta(days=400)
    assert coverage_on(far).total == 1


def test_the_triggers_are_installed_after_migrating(db):
    assert triggers.installed(connection) == set(triggers.TRIGGER_NAMES)


def test_an_unchanged_field_marks_no_worker(reference_data):
    worker = factories.make_worker()
    membership = factories.make_membership(worker, "JKK")
    settle()
    Membership.objects.filter(pk=membership.pk).update(
        monthly_contribution=10_000, employer_share=10_000
    )
    Worker.objects.filter(pk=worker.pk).update(name="Nama Baru")
    assert not CoveragePending.objects.exists()
    Membership.objects.filter(pk=membership.pk).update(end_date=date(2025, 8, 31))
    assert list(CoveragePending.objects.values_list("worker_id", flat=True)) == [worker.pk]


def test_a_worker_added_is_fresh_until_counted_and_a_changed_one_is_not(reference_data):
    settle()
    worker = factories.make_worker()
    factories.make_membership(worker, "JKK", start_date=date(2024, 1, 1))
    jkm = factories.make_membership(worker, "JKM", start_date=date(2024, 1, 1))
    assert CoveragePending.objects.get(worker_id=worker.pk).fresh  # nothing of them to take back
    settle()
    Membership.objects.filter(pk=jkm.pk).update(end_date=date(2025, 8, 31))
    assert not CoveragePending.objects.get(worker_id=worker.pk).fresh
    settle()
    assert (coverage_on(date(2025, 8, 31)).total, coverage_on(date(2025, 9, 1)).total) == (1, 0)


def test_a_ledger_whose_working_tables_were_emptied_counts_from_the_memberships_until_rebuilt(
    reference_data, caplog
):
    worker = factories.make_worker()
    factories.make_membership(worker, "JKK", start_date=date(2024, 1, 1))
    factories.make_membership(worker, "JKM", start_date=date(2024, 1, 1))
    settle()
    for model in (
        CoverageLedgerSeal,
        CoverageSpan,
        LedgerEntry,
    ):  # as PostgreSQL leaves them after a crash
        model.objects.all().delete()
    Membership.objects.filter(worker=worker, program__code="JKM").update(end_date=date(2025, 8, 31))
    with transaction.atomic():
        assert posting.settle() == 0
    assert CoverageLedgerState.objects.get().built_at is None
    assert "coverage_ledger rebuild" in caplog.text
    assert (coverage_on(date(2025, 8, 31)).total, coverage_on(date(2025, 9, 1)).total) == (1, 0)
    call_command("coverage_ledger", "rebuild", stdout=StringIO())
    assert CoverageLedgerSeal.objects.exists()
    assert CoverageLedgerState.objects.get().built_at is not None
    assert (coverage_on(date(2025, 8, 31)).total, coverage_on(date(2025, 9, 1)).total) == (1, 0)


def test_a_crash_that_lost_the_pending_marks_with_the_seal_counts_from_the_memberships_at_once(
    reference_data,
):
    worker = factories.make_worker()
    factories.make_membership(worker, "JKK", start_date=date(2024, 1, 1))
    factories.make_membership(worker, "JKM", start_date=date(2024, 1, 1))
    settle()
    # Written without a transaction of its own (autocommit): marked, not yet settled, when the database crashed.
    Membership.objects.filter(worker=worker, program__code="JKM").update(end_date=date(2025, 8, 31))
    for model in (CoverageLedgerSeal, CoverageSpan, LedgerEntry, CoveragePending):
        model.objects.all().delete()  # as PostgreSQL leaves its unlogged tables after a crash
    assert coverage_on(date(2025, 9, 1)).total == 0  # the ledger would still count 1
    assert CoverageLedgerState.objects.get().built_at is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="unlogged tables are PostgreSQL's")
def test_postgresql_keeps_the_working_tables_out_of_its_log_and_the_figures_in_it(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relpersistence FROM pg_class WHERE relkind = 'r' AND relname LIKE 'reports_%%'"
        )
        persistence = dict(cursor.fetchall())
    unlogged = {name for name, kind in persistence.items() if kind == "u"}
    assert unlogged == {
        "reports_coveragespan",
        "reports_ledgerentry",
        "reports_coveragepresence",
        "reports_coveragestaging",
        "reports_coveragesettling",
        "reports_coverageledgerseal",
        "reports_coveragepending",
    }
    for logged in ("reports_coveragechange", "reports_coveragebalance"):
        assert persistence[logged] == "p"


# --- The ledger commits with the change ----------------------------------------------------------


@pytest.mark.django_db(transaction=True, reset_sequences=True, serialized_rollback=True)
@pytest.mark.parametrize("bits", [True, False], ids=["ids-fit-bits", "ids-beyond-bits"])
def test_a_program_covering_a_span_whole_is_a_bit_of_it_and_one_covering_part_a_span_of_its_own(
    reference_data, monkeypatch, bits
):
    programs = dict(
        Program.objects.values_list("code", "pk")
    )  # numbered from 1, as a new database does
    assert max(programs.values()) in spans.BIT_PROGRAMS
    if not bits:
        monkeypatch.setattr(
            spans, "BIT_PROGRAMS", range(1, 1)
        )  # as if no program's id fitted a bit
    active = BpjsStatus.ACTIVE
    with transaction.atomic():  # settled as it commits
        worker = factories.make_worker(birth_date=date(1990, 5, 17))
        for code, start, status in (
            ("JKK", date(2024, 1, 1), active),
            ("JKM", date(2024, 1, 1), active),
            ("JHT", date(2023, 6, 1), active),  # the whole span, confirmed as it is: a bit
            ("JP", date(2024, 3, 1), active),  # from March only: its own span
            ("JKP", date(2024, 1, 1), BpjsStatus.SUBMITTED),  # whole, but not confirmed: its own
        ):
            factories.make_membership(worker, code, start_date=start, bpjs_status=status)
    assert not CoveragePending.objects.exists()
    stored = {
        span.program_id: (span.starts_on, span.stops_on, span.confirmed, span.whole_programs)
        for span in CoverageSpan.objects.filter(worker_id=worker.pk)
    }
    expected = {
        programs["JP"]: (date(2024, 3, 1), None, True, 0),
        programs["JKP"]: (date(2024, 1, 1), None, False, 0),
    }
    if bits:
        expected[0] = (date(2024, 1, 1), None, True, 1 << programs["JHT"])
    else:
        expected |= {
            0: (date(2024, 1, 1), None, True, 0),
            programs["JHT"]: (date(2024, 1, 1), None, True, 0),
        }
    assert stored == expected
    days = [date(2024, 1, 1), date(2024, 3, 1), date(2025, 5, 16), date(2025, 5, 17)]
    assert compare(days, [CITY]) == []  # 35 on 17/05/2025: the age band moves on that day


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_committed_change_is_in_the_ledger_when_its_transaction_commits(reference_data):
    with transaction.atomic():
        worker = factories.make_worker()
        factories.make_membership(worker, "JKK", start_date=date(2024, 1, 1))
        factories.make_membership(worker, "JKM", start_date=date(2024, 1, 1))
        assert CoveragePending.objects.filter(worker_id=worker.pk).exists()
    assert (
        not CoveragePending.objects.exists()
    )  # settled before the commit, in the same transaction
    stored = list(
        CoverageSpan.objects.filter(worker_id=worker.pk).values_list("starts_on", "stops_on")
    )
    assert stored == [(date(2024, 1, 1), None)]  # whole: the age band follows from the birth date
    with transaction.atomic():
        Membership.objects.filter(worker=worker).delete()
        transaction.set_rollback(True)
    assert CoverageSpan.objects.filter(worker_id=worker.pk).count() == len(stored)
    assert coverage_on(date(2025, 8, 31)).total == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_made_outside_a_transaction_is_settled_before_the_next_read(reference_data):
    worker = factories.make_worker()  # autocommit: each statement commits alone, no settlement
    factories.make_membership(worker, "JKK", start_date=date(2024, 1, 1))
    factories.make_membership(worker, "JKM", start_date=date(2024, 1, 1))
    assert CoveragePending.objects.exists()
    assert coverage_on(date(2025, 8, 31)).total == 1
    assert not CoveragePending.objects.exists()


# --- The command ---------------------------------------------------------------------------------


def test_the_command_rebuilds_extends_and_compares(reference_data):
    History(8, workers=12)
    out = StringIO()
    call_command("coverage_ledger", "rebuild", stdout=out)
    assert "Nothing differed from the ledger before." in out.getvalue()
    call_command("coverage_ledger", "extend", stdout=out)
    call_command("coverage_ledger", "compare", "--from", "2024-01", "--to", "2025-08", stdout=out)
    assert "agrees with the memberships and claims on every figure: 20 days" in out.getvalue()


def test_the_command_names_a_difference_and_fails(reference_data):
    History(9, workers=12)
    settle()
    balance = CoverageBalance.objects.filter(dimension="total", month_end=date(2025, 8, 31)).first()
    CoverageBalance.objects.filter(pk=balance.pk).update(covered=balance.covered + 1)
    out = StringIO()
    with pytest.raises(CommandError, match="figures differ"):
        call_command(
            "coverage_ledger", "compare", "--from", "2025-08", "--to", "2025-08", stdout=out
        )
    assert "2025-08-31 city: total ledger" in out.getvalue()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner settings are PostgreSQL's"
)
def test_a_settlement_leaves_the_planner_as_it_found_it(reference_data):
    """A report that settles inside a longer transaction must not leave the rest of it without hash joins."""
    worker = factories.make_worker()
    factories.make_membership(worker, "JKK", start_date=date(2024, 1, 1))
    with connection.cursor() as cursor:
        before = {}
        for name in ("enable_hashjoin", "enable_mergejoin", "jit", "work_mem"):
            cursor.execute(f"SHOW {name}")
            before[name] = cursor.fetchone()[0]
        settle()
        for name, value in before.items():
            cursor.execute(f"SHOW {name}")
            assert cursor.fetchone()[0] == value, name
