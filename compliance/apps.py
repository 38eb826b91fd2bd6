from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Monthly roster confirmation")

    def ready(self) -> None:
        from compliance import reminders  # noqa: F401 - registers the mail kind roster_reminder
