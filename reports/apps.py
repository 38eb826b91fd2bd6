from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from reports import definitions  # noqa: F401 - registers the declared reports

        post_migrate.connect(_install_ledger_triggers, sender=self)


def _install_ledger_triggers(sender, using, **kwargs) -> None:
    """The coverage ledger's triggers, after every migration (a rebuilt SQLite table loses its triggers)."""
    from django.db import connections

    from reports.ledger import triggers

    if using == "default":
        triggers.install(connections[using])
