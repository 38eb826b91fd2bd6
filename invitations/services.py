"""Invitations and employer teams: every change is one function here, with the acting user, in a transaction,
audited (the invitation's history through ``berjasa.audit``; a login's links in the admin log).

Who may do what is decided here, not in the views: Disnaker (the admin) invites employers, re-sends and
revokes; an employer's main contact invites colleagues to that employer only, revokes their invitations,
removes colleagues and hands the main contact over. Mails are queued in the same transaction
(``mailing.services.queue_mails``) and sent by the background worker after it commits.
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from berjasa.accounts import log_account_change
from berjasa.audit import Channel, audit_context
from berjasa.roles import Role, user_has_role
from enrollment.free_text import free_text
from enrollment.models import Employer, EmployerUser
from invitations.models import Invitation, new_nonce
from invitations.tokens import invitation_for_token
from mailing.models import OutgoingMail
from mailing.services import Draft, queue_mails, withdraw_mails

MAIL_KIND = {
    Invitation.Kind.FIRST_USER: "invitation",
    Invitation.Kind.COLLEAGUE: "colleague_invitation",
}


class InvitationRefused(ValidationError):
    """An invitation link that cannot be used: ``code`` is unknown, expired, accepted or revoked."""


@dataclass(frozen=True)
class InviteCounts:
    invited: int = 0
    without_email: int = 0
    with_login: int = 0
    already_invited: int = 0

    @property
    def skipped(self) -> int:
        return self.without_email + self.with_login + self.already_invited


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=settings.INVITATION_VALID_DAYS)


def _draft(invitation: Invitation) -> Draft:
    return Draft(
        kind=MAIL_KIND[invitation.kind],
        to=invitation.email,
        context={"invitation": invitation.pk},
        # one mail per sending: a second queueing of the same sending is skipped by the outbox
        dedupe_key=f"invitation-{invitation.pk}-{invitation.resent_count}",
        employer_id=invitation.employer_id,
    )


def _history_rows(invitations: list[Invitation], *, acting_user, history_type: str, channel: str):
    """The historical rows of invitations written in bulk (``save()`` writes its own)."""
    historical = Invitation.history.model
    now = timezone.now()
    fields = [field.attname for field in Invitation._meta.concrete_fields]
    return [
        historical(
            **{name: getattr(invitation, name) for name in fields},
            history_date=now,
            history_type=history_type,
            history_user_id=getattr(acting_user, "pk", None),
            history_channel=channel,
            history_employer_id=invitation.employer_id,
        )
        for invitation in invitations
    ]


def _attach_mails(invitations: list[Invitation]) -> None:
    """Each invitation's ``mail``: the outbox row of its sending, found by its once-only key in one UPDATE."""
    key = Concat(
        Value("invitation-"),
        Cast(OuterRef("pk"), CharField()),
        Value("-"),
        Cast(OuterRef("resent_count"), CharField()),
        output_field=CharField(),
    )
    for start in range(0, len(invitations), 5000):
        Invitation.objects.filter(
            pk__in=[invitation.pk for invitation in invitations[start : start + 5000]]
        ).update(mail=Subquery(OutgoingMail.objects.filter(dedupe_key=key).values("pk")[:1]))


