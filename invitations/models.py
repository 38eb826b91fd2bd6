"""Invitations to the portal: Disnaker invites an employer's first user, a main contact invites a colleague.

The activation link is never stored: it is an HMAC of the invitation's id and ``nonce`` under ``SECRET_KEY``
(``invitations.tokens``), rendered into the mail only when the outbox sends it. A re-send draws a new nonce, so
every older link stops working. Writes go through ``invitations.services``.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from berjasa.audit import AuditTrail


def new_nonce() -> str:
    return secrets.token_hex(16)


def new_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor revoked (expired ones included: a re-send opens them again)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self):
        """Open and not expired: its link works."""
        return self.open().filter(expires_at__gt=Now())

    def with_status_filter(self, status: str):
        if status == Invitation.Status.REVOKED:
            return self.filter(revoked_at__isnull=False)
        if status == Invitation.Status.ACCEPTED:
            return self.filter(accepted_at__isnull=False, revoked_at__isnull=True)
        if status == Invitation.Status.EXPIRED:
            return self.open().filter(expires_at__lte=Now())
        if status == Invitation.Status.PENDING:
            return self.pending()
        return self.none()


class Invitation(models.Model):
    """An e-mailed invitation to become a login of an employer."""

    class Kind(models.TextChoices):
        FIRST_USER = "FIRST_USER", _("First user (from Disnaker)")
        COLLEAGUE = "COLLEAGUE", _("Colleague (from the main contact)")

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        ACCEPTED = "ACCEPTED", _("Accepted")
        EXPIRED = "EXPIRED", _("Expired")
        REVOKED = "REVOKED", _("Revoked")

    employer = models.ForeignKey(
        "enrollment.Employer",
        verbose_name=_("employer"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("e-mail"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), default=new_expiry)
    # Part of the link's HMAC: a new one on each re-send makes every older link invalid.
    nonce = models.CharField(_("nonce"), max_length=32, default=new_nonce, editable=False)
    mail = models.ForeignKey(
        "mailing.OutgoingMail",
        verbose_name=_("latest e-mail"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resent_count = models.PositiveSmallIntegerField(_("times re-sent"), default=0)
    last_resent_at = models.DateTimeField(_("last re-sent at"), null=True, blank=True)

    history = AuditTrail(indexed=("employer",))
    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "employer",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_address",
                violation_error_message=_(
                    "This address has an open invitation for this employer already."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["employer", "created_at"], name="invitation_employer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.employer}"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)
