"""Optimistic concurrency (decision 45): a save is refused when the record changed after the form showed it.

Every edit form of a worker, an employment, a membership or a claim carries the ``version`` of the row it showed
(``enrollment.forms.SeenVersionForm``; an admin action, the versions of the changelist's rows). The service that
writes locks the row and calls ``lock_as_seen``: at another version, nothing is written and ``StaleEdit`` names
the changes made since, read from the audit history (who, when, which field from what to what), as much of them
as the acting user may read.
"""

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from berjasa.formatting import date_time
from enrollment.models import PERSONAL_FIELDS, Employer, Versioned, Worker
from enrollment.portal.history import HIDDEN_FIELDS, RECORD_STAMPS, Change, changes_since
from enrollment.visibility import worker_fields_visible_to

Record = TypeVar("Record", bound=Versioned)


class StaleEdit(ValidationError):
    """The record changed after the form was opened: nothing was written; the messages say what changed."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(messages, code="stale")


def lock_as_seen(
    record: Record, seen_version: int | None, *, acting_user, employer: Employer | None = None
) -> Record:
    """``record`` read again and locked for the transaction; ``StaleEdit`` if it is no longer at ``seen_version``.

    ``seen_version`` None: the caller read the row in this transaction itself (an import, a command).
    """
    current = type(record).objects.select_for_update().get(pk=record.pk)
    if seen_version is not None and current.version != seen_version:
        raise StaleEdit(_stale_messages(current, seen_version, acting_user, employer))
    return current


def _stale_messages(current: Versioned, seen_version: int, acting_user, employer) -> list[str]:
    visible, hidden = _readable(current, acting_user, employer)
    headline = _(
        "This %(record)s was changed by someone else after you opened this form, so your changes were not "
        "saved. Open the page again to see the record as it is now, then make your changes again."
    ) % {"record": current._meta.verbose_name}
    changes = changes_since(current, seen_version, visible=visible, hidden=hidden)
    return [headline, *(_in_words(change) for change in changes)]


def _readable(current: Versioned, acting_user, employer) -> tuple[set[str], set[str]]:
    """The fields whose changes the acting user may read, and the fields left out of the changes.

    Of a worker, an employer reads what ``enrollment.visibility`` lets it (a contact field it may not read is
    named, its values not shown), never the keeper or the decile; Disnaker reads every field.
    """
    every_field = {field.name for field in type(current)._meta.fields}
    if not isinstance(current, Worker):
        return every_field, RECORD_STAMPS
    visible = worker_fields_visible_to(acting_user, employer, current)
    if employer is None and visible == PERSONAL_FIELDS:  # staff: the keeper and the decile too
        return every_field, RECORD_STAMPS
    return set(visible), HIDDEN_FIELDS


def _in_words(change: Change) -> str:
    """``07/12/2026 11.05 WITA, admin_ani: worker changed (phone 0811… → 0812…; address — → Jl. Baru 9)``."""
    fields = "; ".join(f"{field.field} {field.old} → {field.new}" for field in change.fields)
    return _("%(when)s, %(who)s: %(what)s %(action)s%(fields)s") % {
        "when": date_time(change.when),
        "who": change.who or _("an import or a command"),
        "what": change.what,
        "action": change.action,
        "fields": f" ({fields})" if fields else "",
    }
