"""Dates that contradict each other (decision 37), through every door: the services, the admin over HTTP, the
admin's per-model import, the roster import and the portal over HTTP.

Refused everywhere: a membership through an employer starting after the employment ended or without any
employment; a claim's incident or submission in the future, a submission before the incident, a payment before
the submission or in the future; a claim for a program the worker never held. Warnings a staff user confirms
(recorded on the row: who, when, which warning), refusals for employers: a membership starting before the
employment starts, a claim's incident outside the worker's coverage. Expected values are written out by hand.
"""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from berjasa.audit import Channel
from enrollment import services
from enrollment.models import Claim, Employment, Membership
from enrollment.resources import (
    CONFIRM_COLUMN,
    ClaimResource,
    EmploymentResource,
    MembershipResource,
)
from programs.models import BenefitType, FundingScheme, Program, Segment
from tests import factories
from tests.test_admin import admin_url, all_messages, form_errors, logged_in
from tests.test_imports import check, codes, csv_file, row
from tests.test_portal_journeys import new_worker_form
from tests.test_resources import import_file, row_errors

pytestmark = pytest.mark.django_db

BEFORE_EMPLOYMENT = "membership_before_employment"
OUTSIDE_COVERAGE = "incident_outside_coverage"


@pytest.fixture(autouse=True)
def catalogue(reference_data):
    """Programs, segments, funding schemes, rates and benefit types."""


def tables() -> list:
    """Every row of the tables these doors write, with their history: what 'nothing written' compares."""
    models = (Employment, Membership, Claim)
    return [
        list(table.objects.order_by("pk").values())
        for model in models
        for table in (model, model.history.model)
    ]


def formal_enrolment(employer, start: date, codes_=("JKK",)) -> services.EnrolmentRequest:
    segment = Segment.objects.get(code="FORMAL")
    return services.EnrolmentRequest(
        programs=list(Program.objects.filter(code__in=codes_)),
        segment=segment,
        funding_scheme=FundingScheme.objects.get(code="EMPLOYER"),
        start_date=start,
        wage=4_000_000,
        employer=employer,
    )


def dismissed_at_end_of_2024(worker, employer) -> Employment:
    """A job through 2024, ended on 31-12-2024."""
    return factories.make_employment(
        worker,
        employer,
        start_date=date(2024, 1, 1),
        end_date=date(2024, 12, 31),
        termination_reason="DISMISSED",
    )


@pytest.fixture
def hired(employer_a):
    """A worker employed by A from 1 March 2025 (and by A before, from 2023 to the end of 2023)."""
    worker = factories.make_worker()
    factories.make_employment(
        worker,
        employer_a,
        start_date=date(2023, 1, 1),
        end_date=date(2023, 12, 31),
        termination_reason="RESIGNED",
    )
    factories.make_employment(worker, employer_a, start_date=date(2025, 3, 1))
    return worker


@pytest.fixture
def enrolled(hired, employer_a, operator) -> Membership:
    """``hired``'s JKK through A from the first day of the job, 1 March 2025."""
    [membership] = services.enrol_worker(
        hired,
        formal_enrolment(employer_a, date(2025, 3, 1)),
        acting_user=operator,
        channel=Channel.ADMIN,
    )
    return membership


# --- memberships: the service ----------------------------------------------------------------------------------

# (membership start, rule, expected code: None when accepted), for the worker of ``hired``.
MEMBERSHIP_CASES = [
    (date(2025, 3, 1), "within the employment (its first day)", None),
    (date(2023, 6, 1), "within the earlier employment with A", None),
    (date(2025, 2, 28), "the day before the employment starts: warning", BEFORE_EMPLOYMENT),
    (date(2024, 6, 1), "after the 2023 job ended, before the 2025 one: warning", BEFORE_EMPLOYMENT),
    (date(2022, 12, 31), "before any employment with A: warning", BEFORE_EMPLOYMENT),
]


@pytest.mark.parametrize(("start", "rule", "expected"), MEMBERSHIP_CASES)
def test_a_membership_starts_within_an_employment_or_is_a_warning(
    hired, employer_a, operator, start, rule, expected
):
    request = formal_enrolment(employer_a, start)
    if expected is None:
        [membership] = services.enrol_worker(
            hired, request, acting_user=operator, channel=Channel.ADMIN
        )
        assert membership.confirmed_warnings is None, rule
        return
    before = tables()
    with pytest.raises(ValidationError) as refusal:
        services.enrol_worker(hired, request, acting_user=operator, channel=Channel.ADMIN)
    assert [c.code for c in refusal.value.contradictions] == [expected], rule
    assert refusal.value.messages[-1] == (
        "Jika dokumen membenarkan tanggal-tanggal ini, konfirmasi peringatannya lalu simpan kembali."
    )
    assert tables() == before


