"""Change requests in the portal: what the requester sees of its own, and the page where another employer of the
person confirms or rejects a requested identity change (``enrollment.services.personal`` decides who may)."""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from berjasa.audit import Channel
from berjasa.formatting import short_date
from enrollment import services
from enrollment.models import IDENTITY_FIELDS, PersonalDataChangeRequest, Worker
from enrollment.portal.context import portal_view
from enrollment.visibility import NOT_SHOWN, change_requests_made_by, change_requests_to_confirm
from programs.models import Kelurahan


@dataclass(frozen=True)
class RequestLine:
    field: str
    old: str
    new: str


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if name == "kelurahan":
        found = Kelurahan.objects.filter(pk=value).first()
        return found.name if found else str(value)
    if name == "has_disability":
        return _("yes") if value else _("no")
    if name == "sex":
        return str(dict(Worker.Sex.choices).get(value, value))
    if name == "birth_date":
        return short_date(date.fromisoformat(value))  # the request stores it as JSON
    return str(value)


def request_lines(change_request: PersonalDataChangeRequest, visible) -> list[RequestLine]:
    """Each requested field, old → new; the recorded value of a field the viewer may not read is not shown."""
    return [
        RequestLine(
            capfirst(Worker._meta.get_field(name).verbose_name),
            _shown(name, old) if name in visible else NOT_SHOWN,
            _shown(name, new),
        )
        for name, (old, new) in change_request.changes.items()
    ]


def awaiting_message(change_request: PersonalDataChangeRequest) -> str:
    if change_request.identity_only:
        return _(
            "This person is also registered with another employer or with the city: your change awaits "
            "confirmation by Disnaker or by another employer of the person. Nothing was changed yet."
        )
    return _(
        "This person is also registered with another employer or with the city: your change awaits "
        "confirmation by Disnaker. Nothing was changed yet."
    )


@portal_view
@require_GET
def change_requests(request):
    pending = change_requests_to_confirm(request.user, request.employer).select_related("worker")
    rows = [(item, request_lines(item, IDENTITY_FIELDS)) for item in pending[:100]]
    return render(request, "portal/change_requests.html", {"rows": rows})


@portal_view
@require_POST
def change_request_decide(request, pk: int):
    change_request = get_object_or_404(
        change_requests_to_confirm(request.user, request.employer), pk=pk
    )
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_change_request(
            change_request,
            approve=approve,
            acting_user=request.user,
            channel=Channel.PORTAL,
            employer=request.employer,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The change was confirmed and applied.")
            if approve
            else _("The change was rejected."),
        )
    return redirect("portal:change_requests")


@portal_view
@require_POST
def change_request_withdraw(request, pk: int):
    change_request = get_object_or_404(
        change_requests_made_by(request.user, request.employer), pk=pk
    )
    try:
        services.withdraw_change_request(
            change_request,
            acting_user=request.user,
            channel=Channel.PORTAL,
            employer=request.employer,
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.info(request, _("Your change request was withdrawn."))
    return redirect("portal:worker", pk=change_request.worker_id)
