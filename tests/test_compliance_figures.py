"""The reporting rate against a hand count, the command's JSON contract, and the reminders."""

import json
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from compliance.figures import Filters, compliance_figures, non_confirmed_employers
from compliance.models import RosterConfirmation
from compliance.reminders import KIND
from compliance.services import confirm_month, reopen_confirmation
from enrollment.models import Employer
from mailing.models import OutgoingMail
from mailing.rendering import render
from programs.models import Kelurahan
from tests import factories

pytestmark = pytest.mark.django_db

AUGUST, JULY = date(2025, 8, 1), date(2025, 7, 1)


@pytest.fixture
def city(reference_data, administrator):
    """Seven employers, one clerk linked to all (a login may manage several employers).

    | employer | workers (start–end)                   | kecamatan | size  | confirmed          |
    |----------|---------------------------------------|-----------|-------|--------------------|
    | E1       | 1 (2024-01-01–)                        | 73.71.01  | SMALL | August             |
    | E2       | 1 (2024-01-01–2025-08-15)              | 73.71.01  | SMALL | August             |
    | E3       | 1 (2025-09-01–)                        | 73.71.01  | SMALL | —                  |
    | E4       | 2 (2024-01-01–, 2025-02-01–)           | 73.71.01  | LARGE | —                  |
    | E5       | 1 (2024-01-01–)                        | 73.71.01  | SMALL | August, reopened   |
    | E6       | 1 (2024-01-01–2025-08-31)              | 73.71.01  | SMALL | August             |
    | E7       | 1 (2024-01-01–)                        | 73.71.02  | SMALL | July only          |
    """
    first = Kelurahan.objects.filter(kecamatan__code="73.71.01").order_by("code").first()
    second = Kelurahan.objects.filter(kecamatan__code="73.71.02").order_by("code").first()
    clerk = User.objects.create_user("clerk_fajar", email="fajar@contoh.test")
    employers = {}
    for name, kelurahan, size in [
        ("E1", first, "SMALL"),
        ("E2", first, "SMALL"),
        ("E3", first, "SMALL"),
        ("E4", first, "LARGE"),
        ("E5", first, "SMALL"),
        ("E6", first, "SMALL"),
        ("E7", second, "SMALL"),
    ]:
        employers[name] = factories.make_employer(name=f"PT {name}", kelurahan=kelurahan, size=size)
        factories.link_employer_user(clerk, employers[name])

    def job(name, start, end=None):
        factories.make_employment(
            factories.make_worker(),
            employers[name],
            start_date=start,
            end_date=end,
            termination_reason="RESIGNED" if end else "",
        )

    job("E1", date(2024, 1, 1))
    job("E2", date(2024, 1, 1), date(2025, 8, 15))
    job("E3", date(2025, 9, 1))
    job("E4", date(2024, 1, 1))
    job("E4", date(2025, 2, 1))
    job("E5", date(2024, 1, 1))
    job("E6", date(2024, 1, 1), date(2025, 8, 31))
    job("E7", date(2024, 1, 1))
    for name in ("E1", "E2", "E5", "E6"):
        confirm_month(employers[name], AUGUST, acting_user=clerk)
    confirm_month(employers["E7"], JULY, acting_user=clerk)
    reopen_confirmation(
        RosterConfirmation.objects.get(employer=employers["E5"]),
        reason="Pekerja keluar belum dicatat",
        acting_user=administrator,
    )
    return employers


def test_the_rate_of_august_matches_the_hand_count(city):
    # On the roster at 31/08/2025: E1, E4 (two workers, counted once), E5, E6 (its job ends that very day),
    # E7 → 5. Not: E2 (left 15/08), E3 (starts in September).
    # Standing confirmations of August among them: E1, E6 → 2 (E2's does not count, E5's was reopened).
    figures = compliance_figures(AUGUST)

    assert (figures.total.employers, figures.total.confirmed) == (5, 2)
    assert str(figures.total.rate) == "40.00"
    # 73.71.01: E1, E4, E5, E6 (2 confirmed); 73.71.02: E7 (its July confirmation is not August's).
    assert [
        (line.key, line.tally.employers, line.tally.confirmed) for line in figures.by_kecamatan
    ] == [
        ("73.71.01", 4, 2),
        ("73.71.02", 1, 0),
    ]
    # SMALL: E1, E5, E6, E7 (2 confirmed); LARGE: E4.
    assert [(line.key, line.tally.employers, line.tally.confirmed) for line in figures.by_size] == [
        ("SMALL", 4, 2),
        ("LARGE", 1, 0),
    ]