def test_a_membership_after_the_employment_ended_is_refused_even_to_staff(employer_a, operator):
    worker = factories.make_worker()
    dismissed_at_end_of_2024(worker, employer_a)
    before = tables()
    with pytest.raises(ValidationError) as refusal:
        services.enrol_worker(
            worker,
            formal_enrolment(employer_a, date(2025, 1, 1)),
            acting_user=operator,
            channel=Channel.ADMIN,
            confirm={BEFORE_EMPLOYMENT, "membership_after_employment"},
        )
    assert refusal.value.messages == [
        "Kepesertaan dimulai pada 01/01/2025, setelah hubungan kerja dengan PT Angin Mamiri berakhir "
        "(31/12/2024): pemberi kerja hanya mendaftarkan pekerjanya sendiri."
    ]
    assert tables() == before


def test_a_membership_through_an_employer_the_worker_never_worked_for_is_refused(
    employer_a, operator
):
    with pytest.raises(ValidationError, match="tidak tercatat bekerja pada PT Angin Mamiri"):
        services.enrol_worker(
            factories.make_worker(),
            formal_enrolment(employer_a, date(2025, 1, 1)),
            acting_user=operator,
            channel=Channel.ADMIN,
        )
    assert not Membership.objects.exists()


def test_staff_confirm_a_membership_before_the_employment_and_it_is_recorded(
    hired, employer_a, operator
):
    memberships = services.enrol_worker(
        hired,
        formal_enrolment(employer_a, date(2025, 2, 1), ("JKK", "JKM")),
        acting_user=operator,
        channel=Channel.ADMIN,
        confirm={BEFORE_EMPLOYMENT},
    )
    for membership in memberships:
        [confirmation] = membership.confirmed_warnings
        assert confirmation["code"] == BEFORE_EMPLOYMENT
        assert confirmation["confirmed_by"] == operator.username
        assert confirmation["warning"] == (
            "Kepesertaan dimulai pada 01/02/2025, sebelum hubungan kerja dengan PT Angin Mamiri "
            "dimulai (01/03/2025)."
        )
        confirmed_at = timezone.datetime.fromisoformat(confirmation["confirmed_at"])
        assert abs(timezone.now() - confirmed_at) < timedelta(minutes=1)
        assert membership.history.get().confirmed_warnings == membership.confirmed_warnings


def test_an_employer_cannot_confirm_a_warning(hired, employer_a, employer_a_user):
    with pytest.raises(ValidationError) as refusal:
        services.enrol_worker(
            hired,
            formal_enrolment(employer_a, date(2025, 2, 1)),
            acting_user=employer_a_user,
            channel=Channel.IMPORT,
            confirm={BEFORE_EMPLOYMENT},
        )
    assert refusal.value.messages == [  # no advice to confirm: for an employer it is a refusal
        "Kepesertaan dimulai pada 01/02/2025, sebelum hubungan kerja dengan PT Angin Mamiri "
        "dimulai (01/03/2025)."
    ]
    assert not Membership.objects.exists()


def test_a_later_employment_start_that_leaves_memberships_before_it_is_a_warning(
    hired, enrolled, operator
):
    employment, membership = hired.employments.get(end_date=None), enrolled
    with pytest.raises(ValidationError) as refusal:
        services.update_employment(
            employment,
            start_date=date(2025, 4, 1),
            monthly_wage=employment.monthly_wage,
            acting_user=operator,
            channel=Channel.ADMIN,
        )
    assert [c.code for c in refusal.value.contradictions] == [BEFORE_EMPLOYMENT]
    employment.refresh_from_db()
    assert employment.start_date == date(2025, 3, 1)
    # Earlier is never a contradiction; later, confirmed by staff, is saved.
    services.update_employment(
        employment,
        start_date=date(2025, 4, 1),
        monthly_wage=employment.monthly_wage,
        acting_user=operator,
        channel=Channel.ADMIN,
        confirm={BEFORE_EMPLOYMENT},
    )
    employment.refresh_from_db()
    assert employment.start_date == date(2025, 4, 1)
    membership.refresh_from_db()  # the row that now starts before its employment carries the confirmation
    [confirmation] = membership.confirmed_warnings
    assert (confirmation["code"], confirmation["confirmed_by"]) == (
        BEFORE_EMPLOYMENT,
        operator.username,
    )
    assert confirmation["warning"] == (
        "Kepesertaan dimulai pada 01/03/2025, sebelum hubungan kerja dengan PT Angin Mamiri dimulai "
        "(01/04/2025)."
    )
    assert membership.history.latest().confirmed_warnings == [confirmation]


