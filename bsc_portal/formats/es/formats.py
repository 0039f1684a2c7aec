"""Spanish as written in the United States: Django's Spanish dates ("5 de marzo de 2026"),
with the decimal point and thousands comma that US families and programs use on every form
and report (10.5, 1,250), not Spain's 10,5 and 1.250."""

from django.conf.locale.es.formats import *  # noqa: F403 — the rest of Django's Spanish formats

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