@transaction.atomic
def invite_employers(queryset, *, acting_user: User, channel: str = Channel.ADMIN) -> InviteCounts:
    """Invite the first user of each employer of ``queryset`` at its contact address (the admin's action).

    Skipped: employers without a contact e-mail, with an active login linked, or with an invitation whose link
    still works. An invitation to the same address that expired is sent again (new link, new expiry); the others
    are created in bulk and their mails queued in one call. Sized for the whole register (6,190 employers).
    """
    employer_ids = queryset.order_by().values("pk")
    employers = list(Employer.objects.filter(pk__in=employer_ids).values_list("pk", "email"))
    with_login = set(
        EmployerUser.objects.filter(employer__in=employer_ids, user__is_active=True)
        .values_list("employer_id", flat=True)
        .distinct()
    )
    now = timezone.now()
    open_invitations: dict[tuple[int, str], Invitation] = {}
    employers_with_pending = set()
    for invitation in Invitation.objects.open().filter(employer__in=employer_ids):
        if invitation.expires_at > now:
            employers_with_pending.add(invitation.employer_id)
        else:
            open_invitations[invitation.employer_id, invitation.email.lower()] = invitation
    new, again = [], []
    counts = {"without_email": 0, "with_login": 0, "already_invited": 0}
    for employer_id, email in employers:
        email = email.strip()
        if not email:
            counts["without_email"] += 1
        elif employer_id in with_login:
            counts["with_login"] += 1
        elif employer_id in employers_with_pending:
            counts["already_invited"] += 1
        elif (employer_id, email.lower()) in open_invitations:
            again.append(open_invitations[employer_id, email.lower()])
        else:
            new.append(
                Invitation(
                    employer_id=employer_id,
                    email=email,
                    kind=Invitation.Kind.FIRST_USER,
                    invited_by=acting_user,
                    created_at=now,
                    expires_at=_expiry(now),
                )
            )
    created = Invitation.objects.bulk_create(new, batch_size=1000)
    for invitation in again:
        _renew(invitation, now)
    Invitation.objects.bulk_update(
        again, ["nonce", "expires_at", "resent_count", "last_resent_at"], batch_size=1000
    )
    _withdraw_mails(
        [invitation.mail_id for invitation in again if invitation.mail_id], acting_user=acting_user
    )
    invited = [*created, *again]
    queue_mails([_draft(invitation) for invitation in invited], acting_user=acting_user)
    _attach_mails(invited)
    Invitation.history.model.objects.bulk_create(
        _history_rows(created, acting_user=acting_user, history_type="+", channel=channel)
        + _history_rows(again, acting_user=acting_user, history_type="~", channel=channel),
        batch_size=1000,
    )
    return InviteCounts(invited=len(invited), **counts)


def _renew(invitation: Invitation, now: datetime) -> None:
    invitation.nonce = new_nonce()
    invitation.expires_at = _expiry(now)
    invitation.resent_count += 1
    invitation.last_resent_at = now


def _withdraw_mails(mail_ids: list[int], *, acting_user=None) -> None:
    """Unsent mails of an invitation revoked or re-sent: withdrawn by the outbox (their link would not work)."""
    if mail_ids:
        withdraw_mails(mail_ids, acting_user=acting_user)