# --- claims: the service ---------------------------------------------------------------------------------------


@pytest.fixture
def claimant(employer_a):
    """Formal with A from 1-1-2024 to 30-6-2025 in all five programs, then a city-funded BPU (RENTAN) with
    JKK and JKM from 1-8-2025 (no JHT, JP or JKP since)."""
    worker = factories.make_worker()
    for code in ("JKK", "JKM", "JHT", "JP", "JKP"):
        factories.make_membership(
            worker,
            code,
            employer=employer_a,
            start_date=date(2024, 1, 1),
            end_date=date(2025, 6, 30),
        )
    for code in ("JKK", "JKM"):
        factories.make_membership(
            worker, code, segment=Segment.objects.get(code="RENTAN"), start_date=date(2025, 8, 1)
        )
    return worker


def record(worker, benefit: str, incident: date, *, user=None, confirm=(), submitted=None):
    return services.record_claim(
        worker,
        reference=f"KLM-{benefit}-{incident:%Y%m%d}",
        benefit_type=BenefitType.objects.get(code=benefit),
        incident_date=incident,
        submitted_date=submitted or incident + timedelta(days=3),
        amount=1_000_000,
        acting_user=user,
        channel=Channel.ADMIN,
        confirm=confirm,
    )


# (benefit, incident, expected segment code, expected warning, the rule) for ``claimant``. The claim's
# employer is its membership's: A for FORMAL, none for RENTAN. In the July gap (FORMAL ended 30-06-2025,
# RENTAN starts 01-08-2025) the nearer membership gives the segment (decision 38).
# fmt: off
COVERAGE_CASES = [
    ("JKK", date(2025, 3, 10), "FORMAL", None, "PP 44/2015 Pasal 25: an accident on a covered day"),
    ("JKK", date(2025, 9, 1), "RENTAN", None, "PP 44/2015 Pasal 25: covered as BPU since 1-8-2025"),
    ("JKK", date(2025, 7, 15), "FORMAL", OUTSIDE_COVERAGE, "Pasal 25: a gap; FORMAL ended 15 days before"),
    ("JKK", date(2025, 7, 20), "RENTAN", OUTSIDE_COVERAGE, "Pasal 25: a gap; RENTAN starts 12 days after"),
    ("JKK", date(2023, 12, 31), "FORMAL", OUTSIDE_COVERAGE, "PP 44/2015 Pasal 25: before any JKK"),
    ("JKM", date(2025, 6, 30), "FORMAL", None, "PP 44/2015 Pasal 34: died on the last covered day"),
    ("JKM", date(2025, 7, 1), "FORMAL", OUTSIDE_COVERAGE, "PP 44/2015 Pasal 34: died the day after"),
    ("BEASISWA", date(2025, 9, 1), "RENTAN", None, "Pasal 25 ayat 2 b.8 jo PP 82/2019: with JKM"),
    ("JHT", date(2025, 7, 20), "FORMAL", None, "PP 46/2015 Pasal 26 jo PP 60/2015: after leaving work"),
    ("JHT", date(2023, 12, 1), "FORMAL", OUTSIDE_COVERAGE, "PP 46/2015 Pasal 22: no balance yet"),
    ("JP", date(2025, 9, 1), "FORMAL", None, "PP 45/2015: JP after leaving work, from its balance"),
    ("JKP", date(2025, 6, 30), "FORMAL", None, "PP 37/2021 Pasal 19: dismissed on the last day"),
    ("JKP", date(2025, 7, 31), "FORMAL", OUTSIDE_COVERAGE, "PP 37/2021 Pasal 19: a month after"),
]
# fmt: on


@pytest.mark.parametrize(("benefit", "incident", "segment", "warning", "rule"), COVERAGE_CASES)
def test_a_claims_segment_and_coverage_come_from_the_membership(
    claimant, employer_a, operator, benefit, incident, segment, warning, rule
):
    if warning is not None:
        with pytest.raises(ValidationError) as refusal:
            record(claimant, benefit, incident, user=operator)
        assert [c.code for c in refusal.value.contradictions] == [warning], rule
        assert not Claim.objects.exists()
    claim = record(claimant, benefit, incident, user=operator, confirm={OUTSIDE_COVERAGE})
    assert claim.segment.code == segment, rule
    assert claim.employer == (employer_a if segment == "FORMAL" else None), rule
    recorded = [entry["code"] for entry in claim.confirmed_warnings or ()]
    assert recorded == ([warning] if warning else []), rule


