"""The demo's invitations, so ``make run`` shows every state: employer A's team (its main contact, a colleague,
an open colleague invitation) and first-user invitations pending, expired, revoked, accepted and bounced.
Written through the services; safe to re-run (an employer that has an invitation is left as it is)."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from enrollment.models import Employer
from invitations import services
from invitations.models import Invitation
from mailing.models import OutgoingMail

# The state each of the employers after the two demo employers (A and B, the largest) is left in, in order of
# roster size.
STATES = ("pending", "pending", "pending", "expired", "revoked", "accepted", "bounced")
ACCEPTED_LOGIN = ("pemberi_kerja_c", "undangan-diterima-2025")


@transaction.atomic
def ensure_invitation_demo(employer_a: Employer, *, main_contact: User, clerk: User) -> list[str]:
    """Returns lines to print (the accepted invitation's login)."""
    colleague_address = "calon.rekan@" + (employer_a.email.partition("@")[2] or "contoh.test")
    if not Invitation.objects.filter(employer=employer_a, email=colleague_address).exists():
        services.invite_colleague(employer_a, colleague_address, acting_user=main_contact)

    candidates = list(
        Employer.objects.annotate(roster=Count("employments"))
        .filter(roster__gt=0)
        .order_by("-roster", "npp")[2 : 2 + len(STATES)]
    )
    lines: list[str] = []
    for employer, state in zip(candidates, STATES, strict=False):
        if Invitation.objects.filter(employer=employer).exists():
            continue
        services.invite_employers(Employer.objects.filter(pk=employer.pk), acting_user=clerk)
        invitation = Invitation.objects.filter(employer=employer).first()
        if invitation is None:  # no contact address, or a login already
            continue
        if state in ("expired", "accepted"):  # delivered before it expired or was used
            OutgoingMail.objects.filter(pk=invitation.mail_id).update(
                status=OutgoingMail.Status.SENT,
                attempts=1,
                sent_at=invitation.created_at,
                next_attempt_at=None,
            )
        if state == "expired":
            Invitation.objects.filter(pk=invitation.pk).update(
                created_at=timezone.now() - timedelta(days=20),
                expires_at=timezone.now() - timedelta(days=6),
            )
        elif state == "revoked":
            services.revoke_invitation(invitation, acting_user=clerk)
        elif state == "accepted" and not User.objects.filter(username=ACCEPTED_LOGIN[0]).exists():
            services.accept_invitation(
                invitation,
                full_name="Nurul Hidayah",
                username=ACCEPTED_LOGIN[0],
                password=ACCEPTED_LOGIN[1],
            )
        elif state == "bounced":
            OutgoingMail.objects.filter(pk=invitation.mail_id).update(
                status=OutgoingMail.Status.BOUNCED,
                attempts=1,
                last_error=f"550 5.1.1 <{invitation.email}>: Recipient address rejected",
                next_attempt_at=None,
            )
    accepted = Invitation.objects.filter(accepted_user__username=ACCEPTED_LOGIN[0]).first()
    if accepted is not None:
        lines.append(f"{ACCEPTED_LOGIN[0]:<17} {ACCEPTED_LOGIN[1]}  ({accepted.employer.name})")
    return lines
