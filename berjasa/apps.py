from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BerjasaConfig(AppConfig):
    name = "berjasa"
    verbose_name = _("Makassar Berjasa")

    def ready(self) -> None:
        from berjasa.roles import sync_roles_after_migrate

        # Sent once per app; the last project app's signal comes after every permission exists.
        post_migrate.connect(sync_roles_after_migrate, sender=self.apps.get_app_config("reports"))
