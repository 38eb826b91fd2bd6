"""The report engine's figures on small fixtures, with every expectation worked out by hand.

The August 2025 period ends on 2025-08-31 (``D``). Unless a test says otherwise, workers live in the first
kelurahan (of the first kecamatan) and memberships start on 2024-01-01 in the FORMAL segment.
"""

from datetime import date
from decimal import Decimal

import pytest

from enrollment.models import Claim, Employer
from programs.models import BenefitType, CoverageTarget, Kecamatan, Kelurahan, Program, Segment
from reports.definitions import kecamatan_table
from reports.engine import ReportContext
from reports.models import WorkforceEstimate
from reports.periods import parse_period
from reports.queries import (
    CITY,
    Scope,
    claims_paid,
    coverage_on,
    coverage_trend,
    membership_flows,
)
from tests import factories

D = date(2025, 8, 31)


def covered_worker(start=date(2024, 1, 1), end=None, *, jkm_start=None, jkm_end="same", **worker):
    """A worker with a JKK and a JKM membership over the given dates (JKM the same as JKK by default)."""
    segment = worker.pop("segment", None)
    employer = worker.pop("employer", None)
    person = factories.make_worker(**worker)
    extra = {"segment": segment, "employer": employer}
    factories.make_membership(person, "JKK", start_date=start, end_date=end, **extra)
    factories.make_membership(
        person,
        "JKM",
        start_date=jkm_start or start,
        end_date=end if jkm_end == "same" else jkm_end,
        **extra,
    )
    return person


def total_on(day: date, scope: Scope = CITY) -> int:
    return coverage_on(day, scope).total


@pytest.fixture
def segments(reference_data):
    return {s.code: s for s in Segment.objects.all()}


# --- Who is covered on the period's last day -----------------------------------------------------


def test_a_membership_ending_on_the_last_day_is_covered(reference_data):
    covered_worker(end=D)
    assert total_on(D) == 1


def test_a_membership_ending_the_day_before_is_not(reference_data):
    covered_worker(end=date(2025, 8, 30))
    assert total_on(D) == 0


def test_a_membership_starting_the_day_after_is_not(reference_data):
    covered_worker(start=date(2025, 9, 1))
    assert total_on(D) == 0


def test_a_membership_starting_on_the_last_day_is_covered(reference_data):
    covered_worker(start=D)
    assert total_on(D) == 1


def test_jkk_without_jkm_is_not_covered(reference_data):
    factories.make_membership(factories.make_worker(), "JKK")
    assert total_on(D) == 0


def test_jkk_with_a_jkm_that_ended_before_is_not_covered(reference_data):
    covered_worker(jkm_end=date(2025, 7, 31))
    assert total_on(D) == 0


def test_jkk_and_jkm_of_different_dates_cover_the_days_they_share(reference_data):
    covered_worker(start=date(2025, 1, 1), jkm_start=date(2025, 3, 1), jkm_end=None)
    assert total_on(date(2025, 2, 28)) == 0
    assert total_on(date(2025, 3, 1)) == 1


def test_a_worker_with_two_employers_counts_once_under_the_employer_of_the_active_jkk(
    reference_data, segments
):
    small = factories.make_employer(size=Employer.Size.SMALL)
    large = factories.make_employer(size=Employer.Size.LARGE)
    person = factories.make_worker()
    # JKK with the small employer until June, then with the large one; one JKM throughout.
    factories.make_membership(person, "JKK", employer=small, end_date=date(2025, 6, 30))
    factories.make_membership(person, "JKK", employer=large, start_date=date(2025, 7, 1))
    factories.make_membership(person, "JKM", employer=small)

    coverage = coverage_on(D, dimensions=["employer_size"])
    assert coverage.total == 1
    assert coverage.employers == 1
    assert coverage.by["employer_size"] == {Employer.Size.LARGE: 1}


def test_a_worker_with_two_segments_counts_once_under_the_segment_of_the_active_jkk(
    reference_data, segments
):
    person = factories.make_worker()
    factories.make_membership(person, "JKK", end_date=date(2025, 5, 31))
    factories.make_membership(
        person, "JKK", segment=segments["RENTAN"], start_date=date(2025, 6, 1)
    )
    factories.make_membership(person, "JKM")  # FORMAL, open: the JKK decides

    coverage = coverage_on(D, dimensions=["segment", "segment_group", "segment_kind"])
    assert coverage.total == 1
    assert coverage.by["segment"] == {segments["RENTAN"].pk: 1}
    assert coverage.by["segment_group"] == {"INFORMAL": 1}
    assert coverage.by["segment_kind"] == {"BPU": 1}
    # On 31 May the same worker was a formal employee.
    assert coverage_on(date(2025, 5, 31), dimensions=["segment"]).by["segment"] == {
        segments["FORMAL"].pk: 1
    }


