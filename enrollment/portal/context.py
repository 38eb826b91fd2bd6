"""The employer a portal request works on, chosen among those the login may manage."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from berjasa.access import role_required
from berjasa.audit import Channel, audit_context
from berjasa.roles import Role
from enrollment.models import Employer
from enrollment.visibility import employers_visible_to

SESSION_KEY = "portal_employer_id"
# Set when the login chose among several employers: the portal then offers to switch.
SEVERAL_KEY = "portal_manages_several"


def current_employer(request: HttpRequest) -> Employer | None:
    """The employer chosen in this session; the only one, if the login manages just one; else None."""
    employers = employers_visible_to(request.user)
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        employer = employers.filter(pk=chosen).first()
        if employer is not None:
            return employer
    first_two = list(employers.order_by("name")[:2])
    return first_two[0] if len(first_two) == 1 else None


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For employer logins only; sets ``request.employer`` and attributes every change to it."""

    @role_required(Role.EMPLOYER)
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        employer = current_employer(request)
        if employer is None:
            return redirect("portal:choose_employer")
        request.employer = employer
        with audit_context(user=request.user, channel=Channel.PORTAL, employer=employer):
            return view(request, *args, **kwargs)

    return wrapped