# (JKP membership start, dismissal day = last covered day, warned?) under PP 37/2021 Pasal 20: 12 months of
# membership in the 24 months up to the dismissal. 1-7-2024 to 30-6-2025 is July to June, 365 days: 12 months.
# fmt: off
JKP_MONTHS_CASES = [
    (date(2024, 7, 1), date(2025, 6, 30), False, "365 of 365 days: twelve whole months"),
    (date(2024, 7, 2), date(2025, 6, 30), True, "364 of 365 days: a day short"),
    (date(2023, 3, 1), date(2025, 2, 28), False, "731 days in the window; 365 needed"),
    (date(2024, 3, 1), date(2025, 2, 28), False, "1-3-2024 to 28-2-2025: 365 of 365 days"),
    (date(2023, 3, 1), date(2024, 2, 29), False, "leap year: 1-3-2023 to 29-2-2024, 366 of 366 days"),
    (date(2023, 3, 2), date(2024, 2, 29), True, "leap year: 365 of 366 days"),
]
# fmt: on


@pytest.mark.parametrize(("start", "dismissal", "warned", "rule"), JKP_MONTHS_CASES)
def test_jkp_needs_twelve_months_of_membership_in_the_last_twenty_four(
    employer_a, operator, start, dismissal, warned, rule
):
    worker = factories.make_worker()
    factories.make_membership(
        worker, "JKP", employer=employer_a, start_date=start, end_date=dismissal
    )
    if warned:
        with pytest.raises(ValidationError) as refusal:
            record(worker, "JKP", dismissal, user=operator)
        assert [c.code for c in refusal.value.contradictions] == ["jkp_contribution_months"], rule
        assert not Claim.objects.exists()
    claim = record(worker, "JKP", dismissal, user=operator, confirm={"jkp_contribution_months"})
    recorded = [entry["code"] for entry in claim.confirmed_warnings or ()]
    assert recorded == (["jkp_contribution_months"] if warned else []), rule


def test_jkp_counts_two_memberships_in_the_window(employer_a, employer_b, operator):
    """PP 37/2021 Pasal 20 counts months in 24, not in one job: 6 months with B and 6 with A (365 days)."""
    worker = factories.make_worker()
    factories.make_membership(
        worker, "JKP", employer=employer_b, start_date=date(2024, 1, 1), end_date=date(2024, 6, 30)
    )  # 182 days
    factories.make_membership(
        worker,
        "JKP",
        employer=employer_a,
        start_date=date(2024, 12, 13),
        end_date=date(2025, 6, 14),
    )  # 184 days: 366 in all, 365 needed (15-6-2024 to 14-6-2025)
    claim = record(worker, "JKP", date(2025, 6, 14), user=operator)
    assert (claim.segment.code, claim.employer, claim.confirmed_warnings) == (
        "FORMAL",
        employer_a,
        None,
    )
    with pytest.raises(ValidationError, match="memiliki 364 dari 365 hari"):
        record(worker, "JKP", date(2025, 6, 12), user=operator)  # 182 + 182 = 364 of 365


def test_a_claim_outside_coverage_names_the_nearest_membership(claimant, operator):
    with pytest.raises(ValidationError) as refusal:
        record(claimant, "JKM", date(2025, 7, 1), user=operator)
    assert refusal.value.messages[0] == (
        "Tanggal kejadian 01/07/2025 berada di luar masa kepesertaan JKM pekerja ini; kepesertaan "
        "terdekat berlaku 01/01/2024–30/06/2025."
    )


def test_a_claim_for_a_program_never_held_is_refused_even_to_staff(operator):
    worker = factories.make_worker()
    factories.make_membership(worker, "JKK")
    with pytest.raises(ValidationError, match="tidak tercatat memiliki kepesertaan JP"):
        record(worker, "JP", date(2025, 1, 10), user=operator, confirm={OUTSIDE_COVERAGE})
    assert not Claim.objects.exists()


def test_an_employer_cannot_confirm_a_claim_outside_coverage(claimant, employer_a_user):
    with pytest.raises(ValidationError):
        services.record_claim(
            claimant,
            reference="KLM-X",
            benefit_type=BenefitType.objects.get(code="JKM"),
            incident_date=date(2025, 7, 1),
            submitted_date=date(2025, 7, 2),
            amount=1,
            acting_user=employer_a_user,
            channel=Channel.PORTAL,
            confirm={OUTSIDE_COVERAGE},
        )
    assert not Claim.objects.exists()


