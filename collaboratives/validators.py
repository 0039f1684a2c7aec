"""Field validators shared by every layer: they live here, in the lowest app, so that teams,
PDSA and the rest use them without importing upwards."""

from __future__ import annotations

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# Dates the portal accepts. A collaborative runs 12 to 18 months; anything far outside this
# window is a typing slip, and year 1 or 9999 breaks month arithmetic and charts.
DATE_MIN = datetime.date(2000, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)


def date_window_message() -> str:
    return str(_("Enter a date from %(first)s to %(last)s.") % {
        "first": date_format(DATE_MIN), "last": date_format(DATE_MAX)})


def validate_date_in_window(value: datetime.date | None) -> None:
    """Refuse dates outside DATE_MIN … DATE_MAX."""
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(date_window_message(), code="date_out_of_range")


def validate_one_line(value: str) -> None:
    """Refuse line breaks and other control characters: a name or title goes into email
    subjects (a header, where a line break is refused) and one-line lists."""
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value):
        raise ValidationError(
            _("Keep this on one line, without line breaks, tabs or other control characters."),
            code="invalid")
