"""Who changed what, through which door: the context every audited write runs in.

Services open an ``audit_context`` around their writes; ``AuditMiddleware`` opens one for each request, so admin
edits are attributed too. django-simple-history stores the rows; ``stamp_history`` adds our fields to each.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


class Channel(models.TextChoices):
    """Through which door a change came in."""

    ADMIN = "ADMIN", _("Admin")
    PORTAL = "PORTAL", _("Employer portal")
    STAFF = "STAFF", _("Staff pages")  # outside the admin: the reports, the city budget
    IMPORT = "IMPORT", _("Import batch")
    COMMAND = "COMMAND", _("Command")


@dataclass(frozen=True)
class AuditContext:
    user: object | None
    channel: str
    employer_id: int | None = None
    batch_id: int | None = None


_current: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


@contextmanager
def audit_context(*, user, channel: str, employer=None, batch=None) -> Iterator[AuditContext]:
    """Attribute every audited write inside the block to ``user`` through ``channel``."""
    context = AuditContext(
        user=user if getattr(user, "is_authenticated", False) else None,
        channel=channel,
        employer_id=getattr(employer, "pk", employer),
        batch_id=getattr(batch, "pk", batch),
    )
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def current_audit_context() -> AuditContext | None:
    return _current.get()


def history_user(instance=None, request=None, **kwargs):
    """simple-history's ``get_user``: the acting user of the open audit context."""
    context = _current.get()
    return context.user if context else None


class AuditedHistory(models.Model):
    """Fields every historical record carries besides simple-history's own."""

    history_channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, blank=True
    )
    history_employer_id = models.BigIntegerField(_("on behalf of employer"), null=True, blank=True)
    history_batch_id = models.BigIntegerField(_("import batch"), null=True, blank=True)

    class Meta:
        abstract = True


class AuditTrail(HistoricalRecords):
    """django-simple-history with our stamps, and a history table indexed only for the audit pages' reads.

    simple-history indexes every foreign key and unique field of the copy; an import writes a historical row for
    each row it writes, and those indexes (which nothing reads) cost more than the rows. Kept: the primary key,
    the record's ``id`` (its history) and the fields named in ``indexed``. The acting user is a plain column
    (no foreign-key check per historical row); deleting a user still sets it to NULL through Django.
    """

    def __init__(self, *, indexed: tuple[str, ...] = (), by_employer: bool = False) -> None:
        super().__init__(bases=[AuditedHistory], get_user=history_user, user_db_constraint=False)
        self.indexed = {"id", *indexed}
        self.by_employer = by_employer

    def get_meta_options(self, model):
        """``by_employer``: an index of the rows written for an employer, newest first (the portal's roster
        activity). Partial: rows without an employer (Disnaker's, the demo data's) are most and never read so."""
        options = super().get_meta_options(model)
        if self.by_employer:
            options["indexes"] = [
                *options.get("indexes", ()),
                models.Index(
                    "history_employer_id",
                    models.F("history_date").desc(),
                    name=f"hist_{model._meta.model_name[:12]}_employer_idx",
                    condition=models.Q(history_employer_id__isnull=False),
                ),
            ]
        return options

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            field.db_index = name in self.indexed
        return fields


@receiver(pre_create_historical_record)
def stamp_history(sender, history_instance, **kwargs) -> None:
    context = _current.get()
    if context is None:
        return
    history_instance.history_channel = context.channel
    history_instance.history_employer_id = context.employer_id
    history_instance.history_batch_id = context.batch_id


STAFF_PAGES = ("/reports/", "/anggaran/")


class AuditMiddleware:
    """Open an audit context for each request: admin pages are the ADMIN channel, the reports' and the city
    budget's pages STAFF, the rest (the employer portal, the accounts' pages) PORTAL."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/"):
            channel = Channel.ADMIN
        elif request.path.startswith(STAFF_PAGES):
            channel = Channel.STAFF
        else:
            channel = Channel.PORTAL
        with audit_context(user=request.user, channel=channel):
            return self.get_response(request)
