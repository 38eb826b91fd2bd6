"""Admin actions change data through the services: the same rules and history as the portal."""

from datetime import date

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from enrollment.models import Claim
from tests import factories

pytestmark = pytest.mark.usefixtures("reference_data")


def run_action(client, model: str, action: str, pks, **extra):
    url = reverse(f"admin:enrollment_{model}_changelist")
    return client.post(
        url, {"action": action, helpers.ACTION_CHECKBOX_NAME: pks, **extra}, follow=True
    )


def test_ending_employments_in_the_admin_asks_for_the_date_then_ends_their_memberships(
    client, operator, employer_a
):
    worker = factories.make_worker()
    employment = factories.make_employment(worker, employer_a)
    membership = factories.make_membership(worker, "JKK", employer=employer_a)
    client.force_login(operator)
    question = run_action(client, "employment", "terminate_employments", [employment.pk])
    assert "Hari terakhir bekerja" in question.content.decode()
    employment.refresh_from_db()
    assert employment.end_date is None

    run_action(
        client,
        "employment",
        "terminate_employments",
        [employment.pk],
        apply="1",
        end_date="2025-08-31",
        reason="RETIRED",
    )
    employment.refresh_from_db()
    membership.refresh_from_db()
    assert (employment.end_date, employment.termination_reason, membership.end_date) == (
        date(2025, 8, 31),
        "RETIRED",
        date(2025, 8, 31),
    )
    change = employment.history.latest()
    assert (change.history_user, change.history_channel) == (operator, "ADMIN")


def test_a_refused_termination_is_reported_and_changes_nothing(client, operator, employer_a):
    worker = factories.make_worker()
    employment = factories.make_employment(worker, employer_a, start_date=date(2025, 5, 1))
    client.force_login(operator)
    page = run_action(
        client,
        "employment",
        "terminate_employments",
        [employment.pk],
        apply="1",
        end_date="2025-04-30",
        reason="RESIGNED",
    ).content.decode()
    assert "Tanggal berakhir tidak boleh sebelum tanggal mulai." in page
    employment.refresh_from_db()
    assert employment.end_date is None


def test_claims_move_forward_through_admin_actions_only_in_order(client, operator):
    worker = factories.make_worker()
    claim = factories.make_claim(worker)
    client.force_login(operator)
    page = run_action(
        client, "claim", "mark_paid", [claim.pk], apply="1", paid_date="2025-02-01"
    ).content.decode()
    assert "tidak dapat menjadi Dibayar" in page
    run_action(client, "claim", "mark_verified", [claim.pk])
    run_action(client, "claim", "mark_paid", [claim.pk], apply="1", paid_date="2025-02-01")
    claim.refresh_from_db()
    assert (claim.status, claim.paid_date) == (Claim.Status.PAID, date(2025, 2, 1))
    assert claim.history.latest().history_user == operator


def test_ending_memberships_in_the_admin_ends_only_the_selected_ones_with_history(
    client, operator, employer_a
):
    worker = factories.make_worker()
    jkk = factories.make_membership(worker, "JKK", employer=employer_a)
    jkm = factories.make_membership(worker, "JKM", employer=employer_a)
    client.force_login(operator)
    question = run_action(client, "membership", "end_memberships", [jkk.pk])
    assert "Hari terakhir perlindungan" in question.content.decode()
    jkk.refresh_from_db()
    assert jkk.end_date is None

    page = run_action(
        client, "membership", "end_memberships", [jkk.pk], apply="1", end_date="2025-08-31"
    ).content.decode()
    assert "1 kepesertaan diakhiri." in page
    jkk.refresh_from_db()
    jkm.refresh_from_db()
    assert (jkk.end_date, jkm.end_date) == (date(2025, 8, 31), None)
    change = jkk.history.latest()
    assert (change.history_user, change.history_channel, change.end_date) == (
        operator,
        "ADMIN",
        date(2025, 8, 31),
    )


def test_a_refused_end_of_membership_is_reported_and_changes_nothing(client, operator):
    worker = factories.make_worker()
    ended = factories.make_membership(worker, "JKK", end_date=date(2024, 12, 31))
    early = factories.make_membership(worker, "JKM", start_date=date(2025, 5, 1))
    client.force_login(operator)
    page = run_action(
        client,
        "membership",
        "end_memberships",
        [ended.pk, early.pk],
        apply="1",
        end_date="2025-04-30",
    ).content.decode()
    assert "Kepesertaan ini sudah berakhir." in page
    assert "Tanggal berakhir tidak boleh sebelum tanggal mulai." in page
    assert "diakhiri" not in page
    assert dict(worker.memberships.values_list("program__code", "end_date")) == {
        "JKK": date(2024, 12, 31),
        "JKM": None,
    }
