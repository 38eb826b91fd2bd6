"""The service functions: their rules, their all-or-nothing writes and the audit history they leave."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from berjasa.audit import Channel
from enrollment import services
from enrollment.models import Claim, Membership, Worker
from programs.models import Program, Segment
from tests import factories

pytestmark = pytest.mark.usefixtures("reference_data")


def programs(*codes):
    return list(Program.objects.filter(code__in=codes))


def enrol(
    worker,
    codes,
    *,
    segment="FORMAL",
    employer=None,
    start=date(2025, 1, 1),
    wage=3_900_000,
    user=None,
):
    segment = Segment.objects.get(code=segment)
    request = services.EnrolmentRequest(
        programs=programs(*codes),
        segment=segment,
        funding_scheme=segment.default_funding_scheme,
        start_date=start,
        wage=wage,
        employer=employer,
    )
    return services.enrol_worker(worker, request, acting_user=user, channel=Channel.ADMIN)


def test_the_city_package_for_a_non_wage_earner_is_16_800_a_month():
    worker = factories.make_worker()
    memberships = enrol(worker, ["JKK", "JKM"], segment="RENTAN", wage=1_000_000)
    assert sum(m.monthly_contribution for m in memberships) == 16_800


def test_jp_is_capped_at_the_wage_cap_in_force():
    worker, employer = factories.make_worker(), factories.make_employer()
    factories.make_employment(worker, employer, start_date=date(2024, 3, 1))
    (jp,) = enrol(worker, ["JP"], employer=employer, wage=20_000_000, start=date(2024, 3, 1))
    assert jp.monthly_contribution == 301_269  # 3 % of Rp10,042,300


def test_jp_is_refused_to_a_non_wage_earner_and_nothing_is_written():
    worker = factories.make_worker()
    with pytest.raises(ValidationError, match="JP hanya untuk pekerja penerima upah"):
        enrol(worker, ["JKK", "JKM", "JP"], segment="RT_RW", wage=1_000_000)
    assert not Membership.objects.exists()


def test_terminating_ends_only_that_employers_memberships_on_the_same_day():
    worker = factories.make_worker()
    employer, other = factories.make_employer(), factories.make_employer()
    employment = factories.make_employment(worker, employer, start_date=date(2024, 1, 1))
    enrol(worker, ["JKK", "JKM"], employer=employer, start=date(2024, 1, 1))
    city_funded = enrol(worker, ["JHT"], segment="RENTAN", start=date(2024, 1, 1), wage=1_000_000)[
        0
    ]
    factories.make_employment(worker, other)
    services.terminate_employment(
        employment,
        end_date=date(2025, 6, 30),
        reason="RESIGNED",
        acting_user=None,
        channel=Channel.ADMIN,
    )
    ends = dict(worker.memberships.values_list("program__code", "end_date"))
    assert ends == {"JKK": date(2025, 6, 30), "JKM": date(2025, 6, 30), "JHT": None}
    city_funded.refresh_from_db()
    assert city_funded.end_date is None


def test_terminating_before_a_membership_starts_removes_it():
    worker, employer = factories.make_worker(), factories.make_employer()
    employment = factories.make_employment(worker, employer, start_date=date(2025, 1, 1))
    enrol(worker, ["JKK"], employer=employer, start=date(2025, 9, 1))
    services.terminate_employment(
        employment,
        end_date=date(2025, 8, 15),
        reason="CONTRACT_ENDED",
        acting_user=None,
        channel=Channel.ADMIN,
    )
    assert not worker.memberships.exists()


def test_a_termination_is_refused_whole_when_the_reason_is_unknown():
    worker, employer = factories.make_worker(), factories.make_employer()
    employment = factories.make_employment(worker, employer)
    enrol(worker, ["JKK"], employer=employer)
    with pytest.raises(ValidationError):
        services.terminate_employment(
            employment,
            end_date=date(2025, 6, 30),
            reason="BORED",
            acting_user=None,
            channel=Channel.ADMIN,
        )
    employment.refresh_from_db()
    assert employment.end_date is None
    assert worker.memberships.get().end_date is None


def test_registering_a_known_nik_links_the_existing_worker():
    existing = factories.make_worker(name="Siti Aminah", sex="P", birth_date=date(1991, 7, 4))
    employer = factories.make_employer()
    worker, created = services.register_worker(
        acting_user=None,
        channel=Channel.PORTAL,
        nik=existing.nik[:4] + " " + existing.nik[4:],
        employer=employer,
        start_date=date(2025, 1, 1),
        monthly_wage=3_900_000,
        name="Siti",
        birth_date=date(1991, 7, 4),
        sex="P",
    )
    assert (worker.pk, created, worker.name) == (existing.pk, False, "Siti Aminah")
    assert Worker.objects.count() == 1


def test_every_change_is_recorded_with_who_when_and_through_which_channel(administrator):
    worker = factories.make_worker()
    employer = factories.make_employer()
    services.update_worker(
        worker, acting_user=administrator, channel=Channel.COMMAND, phone="081100001111"
    )
    services.hire_worker(
        worker,
        employer,
        start_date=date(2025, 1, 1),
        monthly_wage=1,
        acting_user=administrator,
        channel=Channel.IMPORT,
    )
    change = worker.history.latest()
    assert (change.history_user, change.history_channel, change.history_type) == (
        administrator,
        "COMMAND",
        "~",
    )
    assert change.diff_against(change.prev_record).changed_fields == ["phone"]
    hire = worker.employments.get().history.get()
    assert (hire.history_user, hire.history_channel, hire.history_employer_id) == (
        administrator,
        "IMPORT",
        employer.pk,
    )


def test_a_claim_moves_forward_only():
    worker = factories.make_worker()
    factories.make_membership(worker, "JHT")
    claim = services.record_claim(
        worker,
        reference="KLM-2025-1",
        benefit_type=factories.make_claim(worker).benefit_type,
        incident_date=date(2025, 1, 1),
        submitted_date=date(2025, 1, 5),
        amount=10_000_000,
        acting_user=None,
        channel=Channel.ADMIN,
    )
    with pytest.raises(
        ValidationError, match="Klaim berstatus Diajukan tidak dapat menjadi Dibayar."
    ):
        services.advance_claim(
            claim,
            Claim.Status.PAID,
            acting_user=None,
            channel=Channel.ADMIN,
            paid_date=date(2025, 2, 1),
        )
    services.advance_claim(claim, Claim.Status.VERIFIED, acting_user=None, channel=Channel.ADMIN)
    paid = services.advance_claim(
        claim,
        Claim.Status.PAID,
        acting_user=None,
        channel=Channel.ADMIN,
        paid_date=date(2025, 2, 1),
        amount=9_500_000,
    )
    assert (paid.status, paid.paid_date, paid.amount) == ("PAID", date(2025, 2, 1), 9_500_000)
    assert [h.status for h in paid.history.order_by("history_date")] == [
        "SUBMITTED",
        "VERIFIED",
        "PAID",
    ]


def end(membership, end_date, user=None):
    return services.end_membership(
        membership, end_date=end_date, acting_user=user, channel=Channel.ADMIN
    )


def test_a_membership_ends_once_and_not_before_it_starts(administrator):
    worker = factories.make_worker()
    jkk = factories.make_membership(worker, "JKK", start_date=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="tidak boleh sebelum tanggal mulai"):
        end(jkk, date(2024, 12, 31))
    end(jkk, date(2025, 6, 30), administrator)
    with pytest.raises(ValidationError, match="Kepesertaan ini sudah berakhir."):
        end(jkk, date(2025, 7, 31))
    jkk.refresh_from_db()
    assert jkk.end_date == date(2025, 6, 30)
    change = jkk.history.latest()
    assert (change.history_user, change.history_channel, change.end_date) == (
        administrator,
        "ADMIN",
        date(2025, 6, 30),
    )
