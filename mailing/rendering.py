"""A mail's subject and body, rendered from its kind's template in its language."""

from dataclasses import dataclass

from django.conf import settings
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation

from mailing import kinds
from mailing.models import OutgoingMail


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str


def template_name(kind: str, language: str) -> str:
    return f"mail/{language}/{kind}.txt"


def render(mail: OutgoingMail, *, preview: bool = False) -> RenderedMail:
    """Render ``mail``; raises ``kinds.Withdrawn`` when its kind says it is no longer to be sent.

    ``preview``: for the admin's page of the mail, changing nothing, its kind's secrets shown as ``•••``."""
    kind = kinds.get(mail.kind)
    context = {"site_url": settings.SITE_URL.rstrip("/"), **mail.context}
    context.update(kind.context_for(mail, preview=preview))
    language = mail.language or settings.LANGUAGE_CODE
    try:
        template = get_template(template_name(mail.kind, language))
    except TemplateDoesNotExist:
        template = get_template(template_name(mail.kind, settings.LANGUAGE_CODE))
    with translation.override(language):
        # plain text: nothing is HTML-escaped (a file named "A & B.xlsx" stays so)
        text = template.template.render(Context(context, autoescape=False))
    first, _, body = text.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"{template.origin.name}: the first line must be 'Subject: …'")
    return RenderedMail(subject=first.removeprefix("Subject:").strip(), body=body.strip() + "\n")