def test_claim_dates_out_of_order_are_refused_even_to_staff(claimant, operator):
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    cases = [  # (incident, submitted, the message)
        (tomorrow, tomorrow, "Tanggal kejadian tidak boleh di masa depan."),
        (today, tomorrow, "Tanggal pengajuan tidak boleh di masa depan."),
        (date(2025, 3, 10), date(2025, 3, 9), "Klaim tidak dapat diajukan sebelum kejadiannya."),
    ]
    for incident, submitted, message in cases:
        with pytest.raises(ValidationError) as refusal:
            record(
                claimant,
                "JKK",
                incident,
                submitted=submitted,
                user=operator,
                confirm={OUTSIDE_COVERAGE, "incident_in_future", "submitted_before_incident"},
            )
        assert message in refusal.value.messages
    assert not Claim.objects.exists()


def test_a_payment_before_the_submission_or_in_the_future_is_refused(claimant, operator):
    claim = record(claimant, "JKK", date(2025, 3, 10), user=operator)  # submitted 13-03-2025
    services.advance_claim(
        claim, Claim.Status.VERIFIED, acting_user=operator, channel=Channel.ADMIN
    )
    for paid, message in [
        (date(2025, 3, 12), "Klaim tidak dapat dibayar sebelum diajukan."),
        (timezone.localdate() + timedelta(days=1), "Tanggal bayar tidak boleh di masa depan."),
    ]:
        with pytest.raises(ValidationError) as refusal:
            services.advance_claim(
                claim,
                Claim.Status.PAID,
                acting_user=operator,
                channel=Channel.ADMIN,
                paid_date=paid,
            )
        assert refusal.value.messages == [message]
    claim.refresh_from_db()
    assert (claim.status, claim.paid_date) == (Claim.Status.VERIFIED, None)
    paid = services.advance_claim(
        claim,
        Claim.Status.PAID,
        acting_user=operator,
        channel=Channel.ADMIN,
        paid_date=date(2025, 3, 13),  # the day of submission is allowed
    )
    assert paid.paid_date == date(2025, 3, 13)


# --- the admin over HTTP ---------------------------------------------------------------------------------------


@pytest.fixture
def operator_client(operator):
    return logged_in(operator)


def enrol_form(worker, employer, start: str, **extra) -> dict:
    segment = Segment.objects.get(code="FORMAL")
    return {
        "worker": str(worker.pk),
        "programs": [str(Program.objects.get(code="JKK").pk)],
        "segment": str(segment.pk),
        "funding_scheme": str(FundingScheme.objects.get(code="EMPLOYER").pk),
        "employer": str(employer.pk),
        "start_date": start,
        "wage": "4000000",
        **extra,
    }


def test_the_admin_shows_the_warning_then_records_the_confirmation_and_shows_it(
    hired, employer_a, operator, operator_client
):
    url = admin_url(Membership, "add")
    response = operator_client.post(url, enrol_form(hired, employer_a, "2025-02-01"))
    assert all_messages(form_errors(response)) == [
        "Kepesertaan dimulai pada 01/02/2025, sebelum hubungan kerja dengan PT Angin Mamiri dimulai "
        "(01/03/2025).",
        "Jika dokumen membenarkan tanggal-tanggal ini, konfirmasi peringatannya lalu simpan kembali.",
    ]
    assert not Membership.objects.exists()

    response = operator_client.post(
        url, enrol_form(hired, employer_a, "2025-02-01", confirm_date_warnings="on")
    )
    assert response.status_code == 302
    membership = Membership.objects.get()
    assert membership.confirmed_warnings[0]["confirmed_by"] == operator.username
    page = operator_client.get(admin_url(Membership, "change", membership.pk)).content.decode()
    assert "sebelum hubungan kerja dengan PT Angin Mamiri dimulai (01/03/2025)." in page
    assert f"dikonfirmasi oleh {operator.username} pada " in page
    listed = operator_client.get(admin_url(Membership, "changelist"), {"date_warnings": "yes"})
    assert list(listed.context["cl"].result_list) == [membership]
    unconfirmed = operator_client.get(admin_url(Membership, "changelist"), {"date_warnings": "no"})
    assert list(unconfirmed.context["cl"].result_list) == []


def test_the_admin_refuses_a_membership_after_the_employment_even_when_ticked(
    employer_a, operator_client
):
    worker = factories.make_worker()
    dismissed_at_end_of_2024(worker, employer_a)
    response = operator_client.post(
        admin_url(Membership, "add"),
        enrol_form(worker, employer_a, "2025-01-01", confirm_date_warnings="on"),
    )
    [message] = all_messages(form_errors(response))
    assert message.startswith("Kepesertaan dimulai pada 01/01/2025, setelah hubungan kerja")
    assert not Membership.objects.exists()


def claim_form(worker, benefit: str, incident: str, submitted: str, **extra) -> dict:
    return {
        "worker": str(worker.pk),
        "reference": "KLM-ADM-1",
        "benefit_type": str(BenefitType.objects.get(code=benefit).pk),
        "incident_date": incident,
        "submitted_date": submitted,
        "amount": "2500000",
        "segment": str(Segment.objects.get(code="NON_ASN").pk),  # forged: not a field of the form
        **extra,
    }