def _locked(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("employer").get(pk=invitation.pk)


def _send(invitation: Invitation, *, acting_user) -> None:
    (mail,) = queue_mails([_draft(invitation)], acting_user=acting_user)
    Invitation.objects.filter(pk=invitation.pk).update(mail=mail)
    invitation.mail = mail


def resend_invitation(
    invitation: Invitation, *, acting_user: User, channel: str = Channel.ADMIN, employer=None
) -> Invitation:
    """A new link (the old one stops working), a new expiry and a new mail; for a pending or expired one.

    ``employer``: the portal's employer, whose main contact re-sends; None for Disnaker.
    """
    with transaction.atomic():
        invitation = _locked(invitation)
        _check_portal_actor(invitation.employer, acting_user, employer)
        if invitation.status not in (Invitation.Status.PENDING, Invitation.Status.EXPIRED):
            raise ValidationError(
                _("An invitation that was %(status)s is not sent again.")
                % {"status": invitation.get_status_display().lower()},
                code="not_open",
            )
        _withdraw_mails([invitation.mail_id] if invitation.mail_id else [], acting_user=acting_user)
        _renew(invitation, timezone.now())
        with audit_context(user=acting_user, channel=channel, employer=invitation.employer):
            invitation.save()
            _send(invitation, acting_user=acting_user)
    return invitation


def revoke_invitation(
    invitation: Invitation, *, acting_user: User, channel: str = Channel.ADMIN, employer=None
) -> Invitation:
    """Its link stops working and its unsent mail is withdrawn; an accepted or revoked one is refused."""
    with transaction.atomic():
        invitation = _locked(invitation)
        _check_portal_actor(invitation.employer, acting_user, employer)
        if invitation.accepted_at or invitation.revoked_at:
            raise ValidationError(
                _("An invitation that was %(status)s cannot be revoked.")
                % {"status": invitation.get_status_display().lower()},
                code="not_open",
            )
        invitation.revoked_at = timezone.now()
        invitation.revoked_by = acting_user
        with audit_context(user=acting_user, channel=channel, employer=invitation.employer):
            invitation.save()
        _withdraw_mails([invitation.mail_id] if invitation.mail_id else [], acting_user=acting_user)
    return invitation


def _check_portal_actor(target: Employer, acting_user: User, employer: Employer | None) -> None:
    """On the portal (``employer`` given) only the main contact of that same employer acts on its team."""
    if employer is None:
        return
    if target.pk != employer.pk or not is_main_contact(acting_user, employer):
        raise PermissionDenied


def is_main_contact(user: User, employer: Employer) -> bool:
    return EmployerUser.objects.filter(
        user=user, employer=employer, is_main_contact=True, user__is_active=True
    ).exists()


def normalize_email(value: str) -> str:
    value = (value or "").strip()
    validate_email(value)
    return value


@transaction.atomic
def invite_colleague(employer: Employer, email: str, *, acting_user: User) -> Invitation:
    """The main contact of ``employer`` invites a colleague to it (a COLLEAGUE invitation, by e-mail)."""
    Employer.objects.select_for_update().filter(
        pk=employer.pk
    ).first()  # one invitation per address
    if not is_main_contact(acting_user, employer):
        raise PermissionDenied
    email = normalize_email(email)
    if EmployerUser.objects.filter(
        employer=employer, user__is_active=True, user__email__iexact=email
    ).exists():
        raise ValidationError(
            _("A login of this employer already has this address."), code="member"
        )
    existing = (
        Invitation.objects.open()
        .annotate(lower_email=Lower("email"))
        .filter(employer=employer, lower_email=email.lower())
        .first()
    )
    if existing is not None:
        if existing.status == Invitation.Status.PENDING:
            raise ValidationError(
                _(
                    "This address has an invitation that is still valid. Revoke it first to invite again."
                ),
                code="invited",
            )
        return resend_invitation(
            existing, acting_user=acting_user, channel=Channel.PORTAL, employer=employer
        )
    with audit_context(user=acting_user, channel=Channel.PORTAL, employer=employer):
        invitation = Invitation.objects.create(
            employer=employer,
            email=email,
            kind=Invitation.Kind.COLLEAGUE,
            invited_by=acting_user,
        )
        _send(invitation, acting_user=acting_user)
    return invitation


# --- Accepting ------------------------------------------------------------------------------------------

EMPLOYER_ROLE = Role.EMPLOYER


def check_token(token_or_invitation) -> Invitation:
    """The invitation whose link may be used now; ``InvitationRefused`` (code: unknown, expired, accepted,
    revoked) otherwise."""
    if isinstance(token_or_invitation, Invitation):
        invitation = token_or_invitation
    else:
        invitation = invitation_for_token(token_or_invitation)
    if invitation is None:
        raise InvitationRefused(_("This invitation link is not valid."), code="unknown")
    status = invitation.status
    if status != Invitation.Status.PENDING:
        raise InvitationRefused(str(Invitation.Status(status).label), code=status.lower())
    return invitation


def clean_full_name(value: str) -> str:
    """A person's name as typed: control characters refused (``free_text``), and the invisible format
    characters (right-to-left overrides, zero-width spaces) that make a name read other than it is."""
    value = unicodedata.normalize("NFC", free_text(value or ""))
    for character in value:
        if unicodedata.category(character) in ("Cf", "Co", "Cs", "Cn"):
            raise ValidationError(
                _(
                    "The name contains an invisible character (%(code)s), usually copied from another "
                    "program. Type it again by hand."
                ),
                code="format_character",
                params={"code": f"U+{ord(character):04X}"},
            )
    if not value:
        raise ValidationError(_("Enter your full name."), code="required")
    return value


@transaction.atomic
def accept_invitation(
    token_or_invitation,
    *,
    full_name: str = "",
    username: str = "",
    password: str = "",
    existing_user: User | None = None,
) -> User:
    """Make the invited person a login of the invitation's employer and mark the invitation accepted.

    A new login (``username``, ``password`` checked by Django's validators, ``full_name``) gets the employer
    role; or ``existing_user``, signed in and holding the invitation's address, is linked to one more employer.
    The first user of a FIRST_USER invitation becomes the main contact when the employer has none. The
    invitation row is locked first: a second submit finds it accepted and creates nobody.
    """
    invitation = check_token(token_or_invitation)
    invitation = _locked(invitation)
    invitation = check_token(invitation)  # again, under the lock
    employer = invitation.employer
    if existing_user is not None:
        user = User.objects.select_for_update().get(pk=existing_user.pk)
        if user.email.lower() != invitation.email.lower() or not user.is_active:
            raise PermissionDenied
        if not user_has_role(user, EMPLOYER_ROLE):
            raise ValidationError(
                _("This login is not an employer's login; ask Disnaker for help."),
                code="not_employer",
            )
    else:
        user = _new_login(invitation, full_name=full_name, username=username, password=password)
    with audit_context(user=user, channel=Channel.PORTAL, employer=employer):
        has_contact = EmployerUser.objects.filter(employer=employer, is_main_contact=True).exists()
        link, created = EmployerUser.objects.get_or_create(
            user=user,
            employer=employer,
            defaults={
                "is_main_contact": invitation.kind == Invitation.Kind.FIRST_USER and not has_contact
            },
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save()
    log_account_change(
        acting_user=user,
        user=user,
        message=_("Linked to %(employer)s by accepting an invitation.") % {"employer": employer},
        action=CHANGE if existing_user else ADDITION,
    )
    return user


USERNAME_TAKEN = _lazy("This username is taken. Choose another.")


def _new_login(invitation: Invitation, *, full_name: str, username: str, password: str) -> User:
    full_name = clean_full_name(full_name)
    username = User.normalize_username((username or "").strip())
    errors = {}
    if not username:
        errors["username"] = [_("Choose a username.")]
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as error:
            errors["username"] = error.messages
    user = User.objects.select_for_update().filter(username__iexact=username).first()
    if user is not None and (user.is_active or user.email.lower() != invitation.email.lower()):
        # A removed colleague invited again keeps their login (it was deactivated, not deleted).
        errors["username"] = [ValidationError(USERNAME_TAKEN, code="taken")]
    candidate = user or User(username=username, email=invitation.email, first_name=full_name)
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    if user is None:
        user = User(username=username)
    user.email = invitation.email
    user.first_name = full_name[:150]
    user.last_name = ""
    user.is_active = True
    user.is_staff = False
    user.is_superuser = False
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError(
            {"username": [ValidationError(USERNAME_TAKEN, code="taken")]}
        ) from None
    user.groups.set([Group.objects.get(name=EMPLOYER_ROLE.value)])
    return user


# --- The team -------------------------------------------------------------------------------------------


def team_links(employer: Employer):
    """The employer's logins (its links), main contact first."""
    return (
        EmployerUser.objects.filter(employer=employer, user__is_active=True)
        .select_related("user")
        .order_by("-is_main_contact", "user__first_name", "user__username")
    )


@transaction.atomic
def remove_colleague(employer: Employer, member: User, *, acting_user: User) -> None:
    """The main contact removes ``member``'s link to ``employer`` (never their own). A login left without any
    employer is deactivated: its sessions stop working at their next request."""
    Employer.objects.select_for_update().filter(pk=employer.pk).first()
    if not is_main_contact(acting_user, employer):
        raise PermissionDenied
    if member.pk == acting_user.pk:
        raise ValidationError(
            _("You cannot remove yourself. Make a colleague the main contact first."),
            code="self",
        )
    link = EmployerUser.objects.filter(employer=employer, user=member).first()
    if link is None:
        raise PermissionDenied
    link.delete()
    message = _("Removed from %(employer)s by %(user)s.") % {
        "employer": employer,
        "user": acting_user.get_username(),
    }
    if not EmployerUser.objects.filter(user=member).exists():
        User.objects.filter(pk=member.pk).update(is_active=False)
        message += " " + _("No employer left: the login was deactivated.")
    log_account_change(acting_user=acting_user, user=member, message=message)


@transaction.atomic
def transfer_main_contact(employer: Employer, member: User, *, acting_user: User) -> None:
    """The main contact hands the role to ``member``, a colleague of the same employer; they stay a member.

    An administrator may do it too (the admin's action on employer users): a main contact who has left cannot.
    """
    Employer.objects.select_for_update().filter(pk=employer.pk).first()
    if not (
        is_main_contact(acting_user, employer) or user_has_role(acting_user, Role.ADMINISTRATOR)
    ):
        raise PermissionDenied
    link = EmployerUser.objects.filter(employer=employer, user=member, user__is_active=True).first()
    if link is None:
        raise PermissionDenied
    if link.is_main_contact:
        return
    EmployerUser.objects.filter(employer=employer, is_main_contact=True).update(
        is_main_contact=False
    )
    EmployerUser.objects.filter(pk=link.pk).update(is_main_contact=True)
    log_account_change(
        acting_user=acting_user,
        user=member,
        message=_("Made main contact of %(employer)s by %(user)s.")
        % {"employer": employer, "user": acting_user.get_username()},
    )


def open_invitations(employer: Employer):
    return (
        Invitation.objects.open()
        .filter(employer=employer)
        .select_related("invited_by", "mail")
        .order_by("-created_at")
    )
