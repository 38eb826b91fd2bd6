"""The monthly reminder to confirm the roster: the mail kind ``roster_reminder`` and who receives it.

Sent by ``send_roster_reminders`` (daily, from cron) within ``ROSTER_REMINDER_DAYS_BEFORE`` days of the month's
end, to the active users (with an e-mail) of each employer with a worker on its roster today that has not
confirmed the month; once per month, user and employer (the outbox's ``dedupe_key``).
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from compliance.months import first_of, month_end, month_label
from compliance.services import not_confirmed, on_roster_at
from enrollment.models import Employer, EmployerUser, Employment
from mailing import kinds
from mailing.services import Draft, queue_mails

KIND = "roster_reminder"
kinds.register(KIND, _("Reminder to confirm the monthly roster"))


def dedupe_key(month: date, employer_id: int, user_id: int) -> str:
    return f"roster-reminder:{month:%Y-%m}:{employer_id}:{user_id}"


@dataclass(frozen=True)
class ReminderRun:
    queued: int
    skipped: int  # already reminded this month


def reminder_links(month: date, today: date):
    """(employer, user) links to remind: employers with a worker on the roster today (or at the month's end,
    for a past month) that have no standing confirmation of ``month``; active users with an e-mail."""
    day = min(today, month_end(month))
    employers = Employer.objects.filter(
        Exists(Employment.objects.filter(employer=OuterRef("pk")).filter(on_roster_at(day)))
    ).filter(not_confirmed(month))
    return (
        EmployerUser.objects.filter(user__is_active=True, employer__in=employers)
        .exclude(user__email="")
        .select_related("employer", "user")
        .order_by("employer_id", "user_id")
    )


def drafts_for(month: date, today: date) -> list[Draft]:
    month = first_of(month)
    with override("id"):
        label = month_label(month)  # the mails are in Indonesian (the portal's language)
    drafts = []
    for link in reminder_links(month, today):
        drafts.append(
            Draft(
                kind=KIND,
                to=link.user.email,
                context={
                    "employer_name": link.employer.name,
                    "employer_npp": link.employer.npp,
                    "month": f"{month:%Y-%m}",
                    "month_label": label,
                    "username": link.user.get_username(),
                },
                dedupe_key=dedupe_key(month, link.employer_id, link.user_id),
                employer_id=link.employer_id,
                language="id",
            )
        )
    return drafts


def send_reminders(month: date, today: date, *, acting_user: User | None = None) -> ReminderRun:
    drafts = drafts_for(month, today)
    queued = queue_mails(drafts, acting_user=acting_user)
    return ReminderRun(queued=len(queued), skipped=len(drafts) - len(queued))