def test_the_admin_derives_the_segment_and_records_a_confirmed_claim_outside_coverage(
    claimant, employer_a, operator, operator_client
):
    url = admin_url(Claim, "add")
    response = operator_client.post(url, claim_form(claimant, "JKM", "2025-07-01", "2025-07-03"))
    messages = all_messages(form_errors(response))
    assert messages[0].startswith("Tanggal kejadian 01/07/2025 berada di luar masa kepesertaan JKM")
    assert not Claim.objects.exists()

    response = operator_client.post(
        url, claim_form(claimant, "JKM", "2025-07-01", "2025-07-03", confirm_date_warnings="on")
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    # PP 44/2015 Pasal 34: the nearest JKM membership is the FORMAL one with A (ended 30-06-2025).
    assert (claim.segment.code, claim.employer) == ("FORMAL", employer_a)
    assert claim.confirmed_warnings[0]["code"] == OUTSIDE_COVERAGE
    page = operator_client.get(admin_url(Claim, "change", claim.pk)).content.decode()
    assert f"dikonfirmasi oleh {operator.username} pada " in page


@pytest.mark.parametrize(
    ("incident", "submitted", "message"),
    [
        ("2025-03-10", "2025-03-09", "Klaim tidak dapat diajukan sebelum kejadiannya."),
        ("tomorrow", "tomorrow", "Tanggal kejadian tidak boleh di masa depan."),
    ],
)
def test_the_admin_refuses_claim_dates_out_of_order_even_when_ticked(
    claimant, operator_client, incident, submitted, message
):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    incident, submitted = (tomorrow if d == "tomorrow" else d for d in (incident, submitted))
    response = operator_client.post(
        admin_url(Claim, "add"),
        claim_form(claimant, "JKK", incident, submitted, confirm_date_warnings="on"),
    )
    assert message in all_messages(form_errors(response))
    assert not Claim.objects.exists()


def test_the_admins_paid_action_refuses_a_payment_before_the_submission(
    claimant, operator, operator_client
):
    claim = record(claimant, "JKK", date(2025, 3, 10), user=operator)
    services.advance_claim(
        claim, Claim.Status.VERIFIED, acting_user=operator, channel=Channel.ADMIN
    )
    response = operator_client.post(
        admin_url(Claim, "changelist"),
        {
            "action": "mark_paid",
            "_selected_action": [str(claim.pk)],
            "apply": "1",
            "paid_date": "2025-03-12",
        },
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert any("Klaim tidak dapat dibayar sebelum diajukan." in message for message in shown)
    claim.refresh_from_db()
    assert (claim.status, claim.paid_date) == (Claim.Status.VERIFIED, None)


def test_the_admins_employment_page_warns_of_a_later_start_and_saves_it_confirmed(
    hired, enrolled, operator, operator_client
):
    employment = hired.employments.get(end_date=None)
    url = admin_url(Employment, "change", employment.pk)
    data = {
        "start_date": "2025-04-01",
        "monthly_wage": str(employment.monthly_wage),
        "seen_version": str(employment.version),  # as the page showed it
    }
    response = operator_client.post(url, data)
    assert all_messages(form_errors(response))[0] == (
        "Kepesertaan dimulai pada 01/03/2025, sebelum hubungan kerja dengan PT Angin Mamiri dimulai "
        "(01/04/2025)."
    )
    employment.refresh_from_db()
    assert employment.start_date == date(2025, 3, 1)
    assert operator_client.post(url, {**data, "confirm_date_warnings": "on"}).status_code == 302
    employment.refresh_from_db()
    assert employment.start_date == date(2025, 4, 1)
    membership = Membership.objects.get()
    assert membership.confirmed_warnings[0]["confirmed_by"] == operator.username
    page = operator_client.get(admin_url(Membership, "change", membership.pk)).content.decode()
    assert f"dikonfirmasi oleh {operator.username} pada " in page


def test_an_employment_file_moving_a_start_after_its_memberships_needs_the_confirmation(
    hired, enrolled, employer_a, administrator
):
    employment = hired.employments.get(end_date=None)
    headers = ["id", "worker", "employer", "start_date", "monthly_wage", CONFIRM_COLUMN]
    cells = [employment.pk, hired.nik, employer_a.npp, "2025-04-01", employment.monthly_wage]
    before = tables()
    result = import_file(EmploymentResource, headers, [*cells, ""], user=administrator)
    assert row_errors(result)[0].startswith("Kepesertaan dimulai pada 01/03/2025, sebelum")
    assert tables() == before
    result = import_file(
        EmploymentResource, headers, [*cells, BEFORE_EMPLOYMENT], user=administrator
    )
    assert not result.has_errors() and not result.has_validation_errors()
    employment.refresh_from_db()
    assert employment.start_date == date(2025, 4, 1)
    confirmation = Membership.objects.get().confirmed_warnings[0]
    assert (confirmation["code"], confirmation["confirmed_by"]) == (
        BEFORE_EMPLOYMENT,
        administrator.username,
    )


# --- the admin's per-model import ------------------------------------------------------------------------------

MEMBERSHIP_COLUMNS = ["worker", "program", "segment", "funding_scheme", "employer", "start_date"]


def membership_row(worker, employer, start: str, confirm: str = "") -> list:
    return [worker.nik, "JKK", "FORMAL", "EMPLOYER", employer.npp, start, "4000000", confirm]


def test_a_membership_file_row_before_the_employment_is_an_error_unless_confirmed(
    hired, employer_a, administrator
):
    headers = [*MEMBERSHIP_COLUMNS, "wage", CONFIRM_COLUMN]
    before = tables()
    result = import_file(
        MembershipResource,
        headers,
        membership_row(hired, employer_a, "2025-02-01"),
        user=administrator,
    )
    assert row_errors(result)[0].startswith("Kepesertaan dimulai pada 01/02/2025, sebelum")
    assert tables() == before

    result = import_file(
        MembershipResource,
        headers,
        membership_row(hired, employer_a, "2025-02-01", confirm=BEFORE_EMPLOYMENT),
        user=administrator,
    )
    assert not result.has_errors() and not result.has_validation_errors()
    membership = Membership.objects.get()
    assert membership.confirmed_warnings[0]["confirmed_by"] == administrator.username
    assert membership.history.get().history_channel == Channel.IMPORT


@pytest.mark.parametrize(
    ("confirm", "message"),
    [
        (
            "membership_after_employment",
            "“membership_after_employment” bukan peringatan yang dapat",
        ),
        ("", "Kepesertaan dimulai pada 01/01/2025, setelah hubungan kerja"),
    ],
)
def test_a_membership_file_row_after_the_employment_is_refused(
    employer_a, administrator, confirm, message
):
    worker = factories.make_worker()
    dismissed_at_end_of_2024(worker, employer_a)
    result = import_file(
        MembershipResource,
        [*MEMBERSHIP_COLUMNS, "wage", CONFIRM_COLUMN],
        membership_row(worker, employer_a, "2025-01-01", confirm=confirm),
        user=administrator,
    )
    assert any(error.startswith(message) for error in row_errors(result))
    assert not Membership.objects.exists()


CLAIM_COLUMNS = list(ClaimResource._meta.fields)  # the confirmation column last


def claim_row(worker, benefit, incident, submitted, paid="", segment="", employer="", confirm=""):
    status = "PAID" if paid else ""
    dates = [incident, submitted, paid]
    return ["KLM-IMP-1", worker.nik, benefit, segment, employer, *dates, "1000", status, confirm]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (("JKM", "2025-07-01", "2025-07-02"), "Tanggal kejadian 01/07/2025 berada di luar"),
        (("JKK", "2025-03-10", "2025-03-15", "2025-03-14"), "Klaim tidak dapat dibayar sebelum"),
        (("JKK", "2025-03-10", "2025-03-09"), "Klaim tidak dapat diajukan sebelum kejadiannya."),
        (
            ("JKK", "2025-03-10", "2025-03-15", "", "RENTAN"),
            "Segmen dan pemberi kerja klaim diambil dari kepesertaan pekerja",
        ),
    ],
    ids=["outside coverage", "paid before submitted", "submitted before incident", "other segment"],
)
def test_a_claim_file_row_with_contradicting_dates_is_an_error_and_nothing_is_written(
    claimant, administrator, cells, message
):
    before = tables()
    result = import_file(
        ClaimResource, CLAIM_COLUMNS, claim_row(claimant, *cells), user=administrator
    )
    assert any(error.startswith(message) for error in row_errors(result)), row_errors(result)
    assert tables() == before


