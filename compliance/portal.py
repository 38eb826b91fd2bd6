"""The employer's monthly roster confirmation in the portal (``/portal/lapor-bulanan/``).

The page shows the current month's figures with one confirm button, and the 12 months before it with their
state; a past month not confirmed can still be confirmed (late). Scoped to ``request.employer``
(``portal_view``); the service refuses a user not linked to the employer as well. A GET changes nothing.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from berjasa.audit import Channel
from compliance.months import first_of, month_end, month_label, months_back, parse_month
from compliance.services import (
    AlreadyConfirmed,
    confirm_month,
    employer_history,
    is_late,
    month_summary,
)
from enrollment.portal.context import portal_view

HISTORY_MONTHS = 12


@portal_view
@require_http_methods(["GET", "POST"])
def monthly(request):
    today = timezone.localdate()
    current = first_of(today)
    if request.method == "POST":
        return _confirm(request, current)
    months = months_back(current, HISTORY_MONTHS + 1)
    history = employer_history(request.employer, months)
    rows = []
    for month in reversed(months[:-1]):
        standing, reopened = _standing_and_reopened(history[month])
        rows.append(
            {
                "month": month,
                "label": month_label(month),
                "key": f"{month:%Y-%m}",
                "standing": standing,
                "reopened": reopened,
                "late": standing is not None and is_late(standing),
            }
        )
    standing, reopened = _standing_and_reopened(history[current])
    return render(
        request,
        "compliance/portal_monthly.html",
        {
            "current": current,
            "current_label": month_label(current),
            "current_key": f"{current:%Y-%m}",
            "month_end": month_end(current),
            "summary": month_summary(request.employer, current),
            "standing": standing,
            "current_reopened": reopened,
            "rows": rows,
        },
    )


def _standing_and_reopened(confirmations):
    """A month's standing confirmation (or None) and its reopened ones."""
    standing = next((c for c in confirmations if c.reopened_at is None), None)
    return standing, [c for c in confirmations if c.reopened_at is not None]


def _confirm(request, current):
    try:
        month = parse_month(request.POST.get("month", ""))
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("portal:monthly")
    if month < months_back(current, HISTORY_MONTHS + 1)[0]:
        messages.error(
            request,
            _("Months before %(month)s are confirmed with Disnaker.")
            % {"month": month_label(months_back(current, HISTORY_MONTHS + 1)[0])},
        )
        return redirect("portal:monthly")
    try:
        confirm_month(request.employer, month, acting_user=request.user, channel=Channel.PORTAL)
    except AlreadyConfirmed as error:
        messages.info(request, error.messages[0])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Thank you: the roster of %(month)s is confirmed.") % {"month": month_label(month)},
        )
    return redirect("portal:monthly")
