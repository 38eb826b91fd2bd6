from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingConfig(AppConfig):
    name = "mailing"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from mailing.notices import register_kinds

        register_kinds()