# --- Breakdowns ----------------------------------------------------------------------------------


def test_breakdowns_by_the_workers_own_attributes(reference_data):
    second_kecamatan = Kecamatan.objects.order_by("code")[1]
    elsewhere = Kelurahan.objects.filter(kecamatan=second_kecamatan).order_by("code").first()
    covered_worker(sex="P", birth_date=date(2001, 9, 1))  # 23 on D
    covered_worker(sex="P", birth_date=date(2000, 8, 31), kelurahan=elsewhere)  # 25 on D
    covered_worker(birth_date=date(1970, 9, 1), has_disability=True)  # 54 on D
    covered_worker(birth_date=date(1970, 8, 31), kelurahan=None)  # 55 on D, no address

    coverage = coverage_on(
        D, dimensions=["sex", "age_band", "disability", "kecamatan", "kelurahan"]
    )
    first_kecamatan = Kecamatan.objects.order_by("code").first()
    assert coverage.by["sex"] == {"P": 2, "L": 2}
    assert coverage.by["age_band"] == {"U25": 1, "25-34": 1, "45-54": 1, "55+": 1}
    assert coverage.by["disability"] == {0: 3, 1: 1}
    assert coverage.by["kecamatan"] == {first_kecamatan.pk: 2, second_kecamatan.pk: 1, None: 1}
    assert coverage.by["kelurahan"][elsewhere.pk] == 1


def test_program_breakdown_counts_covered_workers_holding_each_program(reference_data):
    with_jht = covered_worker()
    factories.make_membership(with_jht, "JHT")
    ended_jht = covered_worker()
    factories.make_membership(ended_jht, "JHT", end_date=date(2025, 8, 30))
    uncovered = factories.make_worker()  # JHT alone does not make anyone covered
    factories.make_membership(uncovered, "JHT")

    counts = coverage_on(D, dimensions=["program"]).by["program"]
    by_code = {p.code: counts.get(p.pk, 0) for p in Program.objects.all()}
    assert by_code == {"JKK": 2, "JKM": 2, "JHT": 1, "JP": 0, "JKP": 0}


def test_funding_scheme_and_employer_size_follow_the_jkk_membership(reference_data, segments):
    covered_worker()  # FORMAL: paid by the employer, but no employer recorded
    covered_worker(segment=segments["RT_RW"])  # paid from APBD
    coverage = coverage_on(D, dimensions=["funding_scheme", "employer_size"])
    employer_pays = segments["FORMAL"].default_funding_scheme_id
    city_pays = segments["RT_RW"].default_funding_scheme_id
    assert coverage.by["funding_scheme"] == {employer_pays: 1, city_pays: 1}
    assert coverage.by["employer_size"] == {None: 2}
    assert coverage.employers == 0


# --- Periods: quarters, years, leap day, no data --------------------------------------------------


def context(period: str, scope: Scope = CITY, dimensions=()) -> ReportContext:
    return ReportContext(parse_period(period), scope, dimensions)


def test_a_quarter_is_counted_on_its_last_day_and_its_flows_over_three_months(reference_data):
    covered_worker(start=date(2025, 7, 1))  # new in Q3, covered on 30 September
    covered_worker(end=date(2025, 8, 31))  # ended in Q3: covered in August, not on 30 September
    covered_worker(start=date(2025, 10, 1))  # starts after the quarter
    q3 = context("2025-Q3", dimensions=["segment"])
    formal = Segment.objects.get(code="FORMAL").pk
    assert q3.coverage.on == date(2025, 9, 30)
    assert q3.coverage.total == 1
    assert q3.flows[formal].new == 1
    assert q3.flows[formal].ended == 1
    assert context("2025-08").coverage.total == 2


def test_a_year_is_counted_on_31_december(reference_data):
    covered_worker(end=date(2024, 12, 31))
    covered_worker(end=date(2024, 12, 30))
    covered_worker(start=date(2025, 1, 1))
    assert context("2024").coverage.total == 1
    assert context("2024").coverage.on == date(2024, 12, 31)


