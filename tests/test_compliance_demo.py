"""The demo's history of monthly roster confirmations (``seed_demo``) and the demo employers' portal history
(``setup_demo``)."""

from datetime import date

import pytest
from django.contrib.auth.models import User

from compliance.demo import ensure_portal_history
from compliance.figures import compliance_figures, employers_on_roster
from compliance.models import RosterConfirmation
from enrollment.models import Employer, Employment
from tests import factories
from tests.test_seed_demo import seed_demo, seeded  # noqa: F401

pytestmark = pytest.mark.django_db

AUGUST = date(2025, 8, 1)


def test_the_demo_confirms_months_of_its_last_year_at_a_rising_rate(seeded):  # noqa: F811
    months = set(RosterConfirmation.objects.values_list("month", flat=True))
    assert min(months) == date(2024, 9, 1) and max(months) == AUGUST

    trend = compliance_figures(AUGUST).trend
    first, last = trend[0][1], trend[-1][1]
    assert first.rate < last.rate
    assert 30 <= first.rate <= 60 and 55 <= last.rate <= 85


def test_every_demo_confirmation_is_of_an_employer_with_workers_at_the_months_end(seeded):  # noqa: F811
    for month in (date(2024, 9, 1), AUGUST):
        confirmed = set(
            RosterConfirmation.objects.filter(month=month).values_list("employer", flat=True)
        )
        assert confirmed <= set(employers_on_roster(month).values_list("pk", flat=True))


def test_its_summary_counts_the_roster_at_the_months_end(seeded):  # noqa: F811
    confirmation = RosterConfirmation.objects.filter(month=AUGUST).order_by("pk").first()
    end = date(2025, 8, 31)
    workers = (
        Employment.objects.filter(employer=confirmation.employer, start_date__lte=end)
        .exclude(end_date__lt=end)
        .count()
    )
    assert confirmation.summary["workers"] == workers


def test_the_same_seed_gives_the_same_confirmations(seeded, tmp_path):  # noqa: F811
    def digest():
        return sorted(
            RosterConfirmation.objects.values_list(
                "employer__npp", "month", "confirmed_at", "reopened_at"
            )
        )

    first = digest()
    seed_demo(tmp_path, seed=7, replace=True)
    assert digest() != first
    seed_demo(tmp_path, seed=42, replace=True)
    assert digest() == first


def test_the_portal_history_has_a_reopened_month_and_leaves_the_current_one_open(
    employer_a, employer_a_user, administrator
):
    factories.make_employment(factories.make_worker(), employer_a, start_date=date(2020, 1, 1))
    today = date(2026, 12, 7)

    assert ensure_portal_history(employer_a, employer_a_user, administrator, today)
    assert not ensure_portal_history(employer_a, employer_a_user, administrator, today)  # once

    rows = RosterConfirmation.objects.filter(employer=employer_a)
    assert rows.count() == 11  # 12 months, one left unconfirmed
    reopened = rows.get(reopened_at__isnull=False)
    assert reopened.reopened_by == administrator and reopened.reopen_reason
    assert not rows.filter(month=date(2026, 12, 1)).exists()
    assert User.objects.filter(pk=employer_a_user.pk).exists()
    assert Employer.objects.count() == 1
