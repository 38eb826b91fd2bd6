from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BerjasaAdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site (``berjasa.admin_site``): history pages for administrators only."""

    default = False  # "berjasa" itself is BerjasaConfig
    default_site = "berjasa.admin_site.BerjasaAdminSite"


class BerjasaConfig(AppConfig):
    name = "berjasa"
    verbose_name = _("Makassar Berjasa")

    def ready(self) -> None:
        from berjasa.roles import sync_roles_after_migrate
        from berjasa.third_party import read_third_party_models_in_indonesian

        read_third_party_models_in_indonesian()

        # Sent once per app; the last project app's signal comes after every permission exists.
        post_migrate.connect(sync_roles_after_migrate, sender=self.apps.get_app_config("reports"))
