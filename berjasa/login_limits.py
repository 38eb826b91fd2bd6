"""Login limits on top of django-axes: per account across addresses, per address across accounts.

django-axes counts failed logins in ``AccessAttempt`` rows (one per user name, address and browser) and compares
the largest count of its lock-out parameters with one ``AXES_FAILURE_LIMIT``. We count the account's failures
(from any address) against ``LOGIN_FAILURE_LIMIT`` and the address's failures (at any account: password
spraying) against the higher ``LOGIN_ADDRESS_FAILURE_LIMIT``. With ``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``
off, attempts refused during a lock are not recorded, so a lock ends ``LOGIN_LOCKOUT_MINUTES`` after the failure
that set it, however many guesses follow.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginLimitsHandler(AxesDatabaseHandler):
    """``AXES_LOCKOUT_PARAMETERS`` is ``["username", "ip_address"]``: the account's rows, then the address's."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The failures axes compares with ``AXES_FAILURE_LIMIT`` (the account limit): the account's, or the
        limit itself once the address has reached its own limit."""
        account, address = self.get_user_attempts(request, credentials)
        if _failures(address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(_failures(account), settings.AXES_FAILURE_LIMIT)
        return _failures(account)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful login, forget the account's failures only.

        axes would also forget every failure from the address, so one valid account would reset a password
        sprayer's count, and a colleague's login behind the office proxy would wipe the guesses at others.
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
