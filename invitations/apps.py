from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "invitations"
    verbose_name = _("Invitations")

    def ready(self) -> None:
        from invitations import mail  # noqa: F401 - registers the mail kinds