def test_a_claim_file_row_outside_coverage_is_recorded_when_confirmed(
    claimant, employer_a, administrator
):
    row_ = claim_row(
        claimant,
        "JKM",
        "2025-07-01",
        "2025-07-02",
        segment="FORMAL",  # an export's cells: the same as the membership's
        employer=employer_a.npp,
        confirm=OUTSIDE_COVERAGE,
    )
    result = import_file(ClaimResource, CLAIM_COLUMNS, row_, user=administrator)
    assert not result.has_errors() and not result.has_validation_errors()
    claim = Claim.objects.get()
    assert (claim.segment.code, claim.employer, claim.confirmed_warnings[0]["code"]) == (
        "FORMAL",
        employer_a,
        OUTSIDE_COVERAGE,
    )
    exported = ClaimResource().export().dict[0]
    assert exported[CONFIRM_COLUMN] == OUTSIDE_COVERAGE


# --- the roster import and the portal --------------------------------------------------------------------------


def test_a_roster_file_that_starts_a_job_after_its_memberships_is_refused_for_that_row(
    hired, enrolled, employer_a, employer_a_user
):
    upload = csv_file(
        [
            row(
                hired.nik,
                hired.name,
                born=hired.birth_date.isoformat(),
                sex=hired.sex,
                phone=hired.phone,
                start="2025-04-01",
            )
        ]
    )
    batch = check(upload, employer_a, user=employer_a_user)
    assert codes(batch) == [(2, BEFORE_EMPLOYMENT)]
    assert hired.employments.get(end_date=None).start_date == date(2025, 3, 1)