def test_the_trend_counts_july_by_its_own_month_end(city):
    # On the roster at 31/07/2025: E1, E2, E4, E5, E6, E7 → 6 (E3 not yet); confirmed July: E7 → 1.
    trend = dict(compliance_figures(AUGUST).trend)

    assert (trend[JULY].employers, trend[JULY].confirmed) == (6, 1)
    assert (trend[AUGUST].employers, trend[AUGUST].confirmed) == (5, 2)
    assert len(trend) == 12


def test_filters_narrow_the_count(city):
    # LARGE alone: E4, not confirmed. Kecamatan 73.71.02 alone: E7, not confirmed.
    large = compliance_figures(AUGUST, Filters(size="LARGE"))
    second = city["E7"].kelurahan.kecamatan_id
    assert (large.total.employers, large.total.confirmed) == (1, 0)
    assert compliance_figures(AUGUST, Filters(kecamatan=second)).total.employers == 1


def test_the_non_confirmed_list_holds_the_denominator_without_a_standing_confirmation(city):
    listed = list(non_confirmed_employers(AUGUST))

    assert [employer.name for employer in listed] == ["PT E4", "PT E5", "PT E7"]
    e7 = listed[2]
    assert e7.last_month == JULY  # its last confirmation
    assert e7.employment_update is not None


def test_the_commands_json_keeps_its_contract(city):
    out = StringIO()
    call_command("compliance_report", month="2025-08", format="json", stdout=out)

    data = json.loads(out.getvalue())
    assert data["month"] == "2025-08"
    assert (data["employers"], data["confirmed"]) == (5, 2)
    assert data["rate"] == 40.0 and isinstance(data["rate"], float)
    assert data["by_kecamatan"] == [
        {"kecamatan": "73.71.01", "employers": 4, "confirmed": 2, "rate": 50.0},
        {"kecamatan": "73.71.02", "employers": 1, "confirmed": 0, "rate": 0.0},
    ]


def test_the_commands_table_says_the_rate(city):
    out = StringIO()
    call_command("compliance_report", month="2025-08", stdout=out)
    assert "2 dari 5" in out.getvalue() and "40,00%" in out.getvalue()


def test_an_empty_month_has_a_rate_of_zero(reference_data):
    out = StringIO()
    call_command("compliance_report", month="2025-08", format="json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["employers"], data["confirmed"], data["rate"], data["by_kecamatan"]) == (
        0,
        0,
        0.0,
        [],
    )


# --- reminders -------------------------------------------------------------------------------------------


def test_reminders_go_once_per_month_to_employers_that_did_not_confirm(city):
    # August: not confirmed and on the roster: E4, E5, E7 (the clerk's e-mail, one link each); E1 and E6
    # confirmed; E2 and E3 have nobody on the roster at the month's end.
    out = StringIO()
    call_command("send_roster_reminders", month="2025-08", stdout=out)
    assert "queued 3, skipped 0" in out.getvalue()
    keys = set(OutgoingMail.objects.filter(kind=KIND).values_list("dedupe_key", flat=True))
    assert keys == {
        f"roster-reminder:2025-08:{city[name].pk}:{User.objects.get(username='clerk_fajar').pk}"
        for name in ("E4", "E5", "E7")
    }

    again = StringIO()
    call_command("send_roster_reminders", month="2025-08", stdout=again)
    assert "queued 0, skipped 3" in again.getvalue()
    assert OutgoingMail.objects.filter(kind=KIND).count() == 3


def test_a_dry_run_queues_nothing(city):
    out = StringIO()
    call_command("send_roster_reminders", month="2025-08", dry_run=True, stdout=out)
    assert "would queue 3" in out.getvalue()
    assert not OutgoingMail.objects.exists()


def test_without_a_month_it_waits_for_the_last_days(city, settings, monkeypatch):
    from django.utils import timezone

    settings.ROSTER_REMINDER_DAYS_BEFORE = 5
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2025, 8, 20))
    out = StringIO()
    call_command("send_roster_reminders", stdout=out)
    assert "Nothing queued" in out.getvalue()
    assert not OutgoingMail.objects.exists()

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2025, 8, 28))
    call_command("send_roster_reminders", stdout=StringIO())
    assert OutgoingMail.objects.filter(kind=KIND).count() == 3


def test_the_reminder_reads_in_indonesian_with_the_link(city):
    call_command("send_roster_reminders", month="2025-08", stdout=StringIO())
    mail = render(OutgoingMail.objects.filter(employer=city["E4"]).get())

    assert mail.subject == "Pengingat lapor bulanan Agustus 2025: PT E4"
    assert "/portal/lapor-bulanan/" in mail.body


def test_users_without_an_email_or_inactive_get_none(city):
    User.objects.filter(username="clerk_fajar").update(is_active=False)
    call_command("send_roster_reminders", month="2025-08", stdout=StringIO())
    assert not OutgoingMail.objects.exists()
    assert Employer.objects.count() == 7
