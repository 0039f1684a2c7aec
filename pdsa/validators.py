"""Field validators of the PDSA models."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_one_line(value: str) -> None:
    """Refuse line breaks and other control characters: a title goes into email subjects
    (a header, where a line break is refused) and one-line lists."""
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value):
        raise ValidationError(
            _("Keep the title on one line, without line breaks, tabs or other control "
              "characters."), code="invalid")
