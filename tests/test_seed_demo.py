"""seed_demo: the published August 2025 figures, counted here from their definitions, and the rules of the data.

The figures are counted with this file's own queries (DESIGN.md, "Reports: definitions"), never with the
generator's bookkeeping, and compared with the published values written out below.
"""

import csv
import hashlib
import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.urls import reverse

from budget.bill import monthly_bill
from budget.models import BudgetLine
from enrollment.demo.sharing import ensure_shared_person
from enrollment.demo.store import contribution_day
from enrollment.models import (
    Channel,
    Claim,
    Employer,
    EmployerUser,
    Employment,
    ImportBatch,
    Membership,
    PersonalDataChangeRequest,
    Worker,
    stored_values,
)
from enrollment.nik import nik_mismatches, normalize_nik
from enrollment.services.roster import update_worker
from enrollment.stored_contradictions import stored_contradictions
from programs.calculator import quote
from programs.models import FundingScheme, Program, Segment
from programs.rates import RateTable
from reports.models import WorkforceEstimate

REPORT_DAY = date(2025, 8, 31)
HORIZON = date(2025, 10, 31)  # the demo data's last day
# Small enough to be quick; at this scale round(part × S) of the three covered groups adds up to
# round(263,903 × S), so every count below is exactly its published value × S, rounded.
SCALE = 0.004
DEMO_MODELS = (Employer, Worker, Employment, Membership, Claim)
DTSEN_COLUMNS = [
    "nik",
    "nama",
    "tanggal_lahir",
    "jenis_kelamin",
    "kode_kelurahan",
    "alamat",
    "pekerjaan",
    "desil",
    "disabilitas",
]


def seed_demo(tmp_path, scale: float = SCALE, seed: int = 42, **options) -> str:
    out = io.StringIO()
    call_command(
        "seed_demo",
        scale=scale,
        seed=seed,
        dtsen_output=tmp_path / f"dtsen_seed{seed}.csv",
        stdout=out,
        **options,
    )
    return out.getvalue()


@pytest.fixture
def seeded(reference_data, tmp_path) -> str:
    return seed_demo(tmp_path)