@pytest.fixture
def portal(client, employer_a_user):
    client.force_login(employer_a_user)
    return client


def test_the_portal_refuses_a_membership_before_the_employment(hired, portal):
    response = portal.post(
        reverse("portal:worker_enrol", kwargs={"pk": hired.pk}),
        {"programs": [Program.objects.get(code="JKK").pk], "start_date": "2025-02-01"},
    )
    page = response.content.decode()
    assert "sebelum hubungan kerja dengan PT Angin Mamiri dimulai (01/03/2025)." in page
    assert "konfirmasi peringatannya" not in page  # an employer is not offered to confirm
    assert not Membership.objects.exists()


def test_the_portal_refuses_a_job_start_after_its_memberships(hired, enrolled, portal):
    edit = reverse("portal:worker_edit", kwargs={"pk": hired.pk})
    data = {
        f"worker-{name}": value
        for name, value in new_worker_form(
            name=hired.name, sex=hired.sex, birth_date=hired.birth_date.isoformat()
        ).items()
    }
    data.update({"job-start_date": "2025-04-01", "job-monthly_wage": "4000000"})
    job = hired.employments.get(end_date=None)
    data.update({"worker-seen_version": str(hired.version), "job-seen_version": str(job.version)})
    response = portal.post(edit, data)
    assert "sebelum hubungan kerja dengan PT Angin Mamiri dimulai (01/04/2025)." in (
        response.content.decode()
    )
    assert hired.employments.get(end_date=None).start_date == date(2025, 3, 1)


# --- rows already stored ---------------------------------------------------------------------------------------


def test_the_command_lists_stored_rows_that_contradict_and_leaves_them(hired, employer_a):
    """Rows written before the rules (here straight into the tables) are listed, not changed; a confirmed
    warning is not listed."""
    early = factories.make_membership(
        hired, "JKK", employer=employer_a, start_date=date(2025, 2, 1)
    )
    factories.make_membership(
        hired,
        "JKM",
        employer=employer_a,
        start_date=date(2025, 2, 1),
        confirmed_warnings=[
            {
                "code": BEFORE_EMPLOYMENT,
                "warning": "…",
                "confirmed_by": "operator_ozi",
                "confirmed_at": "2025-02-03T10:00:00+08:00",
            }
        ],
    )
    # JKK accident on 10-01-2025, before the JKK membership (1-2-2025): outside coverage, PP 44/2015 Pasal 25.
    outside = factories.make_claim(
        hired, "JKK", reference="KLM-OLD-1", incident_date=date(2025, 1, 10)
    )
    # JKK accident on 10-03-2025, covered by the FORMAL membership, but recorded under RENTAN.
    other_segment = factories.make_claim(
        hired,
        "JKK",
        reference="KLM-OLD-2",
        segment=Segment.objects.get(code="RENTAN"),
        incident_date=date(2025, 3, 10),
        submitted_date=date(2025, 3, 12),
    )
    before = tables()
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("find_date_contradictions", stdout=out)
    assert exit_status.value.code == 1
    report = out.getvalue().splitlines()
    assert report[-4:] == [
        "claim incident_outside_coverage: 1",
        "claim segment_not_from_membership: 1",
        "membership membership_before_employment: 1",
        "3 contradiction(s) found.",
    ]
    assert f"membership #{early.pk} membership_before_employment: " in out.getvalue()
    assert f"claim #{outside.pk} incident_outside_coverage: " in out.getvalue()
    assert f"claim #{other_segment.pk} segment_not_from_membership: " in out.getvalue()
    assert tables() == before
