from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BerjasaConfig(AppConfig):
    name = "berjasa"
    verbose_name = _("Makassar Berjasa")
