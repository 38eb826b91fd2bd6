"""The kinds of e-mail the portal sends: each a label, its templates and what it adds to its context when sent.

Templates are plain text in ``templates/mail/<language>/<kind>.txt``; the first line is ``Subject: …``, the rest
the body. Staff read them there and in the outbox (admin → E-mail → outgoing e-mails shows each mail as sent).
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


class Withdrawn(Exception):
    """The mail is no longer to be sent (what it was about has been revoked or settled)."""


# What the admin's preview shows in place of a secret value (an activation link).
SECRET = "•••"  # noqa: S105 - a mask, not a password


@dataclass(frozen=True)
class MailKind:
    """A kind of mail.

    ``extra_context(mail)`` is called when the mail is rendered: the values to add to its stored context (a link
    built from the ids in it, say); it raises ``Withdrawn`` when the mail should not go out any more. If it takes
    a keyword ``preview``, the admin's page of the mail calls it with ``preview=True``: it must then change
    nothing (make no token) and give ``SECRET`` for a secret value. ``secret`` names the context values the
    preview always shows as ``SECRET``, whatever gave them.
    """

    code: str
    label: str | Promise
    extra_context: Callable[..., dict] | None = None
    secret: tuple[str, ...] = ()

    @property
    def previews_itself(self) -> bool:
        """Whether ``extra_context`` takes ``preview`` (else the preview calls it as the sending does)."""
        if self.extra_context is None:
            return False
        parameters = inspect.signature(self.extra_context).parameters
        return "preview" in parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
        )

    def context_for(self, mail, *, preview: bool = False) -> dict:
        """The values ``extra_context`` adds for ``mail`` (for the preview: with the secrets masked)."""
        if self.extra_context is None:
            values = {}
        elif preview and self.previews_itself:
            values = self.extra_context(mail, preview=True)
        else:
            values = self.extra_context(mail)
        if preview:
            values = {**values, **dict.fromkeys(self.secret, SECRET)}
        return values


_kinds: dict[str, MailKind] = {}


def register(
    code: str,
    label,
    extra_context: Callable[..., dict] | None = None,
    *,
    secret: tuple[str, ...] = (),
) -> MailKind:
    kind = MailKind(code, label, extra_context, tuple(secret))
    _kinds[code] = kind
    return kind


def unregister(code: str) -> None:
    """Forget a kind (tests register throwaway kinds)."""
    _kinds.pop(code, None)


def get(code: str) -> MailKind:
    return _kinds[code]


def kind_label(code: str) -> str:
    kind = _kinds.get(code)
    return str(kind.label) if kind else code


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(kind.label)) for code, kind in _kinds.items()), key=lambda c: c[1])