def test_february_of_a_leap_year_ends_on_the_29th(reference_data):
    covered_worker(end=date(2024, 2, 28))  # not on the 29th
    covered_worker(start=date(2024, 2, 29))  # covered from the last day
    covered_worker(end=date(2024, 2, 29))  # covered on its last day
    february = context("2024-02")
    assert february.period.end == date(2024, 2, 29)
    assert february.coverage.total == 2
    assert [p.total for p in coverage_trend([date(2024, 1, 31), date(2024, 2, 29)])] == [2, 2]
    assert context("2025-02").period.end == date(2025, 2, 28)


def test_a_period_with_no_data_gives_zeros_and_no_percentages(reference_data):
    covered_worker()
    empty = context("2010-05", dimensions=["segment", "kecamatan"])
    headline = empty.headline
    assert headline["covered"] == 0
    assert headline["employers"] == 0
    assert headline["ucj_percent"] is None  # no estimate for 2010 or before
    assert headline["claims_amount"] == 0
    assert [(p.day, p.total) for p in empty.trend()] == [(date(2010, 5, 31), 0)]


# --- Flows ---------------------------------------------------------------------------------------


def test_new_enrolments_and_terminations_are_jkk_memberships_starting_and_ending_in_the_period(
    reference_data, segments
):
    covered_worker(start=date(2025, 8, 1))  # new
    covered_worker(start=date(2025, 7, 31))  # before the period
    covered_worker(end=date(2025, 8, 1))  # ended
    covered_worker(start=date(2025, 8, 5), end=date(2025, 8, 20), segment=segments["KADER"])  # both
    factories.make_membership(
        factories.make_worker(), "JKM", start_date=date(2025, 8, 2)
    )  # JKM only
    flows = membership_flows(date(2025, 8, 1), D)
    assert flows[segments["FORMAL"].pk].new == 1
    assert flows[segments["FORMAL"].pk].ended == 1
    assert flows[segments["KADER"].pk].new == 1
    assert flows[segments["KADER"].pk].ended == 1


# --- Claims --------------------------------------------------------------------------------------


def test_claims_are_paid_ones_by_paid_date_within_the_period_or_cumulative(
    reference_data, segments
):
    ani, budi = factories.make_worker(), factories.make_worker()
    paid = Claim.Status.PAID
    factories.make_claim(ani, "JHT", status=paid, paid_date=date(2025, 8, 10), amount=10_000_000)
    factories.make_claim(ani, "JKK", status=paid, paid_date=date(2025, 3, 1), amount=2_000_000)
    factories.make_claim(
        budi, "JKM", status=paid, paid_date=D, amount=42_000_000, segment=segments["RT_RW"]
    )
    factories.make_claim(budi, "JHT", status=paid, paid_date=date(2025, 9, 1), amount=7_000_000)
    factories.make_claim(budi, "JHT", status=Claim.Status.VERIFIED, amount=9_000_000)
    factories.make_claim(budi, "JHT", status=Claim.Status.REJECTED, amount=9_000_000)

    total = claims_paid(date(2025, 8, 1), D)[None]
    assert (total.count, total.recipients, total.amount) == (3, 2, 54_000_000)
    assert (total.period_count, total.period_recipients, total.period_amount) == (2, 2, 52_000_000)

    by_group = claims_paid(date(2025, 8, 1), D, by="segment_group")
    assert (by_group["FORMAL"].amount, by_group["FORMAL"].recipients) == (12_000_000, 1)
    assert by_group["PUBLIC_SERVICE"].period_amount == 42_000_000

    by_benefit = claims_paid(date(2025, 8, 1), D, by="benefit_type")
    jht = BenefitType.objects.get(code="JHT").pk
    assert by_benefit[jht].count == 1  # the September payment is after the period


# --- Denominators --------------------------------------------------------------------------------


def estimate(year, kind, workers, kecamatan=None):
    return WorkforceEstimate.objects.create(
        year=year, kind=kind, workers=workers, kecamatan=kecamatan
    )


