from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PdsaConfig(AppConfig):
    name = "pdsa"
    verbose_name = _("PDSA cycles")
