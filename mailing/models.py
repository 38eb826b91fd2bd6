"""The outbox: every e-mail the portal sends is a row here first, queued in the transaction that caused it.

The background worker delivers due rows in batches (``mailing.delivery``); a row is rendered when it is sent, from
its kind's templates and its context (ids and plain values, never a secret), so an activation link exists only in
the message itself.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutgoingMail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "QUEUED", _("Queued")
        SENT = "SENT", _("Sent")
        RETRYING = "RETRYING", _("Waiting to retry")
        FAILED = "FAILED", _("Failed")  # gave up after MAIL_MAX_ATTEMPTS
        BOUNCED = "BOUNCED", _("Bounced")  # the mail server refused the address for good
        WITHDRAWN = "WITHDRAWN", _("Withdrawn")  # no longer to be sent (a revoked invitation)

    kind = models.CharField(_("kind"), max_length=40)
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=8, default="id")
    context = models.JSONField(_("context"), default=dict, blank=True)
    dedupe_key = models.CharField(
        _("once-only key"),
        max_length=120,
        null=True,
        blank=True,
        unique=True,
        help_text=_("A second mail with the same key is not queued (a reminder once per period)."),
    )
    employer = models.ForeignKey(
        "enrollment.Employer",
        verbose_name=_("employer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("queued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        # Staff queue a failed or bounced mail again ("Send again"); nobody adds, changes or deletes one.
        permissions = [("retry_outgoingmail", _("Can send an outgoing e-mail again"))]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="mail_due_idx",
                condition=Q(status__in=["QUEUED", "RETRYING"]),
            ),
            models.Index(fields=["kind", "status"], name="mail_kind_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"

    def get_kind_display(self) -> str:
        from mailing.kinds import kind_label

        return kind_label(self.kind)

    @property
    def message_id(self) -> str:
        """The Message-ID every attempt of this mail carries, so a receiver can tell a repeat."""
        return f"<outbox-{self.pk}@{settings.MAIL_MESSAGE_ID_DOMAIN}>"
