"""Confirming a month's roster and reopening a confirmation: the only writers of ``RosterConfirmation``.

The acting user is a keyword; each write is one transaction with its audit row (the model's history, stamped by
``berjasa.audit``). An upload or an edit of the roster never confirms a month: only ``confirm_month`` does.
"""

from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from berjasa.audit import Channel, audit_context
from berjasa.formatting import date_time
from berjasa.roles import STAFF_ROLES, user_has_any_role
from compliance.models import RosterConfirmation
from compliance.months import first_of, local_bounds, month_end, month_label
from enrollment.models import Employer, EmployerUser, Employment

# A month's confirmation is on time up to this day of the following month (the time an employer needs to take in
# the month's last changes); later it is marked "late" on its page. It counts in the rate all the same.
DUE_DAY = 10


def due_date(month: date) -> date:
    """The last day on which ``month``'s confirmation is on time: the ``DUE_DAY``th of the month after."""
    return month_end(month) + timedelta(days=DUE_DAY)


def is_late(confirmation: RosterConfirmation) -> bool:
    return timezone.localdate(confirmation.confirmed_at) > due_date(confirmation.month)


def on_roster_at(day: date) -> Q:
    """An employment on the roster at the end of ``day``: started on or before it, not ended before it."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def month_summary(employer: Employer, month: date) -> dict:
    """The figures the employer reviews before confirming ``month``: workers on the roster at the month's end,
    hires (employments starting in the month), exits (ending in it) and wage changes (employments whose wage a
    change recorded in the month moved)."""
    month = first_of(month)
    last = month_end(month)
    employments = Employment.objects.filter(employer=employer)
    start, end = local_bounds(month)
    history = Employment.history.model.objects
    earlier_wage = (
        history.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        .order_by("-history_date", "-history_id")
        .values("monthly_wage")[:1]
    )
    wage_changes = (
        history.filter(
            id__in=employments.values("pk"),
            history_type="~",
            history_date__gte=start,
            history_date__lt=end,
        )
        .annotate(earlier=Subquery(earlier_wage))
        .exclude(earlier=F("monthly_wage"))
        .filter(earlier__isnull=False)
        .values("id")
        .distinct()
        .count()
    )
    return {
        "month": f"{month:%Y-%m}",
        "as_of": last.isoformat(),
        "workers": employments.filter(on_roster_at(last)).count(),
        "hires": employments.filter(start_date__gte=month, start_date__lte=last).count(),
        "exits": employments.filter(end_date__gte=month, end_date__lte=last).count(),
        "wage_changes": wage_changes,
    }


def standing_confirmation(employer: Employer, month: date) -> RosterConfirmation | None:
    return (
        RosterConfirmation.objects.filter(
            employer=employer, month=first_of(month), reopened_at=None
        )
        .select_related("confirmed_by")
        .first()
    )


class AlreadyConfirmed(ValidationError):
    """The month has a standing confirmation: a second submit changes nothing."""


def _already_confirmed(confirmation: RosterConfirmation) -> AlreadyConfirmed:
    who = confirmation.confirmed_by.get_username() if confirmation.confirmed_by else _("Disnaker")
    return AlreadyConfirmed(
        _("The roster of %(month)s is already confirmed (by %(who)s on %(when)s).")
        % {
            "month": month_label(confirmation.month),
            "who": who,
            "when": date_time(confirmation.confirmed_at),
        },
        code="already_confirmed",
    )


def confirm_month(
    employer: Employer,
    month: date,
    *,
    acting_user: User,
    channel: str = Channel.PORTAL,
    today: date | None = None,
) -> RosterConfirmation:
    """Record that ``acting_user`` confirmed ``employer``'s roster as current at the end of ``month``.

    Refused (ValidationError, nothing written): a month that has not begun, a user not linked to the employer,
    a month already confirmed (``AlreadyConfirmed``). A past month not confirmed in time may still be confirmed.
    """
    month = first_of(month)
    today = today or timezone.localdate()
    if month > first_of(today):
        raise ValidationError(
            _("%(month)s has not begun: a month is confirmed from its first day on.")
            % {"month": month_label(month)},
            code="future_month",
        )
    if not (
        acting_user.is_active
        and EmployerUser.objects.filter(user=acting_user, employer=employer).exists()
    ):
        raise ValidationError(
            _("Only a user of %(employer)s may confirm its roster.") % {"employer": employer.name},
            code="not_linked",
        )
    with transaction.atomic(), audit_context(user=acting_user, channel=channel, employer=employer):
        # Two submits at once wait for each other here; the second finds the first's confirmation.
        Employer.objects.select_for_update().filter(pk=employer.pk).exists()
        existing = standing_confirmation(employer, month)
        if existing is not None:
            raise _already_confirmed(existing)
        try:
            with transaction.atomic():
                return RosterConfirmation.objects.create(
                    employer=employer,
                    month=month,
                    confirmed_by=acting_user,
                    confirmed_at=timezone.now(),
                    summary=month_summary(employer, month),
                    channel=channel,
                )
        except IntegrityError:  # the partial unique constraint: confirmed in between
            raise _already_confirmed(standing_confirmation(employer, month)) from None


def reopen_confirmation(
    confirmation: RosterConfirmation,
    *,
    reason: str,
    acting_user: User,
    channel: str = Channel.ADMIN,
) -> RosterConfirmation:
    """Disnaker (administrators, operators) reopens a confirmed month, with a reason; the employer may then
    confirm it again. Refused: another role, no reason, a confirmation already reopened."""
    if not user_has_any_role(acting_user, STAFF_ROLES):
        raise ValidationError(
            _("Only Disnaker's staff may reopen a confirmed month."), code="not_disnaker"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for reopening the month."), code="no_reason")
    with (
        transaction.atomic(),
        audit_context(user=acting_user, channel=channel, employer=confirmation.employer_id),
    ):
        locked = RosterConfirmation.objects.select_for_update().get(pk=confirmation.pk)
        if locked.reopened_at is not None:
            raise ValidationError(
                _("This confirmation was already reopened on %(when)s.")
                % {"when": date_time(locked.reopened_at)},
                code="already_reopened",
            )
        locked.reopened_at = timezone.now()
        locked.reopened_by = acting_user
        locked.reopen_reason = reason
        locked.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    confirmation.refresh_from_db()
    return confirmation


def employer_history(
    employer: Employer, months: list[date]
) -> dict[date, list[RosterConfirmation]]:
    """Each of ``months`` with its confirmations, the standing one first, then the reopened, latest first."""
    rows = (
        RosterConfirmation.objects.filter(employer=employer, month__in=months)
        .select_related("confirmed_by", "reopened_by")
        .order_by("month", F("reopened_at").desc(nulls_first=True), "-confirmed_at")
    )
    history: dict[date, list[RosterConfirmation]] = {month: [] for month in months}
    for row in rows:
        history[row.month].append(row)
    return history


def not_confirmed(month: date) -> Q:
    """Employers without a standing confirmation of ``month`` (for querysets of employers)."""
    return ~Q(
        Exists(
            RosterConfirmation.objects.filter(
                employer=OuterRef("pk"), month=first_of(month), reopened_at=None
            )
        )
    )
