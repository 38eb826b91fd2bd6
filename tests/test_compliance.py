"""The monthly roster confirmation ("lapor bulanan"): who may confirm which month, reopening, the portal page,
and the reporting rate against a hand count."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from compliance.models import RosterConfirmation
from compliance.services import (
    AlreadyConfirmed,
    confirm_month,
    month_summary,
    reopen_confirmation,
)
from enrollment.services import update_employment
from tests import factories

pytestmark = pytest.mark.django_db

AUGUST = date(2025, 8, 1)
WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture
def worker_of_a(employer_a):
    worker = factories.make_worker(name="Andi Anwar")
    factories.make_employment(worker, employer_a, start_date=date(2025, 1, 6))
    return worker


# --- confirming -------------------------------------------------------------------------------------------


def test_an_employer_user_confirms_its_own_month(employer_a, employer_a_user, worker_of_a):
    confirmation = confirm_month(employer_a, AUGUST, acting_user=employer_a_user)

    assert confirmation.month == AUGUST
    assert confirmation.confirmed_by == employer_a_user
    assert confirmation.summary["workers"] == 1
    assert confirmation.history.count() == 1  # audited in the same transaction
    assert confirmation.history.first().history_user_id == employer_a_user.pk


def test_it_refuses_another_employers_month(employer_a, employer_b, employer_a_user):
    with pytest.raises(ValidationError) as refused:
        confirm_month(employer_b, AUGUST, acting_user=employer_a_user)

    assert refused.value.code == "not_linked"
    assert "CV Losari Jaya" in refused.value.messages[0]
    assert not RosterConfirmation.objects.exists()


def test_it_refuses_staff_who_are_not_linked(employer_a, administrator):
    with pytest.raises(ValidationError):
        confirm_month(employer_a, AUGUST, acting_user=administrator)
    assert not RosterConfirmation.objects.exists()


def test_it_refuses_a_second_confirmation_of_the_month(employer_a, employer_a_user):
    first = confirm_month(employer_a, AUGUST, acting_user=employer_a_user)

    with pytest.raises(AlreadyConfirmed) as refused:
        confirm_month(employer_a, date(2025, 8, 20), acting_user=employer_a_user)

    assert refused.value.code == "already_confirmed"
    assert "Agustus 2025 sudah dikonfirmasi" in refused.value.messages[0]
    assert list(RosterConfirmation.objects.all()) == [first]


def test_it_refuses_a_month_that_has_not_begun(employer_a, employer_a_user):
    with pytest.raises(ValidationError) as refused:
        confirm_month(
            employer_a, date(2025, 9, 1), acting_user=employer_a_user, today=date(2025, 8, 31)
        )

    assert refused.value.code == "future_month"
    assert not RosterConfirmation.objects.exists()


def test_it_accepts_the_current_month_and_a_late_past_month(employer_a, employer_a_user):
    confirm_month(
        employer_a, date(2025, 8, 1), acting_user=employer_a_user, today=date(2025, 8, 28)
    )
    confirm_month(
        employer_a, date(2025, 3, 1), acting_user=employer_a_user, today=date(2025, 8, 28)
    )

    assert RosterConfirmation.objects.count() == 2


def test_editing_the_roster_does_not_confirm_the_month(employer_a, employer_a_user, worker_of_a):
    employment = worker_of_a.employments.get()
    update_employment(
        employment,
        start_date=employment.start_date,
        monthly_wage=4_200_000,
        acting_user=employer_a_user,
        channel="PORTAL",
    )
    assert not RosterConfirmation.objects.exists()


def test_the_summary_counts_workers_hires_exits_and_wage_changes(employer_a, administrator):
    # On the roster at 31/08: kept (hired 2024) and hired (August). Exits: left (ended 10/08).
    kept = factories.make_employment(
        factories.make_worker(), employer_a, start_date=date(2024, 1, 1)
    )
    factories.make_employment(factories.make_worker(), employer_a, start_date=date(2025, 8, 4))
    factories.make_employment(
        factories.make_worker(),
        employer_a,
        start_date=date(2024, 5, 1),
        end_date=date(2025, 8, 10),
        termination_reason="RESIGNED",
    )
    summary = month_summary(employer_a, AUGUST)
    assert (summary["workers"], summary["hires"], summary["exits"]) == (2, 1, 1)
    assert summary["wage_changes"] == 0  # today's wage change is not in August

    update_employment(
        kept,
        start_date=kept.start_date,
        monthly_wage=4_500_000,
        acting_user=administrator,
        channel="ADMIN",
    )
    today = timezone.localdate().replace(day=1)
    assert month_summary(employer_a, today)["wage_changes"] == 1


# --- reopening --------------------------------------------------------------------------------------------


def test_disnaker_reopens_with_a_reason_and_the_employer_confirms_again(
    employer_a, employer_a_user, operator
):
    confirmation = confirm_month(employer_a, AUGUST, acting_user=employer_a_user)

    reopen_confirmation(
        confirmation, reason="Daftar belum memuat 3 pekerja baru", acting_user=operator
    )

    confirmation.refresh_from_db()
    assert confirmation.reopened_by == operator
    assert confirmation.reopen_reason == "Daftar belum memuat 3 pekerja baru"
    again = confirm_month(employer_a, AUGUST, acting_user=employer_a_user)
    assert again.pk != confirmation.pk
    assert RosterConfirmation.objects.filter(reopened_at=None).get() == again


@pytest.mark.parametrize("persona", ["employer_a_user", "manager"])
def test_only_disnaker_reopens(request, employer_a, employer_a_user, persona):
    confirmation = confirm_month(employer_a, AUGUST, acting_user=employer_a_user)

    with pytest.raises(ValidationError):
        reopen_confirmation(
            confirmation, reason="salah", acting_user=request.getfixturevalue(persona)
        )

    confirmation.refresh_from_db()
    assert confirmation.reopened_at is None


def test_reopening_needs_a_reason_and_happens_once(employer_a, employer_a_user, administrator):
    confirmation = confirm_month(employer_a, AUGUST, acting_user=employer_a_user)
    with pytest.raises(ValidationError):
        reopen_confirmation(confirmation, reason="  ", acting_user=administrator)
    reopen_confirmation(confirmation, reason="Koreksi upah", acting_user=administrator)

    with pytest.raises(ValidationError) as refused:
        reopen_confirmation(confirmation, reason="Lagi", acting_user=administrator)

    assert refused.value.code == "already_reopened"
    confirmation.refresh_from_db()
    assert confirmation.reopen_reason == "Koreksi upah"


# --- the portal page --------------------------------------------------------------------------------------


def test_the_page_shows_the_month_and_a_get_confirms_nothing(client, employer_a_user, worker_of_a):
    client.force_login(employer_a_user)

    response = client.get(reverse("portal:monthly"))

    assert response.status_code == 200
    assert "Monthly roster confirmation" in response.text or "Lapor" in response.text
    assert 'name="month"' in response.text
    assert not RosterConfirmation.objects.exists()


def test_the_confirm_button_confirms_the_employers_month(client, employer_a, employer_a_user):
    client.force_login(employer_a_user)
    month = timezone.localdate().replace(day=1)

    response = client.post(reverse("portal:monthly"), {"month": f"{month:%Y-%m}"}, follow=True)

    assert response.status_code == 200
    confirmation = RosterConfirmation.objects.get()
    assert (confirmation.employer, confirmation.month) == (employer_a, month)
    assert confirmation.channel == "PORTAL"
    # The history now says so; a second submit is told it is already confirmed and changes nothing.
    again = client.post(reverse("portal:monthly"), {"month": f"{month:%Y-%m}"}, follow=True)
    assert RosterConfirmation.objects.count() == 1
    assert any(
        "already confirmed" in str(m) or "sudah" in str(m) for m in again.context["messages"]
    )


def test_the_page_confirms_for_the_employer_of_the_session_only(
    client, employer_a, employer_b, employer_a_user, employer_b_user
):
    """A login linked to A cannot confirm B, whatever it posts; B's page shows none of A's history."""
    confirm_month(employer_a, AUGUST, acting_user=employer_a_user)
    client.force_login(employer_a_user)
    client.post(reverse("portal:monthly"), {"month": "2025-07", "employer": employer_b.pk})
    assert not RosterConfirmation.objects.filter(employer=employer_b).exists()

    client.force_login(employer_b_user)
    page = client.get(reverse("portal:monthly")).text
    assert employer_a_user.username not in page


def test_the_page_lists_a_reopened_month_with_its_reason(
    client, employer_a, employer_a_user, administrator
):
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    confirmation = confirm_month(employer_a, last_month, acting_user=employer_a_user)
    reopen_confirmation(
        confirmation, reason="Tiga pekerja keluar belum dicatat", acting_user=administrator
    )
    client.force_login(employer_a_user)

    page = client.get(reverse("portal:monthly")).text

    assert "Tiga pekerja keluar belum dicatat" in page


def test_a_month_outside_the_page_or_not_begun_is_refused_over_http(client, employer_a_user):
    client.force_login(employer_a_user)
    future = timezone.localdate().replace(day=28) + timedelta(days=10)
    client.post(reverse("portal:monthly"), {"month": f"{future:%Y-%m}"})
    client.post(reverse("portal:monthly"), {"month": "2019-01"})
    client.post(reverse("portal:monthly"), {"month": "bukan bulan"})
    assert not RosterConfirmation.objects.exists()


def test_a_confirmation_after_the_tenth_of_the_next_month_is_marked_late(
    employer_a, employer_a_user
):
    from compliance.services import is_late

    confirmation = confirm_month(employer_a, date(2025, 3, 1), acting_user=employer_a_user)
    assert is_late(confirmation)  # confirmed today, long after 10/04/2025
    confirmation.confirmed_at = datetime(2025, 4, 10, 23, 59, tzinfo=ZoneInfo("Asia/Makassar"))
    assert not is_late(confirmation)
    confirmation.confirmed_at = datetime(2025, 4, 11, 0, 1, tzinfo=ZoneInfo("Asia/Makassar"))
    assert is_late(confirmation)
