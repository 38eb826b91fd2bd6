"""The invitation mails: the outbox renders them when it sends them, and only then builds the activation link.

The stored context holds the invitation's id only. ``invitation_context`` reads the invitation at sending time:
a revoked, accepted or expired invitation, or a mail that an invitation's re-send replaced, is ``Withdrawn``.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from berjasa.formatting import clock, long_date
from mailing import kinds
from mailing.kinds import Withdrawn


def activation_url(invitation) -> str:
    from invitations.tokens import make_token

    path = reverse("invitation_accept", kwargs={"token": make_token(invitation)})
    return settings.SITE_URL.rstrip("/") + path


def invitation_context(mail, *, with_link: bool = True) -> dict:
    """What the templates need besides the stored context; the link only when ``with_link`` (sending)."""
    from invitations.models import Invitation

    invitation = (
        Invitation.objects.select_related("employer", "invited_by")
        .filter(pk=(mail.context or {}).get("invitation"))
        .first()
    )
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        raise Withdrawn
    if mail.pk is not None and invitation.mail_id not in (None, mail.pk):
        raise Withdrawn  # re-sent since: this mail's link would not work
    inviter = invitation.invited_by
    language = getattr(mail, "language", None) or settings.LANGUAGE_CODE
    moment = timezone.localtime(invitation.expires_at)
    with translation.override(language):
        expires_on, expires_at = long_date(moment.date()), clock(moment)
    return {
        "employer_name": invitation.employer.name,
        "npp": invitation.employer.npp,
        "invited_by": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
        "expires_on": expires_on,
        "expires_at": expires_at,
        "valid_days": settings.INVITATION_VALID_DAYS,
        "link": activation_url(invitation) if with_link else "",
    }


def extra_context(mail, *, preview: bool = False) -> dict:
    """For the outbox: at sending, the link; in the admin's preview of the mail (``preview``), no link is made
    (its reader could activate the account): the outbox's mask for secrets in its place."""
    values = invitation_context(mail, with_link=not preview)
    if preview:
        values["link"] = kinds.SECRET
    return values


# ``secret``: the outbox's preview masks the link whatever gives it.
kinds.register("invitation", _("Invitation to the portal"), extra_context, secret=("link",))
kinds.register(
    "colleague_invitation", _("Invitation from a colleague"), extra_context, secret=("link",)
)
