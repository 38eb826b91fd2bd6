"""The roster as the portal shows it: open employments of one employer, with their coverage today."""

from datetime import date, timedelta

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Sum

from enrollment.models import Employer, Employment, Membership
from enrollment.roster_file import active_memberships

ENDING_SOON_DAYS = 30


def _active_in(program_code: str, employer: Employer, on: date) -> Exists:
    return Exists(
        Membership.objects.filter(
            worker=OuterRef("worker"),
            employer=employer,
            program__code=program_code,
            start_date__lte=on,
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    )


def with_coverage(
    employments: QuerySet[Employment], employer: Employer, on: date
) -> QuerySet[Employment]:
    """Annotate ``covered``: an active JKK and an active JKM membership through this employer on ``on``."""
    return employments.annotate(
        has_jkk=_active_in("JKK", employer, on), has_jkm=_active_in("JKM", employer, on)
    ).annotate(covered=Q(has_jkk=True, has_jkm=True))


def roster_summary(employments: QuerySet[Employment], employer: Employer, on: date) -> dict:
    """Coverage at a glance for the portal's home page."""
    roster = with_coverage(employments.filter(end_date__isnull=True), employer, on)
    on_roster = roster.count()
    covered = roster.filter(covered=True).count()
    ending_soon = (
        active_memberships(employer.pk, on)
        .filter(end_date__isnull=False, end_date__lte=on + timedelta(days=ENDING_SOON_DAYS))
        .values("worker")
        .distinct()
        .count()
    )
    last_update = employments.aggregate(last=Max(F("updated_at")))["last"]
    return {
        "on_roster": on_roster,
        "covered": covered,
        "not_covered": on_roster - covered,
        "ending_soon": ending_soon,
        "ending_soon_days": ENDING_SOON_DAYS,
        "last_update": last_update,
    }


def monthly_bill(employer: Employer, on: date) -> dict:
    """What the employer's active memberships cost a month on ``on``: its own shares (the bill), the workers'
    shares it deducts from wages, and the government's (JKP), which neither pays; one query."""
    totals = (
        active_memberships(employer.pk, on)
        .order_by()
        .aggregate(
            employer=Sum("employer_share"),
            worker=Sum("worker_share"),
            government=Sum("government_share"),
        )
    )
    return {name: value or 0 for name, value in totals.items()}