def test_ucj_and_employed_percentages_use_the_years_city_wide_estimates(reference_data):
    for _ in range(3):
        covered_worker()
    ucj, employed = WorkforceEstimate.Kind.UCJ_ELIGIBLE, WorkforceEstimate.Kind.EMPLOYED
    estimate(2024, ucj, 4)
    estimate(2025, ucj, 7)
    estimate(2025, employed, 9)
    first = Kecamatan.objects.order_by("code").first()
    estimate(2025, ucj, 2, kecamatan=first)  # a district's estimate is never the city's

    headline = context("2025-08").headline
    assert headline["ucj_eligible"] == 7
    assert headline["ucj_percent"] == Decimal("42.86")  # 3 / 7
    assert headline["employed_percent"] == Decimal("33.33")  # 3 / 9
    assert headline["target_percent"] == Decimal("57.10")
    # 2026 has no estimate: the latest before it (2025) applies; 2024 uses its own.
    assert context("2026-01").headline["ucj_eligible"] == 7
    assert context("2024-12").headline["ucj_percent"] == Decimal("75.00")


def test_district_percentages_use_each_districts_own_estimates(reference_data):
    first, second = Kecamatan.objects.order_by("code")[:2]
    there = Kelurahan.objects.filter(kecamatan=second).first()
    covered_worker()
    covered_worker(kelurahan=there)
    covered_worker(kelurahan=there)
    ucj = WorkforceEstimate.Kind.UCJ_ELIGIBLE
    estimate(2025, ucj, 4, kecamatan=first)
    estimate(2025, ucj, 3, kecamatan=second)
    CoverageTarget.objects.update_or_create(year=2025, defaults={"target_percent": 50})

    table = kecamatan_table(context("2025-08", dimensions=["kecamatan"]))
    ranked = list(zip(table.column("kecamatan"), table.column("ucj_percent"), strict=True))
    assert ranked[:2] == [(second.name, Decimal("66.67")), (first.name, Decimal("25.00"))]
    assert table.chart.reference == Decimal("50.00")
    # Within one district, the district's estimate is the denominator.
    scoped = context("2025-08", Scope(kecamatan_id=second.pk))
    assert scoped.headline["covered"] == 2
    assert scoped.headline["ucj_eligible"] == 3


# --- The trend -----------------------------------------------------------------------------------


def test_the_trend_counts_each_month_end_like_the_report_of_that_month(reference_data, segments):
    covered_worker(start=date(2025, 1, 15), end=date(2025, 3, 31))
    covered_worker(start=date(2025, 2, 1), jkm_start=date(2025, 3, 1), jkm_end=None)
    covered_worker(start=date(2024, 6, 1), segment=segments["RENTAN"])
    person = factories.make_worker()  # two JKK memberships, one JKM across both
    factories.make_membership(
        person, "JKK", start_date=date(2024, 1, 1), end_date=date(2025, 2, 10)
    )
    factories.make_membership(
        person, "JKK", start_date=date(2025, 2, 11), segment=segments["KADER"]
    )
    factories.make_membership(person, "JKM", start_date=date(2024, 1, 1))

    period = parse_period("2024-12..2025-05")
    points = coverage_trend(period.month_ends())
    assert [p.total for p in points] == [2, 3, 3, 4, 3, 3]
    assert [p.by_group["INFORMAL"] for p in points] == [1] * 6
    assert [p.by_group["PUBLIC_SERVICE"] for p in points] == [0, 0, 1, 1, 1, 1]
    assert [p.total for p in points] == [coverage_on(p.day).total for p in points]


def test_the_trend_respects_the_scope(reference_data, segments):
    employer = factories.make_employer()
    covered_worker(employer=employer, start=date(2025, 3, 1))
    covered_worker(start=date(2025, 1, 1))
    days = parse_period("2025-01..2025-04").month_ends()
    assert [p.total for p in coverage_trend(days, Scope(employer_id=employer.pk))] == [0, 0, 1, 1]
    assert [p.total for p in coverage_trend(days, Scope(segment_id=segments["RENTAN"].pk))] == [
        0
    ] * 4


# --- The employer scope --------------------------------------------------------------------------


def test_an_employer_scope_keeps_only_the_memberships_and_claims_it_registered(reference_data):
    mine, other = factories.make_employer(), factories.make_employer()
    covered_worker(employer=mine)
    covered_worker(employer=other)
    moved = factories.make_worker()  # JKK with another employer: not covered through mine
    factories.make_membership(moved, "JKK", employer=other)
    factories.make_membership(moved, "JKM", employer=mine)
    factories.make_claim(moved, status=Claim.Status.PAID, paid_date=date(2025, 8, 2), employer=mine)

    scope = Scope(employer_id=mine.pk)
    assert coverage_on(D, scope).total == 1
    assert coverage_on(D).total == 3
    assert claims_paid(date(2025, 8, 1), D, scope)[None].amount == 12_500_000
    assert context("2025-08", scope).headline["ucj_percent"] is None
