"""The employer's team in the portal: its logins and open invitations, the main contact's actions (invite a
colleague, revoke an invitation, remove a colleague, hand over the main contact), and the roster's activity.

Every lookup is scoped to ``request.employer`` (another employer's login or invitation is a 404, as is an
action of a user who is not the main contact); every change is a POST through ``invitations.services``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField, Value
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from enrollment.models import IDENTITY_FIELDS, PERSONAL_FIELDS, Employment, Membership, Worker
from enrollment.portal.context import portal_view
from enrollment.portal.history import HIDDEN_FIELDS, Names, _change
from enrollment.visibility import contact_visible_to, workers_visible_to
from invitations import services
from invitations.forms import ColleagueInvitationForm
from invitations.models import Invitation
from programs.models import Program

ACTIVITY_PAGE_SIZE = 50
HISTORIES = {"worker": Worker, "employment": Employment, "membership": Membership}


def _team_page(request, form=None):
    links = list(services.team_links(request.employer))
    with_factor = set(
        TOTPDevice.objects.filter(
            user__in=[link.user_id for link in links], confirmed=True
        ).values_list("user_id", flat=True)
    )
    for link in links:
        link.has_factor = link.user_id in with_factor
    is_main = any(link.is_main_contact and link.user_id == request.user.pk for link in links)
    context = {
        "links": links,
        "invitations": list(services.open_invitations(request.employer)) if is_main else [],
        "is_main_contact": is_main,
        "form": form or ColleagueInvitationForm(),
    }
    return render(request, "portal/team.html", context)


@portal_view
@require_GET
def team(request):
    return _team_page(request)


def _main_contact_only(request) -> None:
    """The team's actions are the main contact's; for anyone else they do not exist (404)."""
    if not services.is_main_contact(request.user, request.employer):
        raise Http404


@portal_view
@require_POST
def team_invite(request):
    _main_contact_only(request)
    form = ColleagueInvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invite_colleague(
                request.employer, form.cleaned_data["email"], acting_user=request.user
            )
        except ValidationError as error:
            form.add_error("email", error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s. The link is valid for %(days)d days.")
                % {"email": invitation.email, "days": settings.INVITATION_VALID_DAYS},
            )
            return redirect("portal:team")
    return _team_page(request, form)


@portal_view
@require_POST
def team_invitation_revoke(request, pk: int):
    _main_contact_only(request)
    invitation = get_object_or_404(Invitation.objects.filter(employer=request.employer), pk=pk)
    try:
        services.revoke_invitation(
            invitation, acting_user=request.user, channel="PORTAL", employer=request.employer
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.info(
            request,
            _("The invitation to %(email)s was revoked; its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("portal:team")


def _member(request, pk: int) -> User:
    link = get_object_or_404(services.team_links(request.employer), user_id=pk)
    return link.user


@portal_view
@require_POST
def team_remove(request, pk: int):
    _main_contact_only(request)
    member = _member(request, pk)
    try:
        services.remove_colleague(request.employer, member, acting_user=request.user)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.info(
            request,
            _("%(name)s no longer works on %(employer)s in the portal.")
            % {
                "name": member.get_full_name() or member.get_username(),
                "employer": request.employer.name,
            },
        )
    return redirect("portal:team")


@portal_view
@require_POST
def team_make_main_contact(request, pk: int):
    _main_contact_only(request)
    member = _member(request, pk)
    try:
        services.transfer_main_contact(request.employer, member, acting_user=request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(
        request,
        _("%(name)s is now the main contact. You stay a member of the team.")
        % {"name": member.get_full_name() or member.get_username()},
    )
    return redirect("portal:team")


# --- Activity -------------------------------------------------------------------------------------------


def _stamped(model, employer_id: int, user_id: int | None):
    rows = model.history.filter(history_employer_id=employer_id)
    if user_id is not None:
        rows = rows.filter(history_user_id=user_id)
    return (
        rows.order_by()
        .values_list("history_date", "history_id")
        .annotate(model=Value(model._meta.model_name, output_field=CharField()))
    )


@portal_view
@require_GET
def team_activity(request):
    """Who of the team changed what on the roster: the history rows written for this employer, newest first
    (workers, employments, memberships), filterable by user, fifty a page."""
    links = list(services.team_links(request.employer))
    members = {link.user_id: link.user for link in links}
    chosen = request.GET.get("user", "")
    user_id = int(chosen) if chosen.isdigit() else None
    first, *rest = (_stamped(model, request.employer.pk, user_id) for model in HISTORIES.values())
    rows = first.union(*rest, all=True).order_by("-history_date", "-history_id")
    page = Paginator(rows, ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = _entries(request, list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/team_activity.html",
        {
            "page": page,
            "entries": entries,
            "members": sorted(
                members.values(), key=lambda u: (u.get_full_name() or u.username).lower()
            ),
            "chosen": user_id,
            "query": query.urlencode(),
        },
    )


def _entries(request, keys: list[tuple]) -> list[dict]:
    """The page's history rows in words: each compared with its record's row before (one query per model)."""
    wanted: dict[str, list[int]] = {}
    for _when, history_id, model_name in keys:
        wanted.setdefault(model_name, []).append(history_id)
    found = {}
    previous_of = {}
    for model_name, history_ids in wanted.items():
        model = HISTORIES[model_name]
        page_rows = list(
            model.history.filter(history_id__in=history_ids).select_related("history_user")
        )
        record_ids = {row.id for row in page_rows}
        latest = max(row.history_date for row in page_rows)
        before = {}
        for row in (
            model.history.filter(id__in=record_ids, history_date__lte=latest)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        ):
            previous_of[model_name, row.history_id] = before.get(row.id)
            before[row.id] = row
        for row in page_rows:
            found[model_name, row.history_id] = row
    worker_ids = {
        row.id if name == "worker" else row.worker_id for (name, _h), row in found.items()
    }
    # the people of this employer's own employments only: a person it no longer has (every job of theirs here
    # deleted) is neither named nor linked, and their fields' values are not shown
    workers = workers_visible_to(request.user, request.employer).in_bulk(worker_ids)
    shows_contact = contact_visible_to(request.user, request.employer)
    names = Names()
    program_codes = dict(Program.objects.values_list("pk", "code"))
    entries = []
    for _when, history_id, model_name in keys:
        row = found[model_name, history_id]
        worker = workers.get(row.id if model_name == "worker" else row.worker_id)
        if worker is None:
            visible = ()
        elif shows_contact(worker.keeper_id):
            visible = PERSONAL_FIELDS
        else:
            visible = IDENTITY_FIELDS
        change = _change(
            row,
            previous_of.get((model_name, history_id)),
            names,
            program_codes,
            visible,
            HIDDEN_FIELDS,
        )
        entries.append(
            {"change": change, "worker": worker, "channel": row.get_history_channel_display()}
        )
    return entries
