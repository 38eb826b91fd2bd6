"""Who read whose personal data (UU 27/2022): one row per person's page viewed and per download or export."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from berjasa.audit import Channel
from berjasa.formatting import date_time


class AccessRecord(models.Model):
    """One read of personal data: a person's page (``worker``) or a list (``scope``, ``employer``, ``rows``).

    Written once, never changed; read by administrators only (``privacy.admin``). References are kept without
    database constraints: the log is a record of the past, it neither blocks nor follows a deletion, and its
    INSERT checks no other table.
    """

    class Kind(models.TextChoices):
        PERSON = "PERSON", _("Person's page")
        DOWNLOAD = "DOWNLOAD", _("Roster download")
        EXPORT = "EXPORT", _("Export")
        ERROR_FILE = "ERROR_FILE", _("Import error report")
        PREVIEW = "PREVIEW", _("Import preview")

    at = models.DateTimeField(_("at"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(
        _("user name"),
        max_length=150,
        help_text=_("As it was at the time (for commands: the system account)."),
    )
    channel = models.CharField(_("through"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    worker = models.ForeignKey(
        "enrollment.Worker",
        verbose_name=_("person"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    employer = models.ForeignKey(
        "enrollment.Employer",
        verbose_name=_("employer scope"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        help_text=_("Empty for a list over the whole city."),
    )
    scope = models.JSONField(
        _("scope"), default=dict, blank=True, help_text=_("Filters, file, format.")
    )
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data accesses")
        indexes = [
            models.Index(fields=["worker", "-at"], name="access_worker_idx"),
            models.Index(fields=["employer", "-at"], name="access_employer_idx"),
            models.Index(fields=["user", "-at"], name="access_user_idx"),
            models.Index(fields=["-at"], name="access_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.get_kind_display()} {date_time(self.at)}"