def active_on(day: date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def covered_jkk(day: date) -> QuerySet[Membership]:
    """The active JKK memberships of the workers covered on ``day`` (active JKK and active JKM)."""
    jkm_holders = Membership.objects.filter(active_on(day), program__code="JKM").values("worker_id")
    return Membership.objects.filter(active_on(day), program__code="JKK", worker_id__in=jkm_holders)


def assert_published_figures(scale: float) -> int:
    """Check every figure of the published table at ``scale``; return the covered count."""

    def scaled(value: int) -> int:
        return round(value * scale)

    covered = covered_jkk(REPORT_DAY)
    covered_count = covered.values("worker_id").distinct().count()
    assert covered_count == scaled(263_903)
    by_group = dict(
        covered.values_list("segment__group").annotate(workers=Count("worker_id", distinct=True))
    )
    assert by_group == {
        "FORMAL": scaled(200_481),
        "PUBLIC_SERVICE": scaled(27_750),
        "INFORMAL": scaled(35_672),
    }
    employers = covered.exclude(employer=None).values("employer_id").distinct().count()
    assert employers == scaled(6_190)
    assert Employer.objects.count() > employers  # closed, or registered after the report day

    city_2025 = dict(
        WorkforceEstimate.objects.filter(year=2025, kecamatan=None).values_list("kind", "workers")
    )
    assert city_2025 == {"EMPLOYED": scaled(507_506), "UCJ_ELIGIBLE": scaled(415_792)}

    paid = Claim.objects.filter(status=Claim.Status.PAID, paid_date__lte=REPORT_DAY)
    assert paid.aggregate(total=Sum("amount"))["total"] == scaled(387_400_000_000)
    recipients = paid.values("worker_id").distinct().count()
    assert recipients == scaled(31_373)
    paid_by_group = {
        row["segment__group"]: (row["amount"], row["workers"])
        for row in paid.values("segment__group").annotate(
            amount=Sum("amount"), workers=Count("worker_id", distinct=True)
        )
    }
    assert paid_by_group["PUBLIC_SERVICE"] == (scaled(21_700_000_000), scaled(2_369))
    assert paid_by_group["INFORMAL"][0] == scaled(5_970_000_000)
    assert sum(workers for _, workers in paid_by_group.values()) == recipients  # groups disjoint
    return covered_count


def table_state() -> dict[str, tuple[int, int | None]]:
    models = (*DEMO_MODELS, ImportBatch, WorkforceEstimate)
    return {
        model.__name__: (model.objects.count(), model.objects.aggregate(top=Max("pk"))["top"])
        for model in models
    }


def data_digest() -> str:
    """A digest of the demo data by natural keys (ids differ from one write to the next)."""
    digest = hashlib.sha256()
    for rows in (
        Employer.objects.order_by("npp").values_list("npp", "name", "sector", "size", "risk_class"),
        Worker.objects.order_by("nik").values_list("nik", "kpj", "name", "birth_date", "address"),
        Employment.objects.order_by("worker__nik", "start_date").values_list(
            "worker__nik", "employer__npp", "start_date", "end_date", "monthly_wage"
        ),
        Membership.objects.order_by("worker__nik", "program__code", "start_date").values_list(
            "worker__nik", "program__code", "start_date", "end_date", "monthly_contribution"
        ),
        Claim.objects.order_by("reference").values_list(
            "reference", "worker__nik", "amount", "status", "paid_date"
        ),
    ):
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def read_dtsen(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == DTSEN_COLUMNS
        return list(reader)


def contribution_disagreements() -> int:
    """Memberships whose stored contribution or shares differ from the calculator's answer for their program,
    segment, funding, employer's risk class and wage, on the day the demo computes them for (its last day in
    the data, at most the horizon)."""
    segments = {s.pk: s for s in Segment.objects.select_related("default_funding_scheme")}
    schemes = {f.pk: f for f in FundingScheme.objects.all()}
    programs = dict(Program.objects.values_list("pk", "code"))
    rates = RateTable.load()
    groups = (
        Membership.objects.values_list(
            "program_id", "segment_id", "funding_scheme_id", "employer__risk_class", "wage",
            "start_date", "end_date", "monthly_contribution", "employer_share", "worker_share",
            "government_share",
        )
        .annotate(count=Count("pk"))
        .order_by()
    )  # fmt: skip
    wrong = 0
    for program, segment, scheme, risk, wage, start, end, *stored, count in groups:
        [answer] = quote(
            [programs[program]],
            segments[segment],
            wage,
            contribution_day(start, end),
            risk_class=risk,
            funding_scheme=schemes[scheme],
            rates=rates,
        )
        if answer.contribution is None or list(answer.contribution.stored()) != stored:
            wrong += count
    return wrong


def test_it_reproduces_the_published_figures_in_proportion(seeded):
    assert_published_figures(SCALE)


def test_every_stored_contribution_agrees_with_the_calculator(seeded):
    assert Membership.objects.filter(wage__isnull=True).count() == 0
    assert contribution_disagreements() == 0


@pytest.mark.slow
def test_it_reproduces_every_published_figure_at_full_scale(reference_data, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Scale 1 writes 1.4 million memberships: a PostgreSQL test (COPY, under 3 minutes); "
            "SQLite would take many minutes."
        )
    seed_demo(tmp_path, scale=1)
    covered = assert_published_figures(1)
    assert round(100 * covered / 507_506) == 52
    assert round(100 * covered / 415_792, 2) == 63.47
    assert contribution_disagreements() == 0
    assert set(Claim.objects.values_list("status", flat=True)) == set(Claim.Status.values)
    assert list(stored_contradictions(HORIZON)) == []
    assert_august_bill_is_count_times_amount()


def assert_august_bill_is_count_times_amount() -> None:
    """The August 2025 APBD bill (decision 65) against a count made here, without ``budget.bill``: per budget
    line of 2025, the city-funded memberships active on a day of August 2025 and handed over to BPJS, counted
    by program, kind and wage, times the monthly amount by PP 44/2015: BPU JKK 1 % of the declared income
    (Rp10.000 to Rp207.000; Rp10.000 at Rp1.000.000) and JKM Rp6.800, so Rp16.800 a participant; PU (the
    APBD scheme, risk class 1) JKK 0,24 % and JKM 0,30 % of the wage, rounded half up to the Rupiah."""

    def monthly(program: str, kind: str, wage: int) -> int:
        if kind == "BPU":
            return min(max((wage + 50) // 100, 10_000), 207_000) if program == "JKK" else 6_800
        per_ten_thousand = 24 if program == "JKK" else 30
        return (wage * per_ten_thousand + 5_000) // 10_000  # half up

    august = Membership.objects.filter(
        funding_scheme__is_city_budget=True,
        start_date__lte=date(2025, 8, 31),
        bpjs_status__in=["SUBMITTED", "ACTIVE", "LAPSED", "MISSING"],
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=date(2025, 8, 1)))
    expected = {}
    for line in BudgetLine.objects.filter(year=2025):
        ours = august.filter(segment__in=line.segments.all())
        groups = ours.values_list("program__code", "segment__kind", "wage").annotate(n=Count("pk"))
        expected[f"{line.code} {line.name}"] = (
            ours.values("worker").distinct().count(),
            sum(n * monthly(program, kind, wage) for program, kind, wage, n in groups),
        )
    bill = monthly_bill(date(2025, 8, 1))
    assert {line.label: (line.participants, line.total) for line in bill.lines} == expected
    assert bill.participants == sum(count for count, _total in expected.values()) > 50_000


def test_kecamatan_estimates_add_up_to_the_city_every_year(seeded):
    for year in (2023, 2024, 2025):
        for kind in WorkforceEstimate.Kind.values:
            estimates = WorkforceEstimate.objects.filter(year=year, kind=kind)
            by_kecamatan = estimates.exclude(kecamatan=None)
            assert by_kecamatan.count() == 15
            total = by_kecamatan.aggregate(total=Sum("workers"))["total"]
            assert total == estimates.get(kecamatan=None).workers


def test_every_nik_is_valid_and_agrees_with_its_worker(seeded):
    workers = list(Worker.objects.values_list("nik", "birth_date", "sex", "kpj"))
    for nik, birth_date, sex, kpj in workers:
        assert normalize_nik(nik) == nik
        assert nik_mismatches(nik, birth_date, sex) == []
        assert date(1960, 9, 1) <= birth_date <= date(2007, 8, 31)  # 18 to 64 on the report day
        assert kpj is None or (len(kpj) == 11 and kpj.isdigit())
    niks = [nik for nik, *_ in workers]
    makassar = [nik for nik in niks if nik.startswith("7371")]
    assert len(makassar) > 0.7 * len(niks)
    assert {nik[4:6] for nik in makassar} <= {f"{district:02d}" for district in range(1, 16)}
    assert any(nik.startswith("73") and not nik.startswith("7371") for nik in niks)
    assert any(not nik.startswith("73") for nik in niks)
    assert Worker.objects.filter(kpj=None).exists()
    assert Worker.objects.filter(name__contains="'").exists()


def test_every_phone_and_text_is_stored_as_the_paths_store_it(seeded):
    """Phones already in their one stored form (``08…``, decision 35), no control characters in free text."""
    fields = ("phone", "name", "address", "occupation", "kpj")
    for values in Worker.objects.values(*fields):
        assert stored_values(values) == values
    phones = set(Worker.objects.exclude(phone="").values_list("phone", flat=True))
    assert phones and all(phone.startswith("08") and 10 <= len(phone) <= 13 for phone in phones)


def test_every_kelurahan_has_workers(seeded):
    assert Worker.objects.values("kelurahan").distinct().count() == 153


def test_no_worker_holds_overlapping_memberships_of_one_program(seeded):
    rows = Membership.objects.order_by("worker_id", "program_id", "start_date").values_list(
        "worker_id", "program_id", "start_date", "end_date"
    )
    previous_key, previous_end = None, None
    for worker_id, program_id, start, end in rows:
        assert end is None or end >= start
        if (worker_id, program_id) == previous_key:
            assert previous_end is not None and previous_end < start
        previous_key, previous_end = (worker_id, program_id), end


def test_memberships_follow_the_segment_rules(seeded):
    formal = Membership.objects.filter(segment__code="FORMAL")
    assert not formal.filter(Q(employer=None) | ~Q(funding_scheme__code="EMPLOYER")).exists()
    city = Membership.objects.filter(segment__group="PUBLIC_SERVICE")
    assert not city.filter(~Q(employer=None) | ~Q(funding_scheme__code="APBD")).exists()
    assert set(city.values_list("program__code", flat=True)) == {"JKK", "JKM"}
    informal = Membership.objects.filter(segment__group="INFORMAL")
    assert set(informal.values_list("funding_scheme__code", flat=True)) == {"APBD", "MANDIRI"}
    assert set(informal.values_list("program__code", flat=True)) == {"JKK", "JKM"}
    # The city pays the Rp16,800 package (JKK Rp10,000 + JKM Rp6,800) for non-wage earners.
    city_bpu = Membership.objects.filter(segment__kind="BPU", funding_scheme__code="APBD")
    packages = city_bpu.values("worker_id", "start_date").annotate(
        total=Sum("monthly_contribution")
    )
    assert {row["total"] for row in packages} == {16_800}
    # No JP (so no JKP) for those who join at 56 or older; JKP only beside JP.
    for start, born in formal.filter(program__code="JP").values_list(
        "start_date", "worker__birth_date"
    ):
        assert (start.year - born.year) - ((start.month, start.day) < (born.month, born.day)) < 56
    jp = set(formal.filter(program__code="JP").values_list("worker_id", "start_date"))
    jkp = set(formal.filter(program__code="JKP").values_list("worker_id", "start_date"))
    assert jkp == jp
    assert formal.filter(program__code="JHT").count() > len(jp)


def test_the_history_has_churn_moves_new_enrolments_and_workers_not_yet_covered(seeded):
    ended = Employment.objects.exclude(end_date=None)
    assert set(ended.values_list("termination_reason", flat=True)) == set(
        Employment.TerminationReason.values
    )
    movers = Employment.objects.values("worker_id").annotate(
        employers=Count("employer_id", distinct=True)
    )
    assert movers.filter(employers__gt=1).exists()
    assert Membership.objects.filter(start_date__gt=REPORT_DAY).exists()
    assert Membership.objects.filter(end_date=REPORT_DAY).exists()
    assert Membership.objects.filter(start_date__lt=date(2023, 1, 1), end_date=None).exists()
    covered = covered_jkk(REPORT_DAY).values("worker_id")
    assert Membership.objects.filter(end_date=REPORT_DAY, worker_id__in=covered).exists()
    # On a roster today, yet missing JKK or JKM: the portal's "not yet covered".
    today = date(2025, 10, 31)
    jkk = Membership.objects.filter(active_on(today), program__code="JKK").values("worker_id")
    jkm = Membership.objects.filter(active_on(today), program__code="JKM").values("worker_id")
    roster = Employment.objects.filter(end_date=None)
    assert roster.exclude(worker_id__in=jkk).exists()
    assert roster.filter(worker_id__in=jkk).exclude(worker_id__in=jkm).exists()


def test_claims_cover_every_benefit_and_follow_the_workers_segment(seeded):
    assert set(Claim.objects.values_list("benefit_type__code", flat=True)) == {
        "JHT",
        "JKK",
        "JKM",
        "JP",
        "JKP",
        "BEASISWA",
    }
    statuses = set(Claim.objects.values_list("status", flat=True))
    assert {Claim.Status.PAID, Claim.Status.REJECTED} <= statuses
    assert statuses & {Claim.Status.SUBMITTED, Claim.Status.VERIFIED}  # still in progress
    assert set(Claim.objects.filter(benefit_type__code="JKM").values_list("amount", flat=True)) == {
        42_000_000
    }
    assert Claim.objects.filter(status=Claim.Status.PAID, paid_date__gt=REPORT_DAY).exists()
    assert not Claim.objects.filter(
        Q(incident_date__lt=date(2023, 1, 1)) | Q(submitted_date__gt=date(2025, 10, 31))
    ).exists()
    assert not Claim.objects.filter(segment__code="FORMAL", employer=None).exists()
    assert not Claim.objects.filter(~Q(segment__code="FORMAL"), ~Q(employer=None)).exists()
    spans: dict[tuple[int, int], list[tuple[date, date | None]]] = {}
    for worker_id, segment_id, start, end in Membership.objects.values_list(
        "worker_id", "segment_id", "start_date", "end_date"
    ):
        spans.setdefault((worker_id, segment_id), []).append((start, end))
    for worker_id, segment_id, incident in Claim.objects.values_list(
        "worker_id", "segment_id", "incident_date"
    ):
        assert any(
            start <= incident and (end is None or incident <= end)
            for start, end in spans[(worker_id, segment_id)]
        )


def test_the_demo_data_holds_no_date_contradiction(seeded):
    """Counted by the rules every new row follows (decision 37), on the demo's last day."""
    assert list(stored_contradictions(HORIZON)) == []
    # The same, for what a query can say alone: incident ≤ submitted ≤ paid ≤ the horizon, and every claim
    # arises from a membership of its own program (a scholarship: JKM), with that membership's segment. JKK,
    # JKM, JKP and scholarships on a covered day (PP 44/2015 Pasal 25 and 34, PP 37/2021 Pasal 19); JHT and JP
    # from a membership begun by then (PP 46/2015 Pasal 26 as amended by PP 60/2015; PP 45/2015).
    assert not Claim.objects.filter(
        Q(submitted_date__lt=F("incident_date"))
        | Q(paid_date__lt=F("submitted_date"))
        | Q(paid_date__gt=HORIZON)
        | Q(submitted_date__gt=HORIZON)
    ).exists()
    program_of = {
        "JKK": "JKK",
        "JKM": "JKM",
        "BEASISWA": "JKM",
        "JHT": "JHT",
        "JP": "JP",
        "JKP": "JKP",
    }
    for code, program in program_of.items():
        claims = Claim.objects.filter(benefit_type__code=code)
        own = Membership.objects.filter(
            worker_id=OuterRef("worker_id"),
            program__code=program,
            segment_id=OuterRef("segment_id"),
            start_date__lte=OuterRef("incident_date"),
        )
        if code not in ("JHT", "JP"):
            own = own.filter(Q(end_date=None) | Q(end_date__gte=OuterRef("incident_date")))
        assert not claims.exclude(Exists(own)).exists(), code


def test_every_row_points_to_the_demo_batch(seeded):
    batch = ImportBatch.objects.get()
    assert batch.source == ImportBatch.Source.DEMO
    assert batch.status == ImportBatch.Status.IMPORTED
    assert batch.file_name == "seed_demo scale=0.004 seed=42"
    assert len(batch.sha256) == 64
    for model in DEMO_MODELS:
        assert model.objects.exists()
        strays = model.objects.exclude(import_batch=batch, entered_via=Channel.COMMAND)
        assert not strays.exists(), model.__name__


def test_running_again_with_the_same_seed_writes_nothing(seeded, tmp_path):
    before = table_state()
    output = seed_demo(tmp_path)
    assert "already there" in output
    assert table_state() == before


def test_another_seed_is_refused_without_replace(seeded, tmp_path):
    before = table_state()
    with pytest.raises(CommandError, match="--replace"):
        seed_demo(tmp_path, seed=7)
    assert table_state() == before


def test_replace_gives_the_other_seeds_data_and_the_same_seed_gives_the_same_data(seeded, tmp_path):
    first = data_digest()
    employer = Employer.objects.order_by("npp").first()
    login = User.objects.create_user(username="pemberi_kerja_demo", password="rahasia-panjang-1")
    EmployerUser.objects.create(user=login, employer=employer)  # as setup_demo links its accounts

    output = seed_demo(tmp_path, seed=7, replace=True)
    assert "Removed" in output
    assert "Removed 1 login link(s) to the earlier demo employers" in output
    assert ImportBatch.objects.get().file_name == "seed_demo scale=0.004 seed=7"
    assert data_digest() != first
    assert_published_figures(SCALE)
    assert not Employer.objects.filter(npp=employer.npp, name=employer.name).exists()

    seed_demo(tmp_path, seed=42, replace=True)
    assert data_digest() == first
    assert ImportBatch.objects.count() == 1


def test_the_dtsen_candidate_file_holds_the_stated_rows(seeded, tmp_path):
    rows = read_dtsen(tmp_path / "dtsen_seed42.csv")
    known = dict(Worker.objects.values_list("nik", "pk"))
    formal_now = set(
        covered_jkk(date(2025, 10, 31))
        .filter(segment__code="FORMAL")
        .values_list("worker__nik", flat=True)
    )
    informal_now = set(
        covered_jkk(date(2025, 10, 31))
        .filter(segment__group="INFORMAL")
        .values_list("worker__nik", flat=True)
    )
    new = [row for row in rows if row["nik"] not in known]
    awaiting = [row for row in new if int(row["desil"]) <= 5]
    above_cutoff = [row for row in new if int(row["desil"]) > 5]
    already_covered = [row for row in rows if row["nik"] in informal_now]
    employees = [row for row in rows if row["nik"] in formal_now]
    assert len(awaiting) == round(45_685 * SCALE)
    assert len(rows) == len(new) + len(already_covered) + len(employees)
    assert {int(row["desil"]) for row in above_cutoff} <= set(range(6, 11))
    assert already_covered and employees and above_cutoff
    assert (
        f"{len(already_covered):,} informal workers already covered (to skip), "
        f"{len(employees):,} formal employees enrolled by their employer (to flag) and "
        f"{len(above_cutoff):,} above the cut-off"
    ) in seeded
    kelurahan_codes = set(Worker.objects.values_list("kelurahan__code", flat=True))
    for row in rows:
        assert normalize_nik(row["nik"]) == row["nik"]
        assert nik_mismatches(row["nik"], date.fromisoformat(row["tanggal_lahir"]), None) == []
        assert nik_mismatches(row["nik"], None, row["jenis_kelamin"]) == []
        assert row["kode_kelurahan"] in kelurahan_codes
        assert row["disabilitas"] in ("ya", "tidak")
    assert len({row["nik"] for row in rows}) == len(rows)


def test_a_failure_half_way_leaves_nothing_written(reference_data, tmp_path):
    (tmp_path / "dtsen_seed42.csv").mkdir()  # the CSV, written after the rows, cannot be
    with pytest.raises(CommandError, match="DTSEN candidate list"):
        seed_demo(tmp_path)
    assert not ImportBatch.objects.exists()
    for model in (*DEMO_MODELS, WorkforceEstimate):
        assert not model.objects.exists(), model.__name__


def test_it_asks_for_reference_data_first(db, tmp_path):
    with pytest.raises(CommandError, match="seed_reference"):
        seed_demo(tmp_path)
    assert not ImportBatch.objects.exists()


def test_it_refuses_a_scale_outside_its_range(reference_data, tmp_path):
    with pytest.raises(CommandError, match="scale"):
        seed_demo(tmp_path, scale=0)


def test_formal_memberships_run_exactly_as_long_as_their_employment(seeded):
    columns = ("worker_id", "employer_id", "start_date", "end_date")
    employments = set(Employment.objects.values_list(*columns))
    memberships = set(Membership.objects.filter(segment__code="FORMAL").values_list(*columns))
    assert memberships <= employments
    assert Employment.objects.filter(worker__memberships=None).exists()  # not registered yet


def test_replace_after_setup_demo_removes_its_shared_person_and_change_request(seeded, tmp_path):
    """setup_demo puts one of B's demo workers on A's roster through the services (a job and a change request
    that belong to no batch); replacing the demo data removes them with the rest."""
    requester, keeper = Employer.objects.order_by("npp")[:2]
    assert ensure_shared_person(requester, keeper, acting_user=None) is not None

    seed_demo(tmp_path, seed=7, replace=True)
    assert ImportBatch.objects.get().file_name == "seed_demo scale=0.004 seed=7"
    assert not PersonalDataChangeRequest.objects.exists()
    assert not Employment.objects.exclude(import_batch=ImportBatch.objects.get()).exists()


def test_every_demo_row_has_its_created_history_entry(seeded):
    batch = ImportBatch.objects.get()
    for model in DEMO_MODELS:
        history = model.history.filter(history_batch_id=batch.pk)
        assert history.count() == model.objects.count(), model.__name__
        assert set(history.values_list("history_type", "history_channel")) == {
            ("+", Channel.COMMAND)
        }


def test_the_first_change_to_a_demo_worker_shows_the_old_and_new_value(
    seeded, client, operator, administrator
):
    worker = Worker.objects.order_by("nik").first()
    old_phone = worker.phone
    update_worker(worker, acting_user=operator, channel=Channel.ADMIN, phone="081234567890")

    changed, created = worker.history.order_by("-history_id")[:2]
    [change] = changed.diff_against(created).changes
    assert (change.field, change.old, change.new) == ("phone", old_phone, "081234567890")
    client.force_login(administrator)
    page = client.get(reverse("admin:enrollment_worker_history", args=[worker.pk])).content.decode()
    assert old_phone in page
    assert "081234567890" in page
