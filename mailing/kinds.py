"""The kinds of e-mail the portal sends: each a label, its templates and what it adds to its context when sent.

Templates are plain text in ``templates/mail/<language>/<kind>.txt``; the first line is ``Subject: …``, the rest
the body. Staff read them there and in the outbox (admin → E-mail → outgoing e-mails shows each mail as sent).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


class Withdrawn(Exception):
    """The mail is no longer to be sent (what it was about has been revoked or settled)."""


@dataclass(frozen=True)
class MailKind:
    code: str
    label: str | Promise
    # Called with the mail when it is rendered: the values to add to its stored context (a link built from
    # the ids in it, say); raises Withdrawn when the mail should not go out any more.
    extra_context: Callable[[object], dict] | None = None


_kinds: dict[str, MailKind] = {}


def register(code: str, label, extra_context: Callable[[object], dict] | None = None) -> MailKind:
    kind = MailKind(code, label, extra_context)
    _kinds[code] = kind
    return kind


def get(code: str) -> MailKind:
    return _kinds[code]


def kind_label(code: str) -> str:
    kind = _kinds.get(code)
    return str(kind.label) if kind else code


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(kind.label)) for code, kind in _kinds.items()), key=lambda c: c[1])
