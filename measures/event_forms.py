"""The form for recording one event: its date (today unless changed) and an optional note."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collaboratives.validators import validate_one_line
from measures.events import NOTE_MAX


class EventForm(forms.Form):
    date = forms.DateField(
        label=_("Date of the event"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Enter the date of the event."),
                        "invalid": _("Enter a date such as 2026-03-03.")})
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=NOTE_MAX,
        validators=[validate_one_line],
        help_text=_("Seen by your team and its coaches only. Do not write a child's name."))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["date"].initial = today
        self.fields["date"].widget.attrs["max"] = today.isoformat()

    def error_summary(self) -> list[dict]:
        """Every problem, each pointing at its field, for the error summary above the form."""
        items = []
        for name, errors in self.errors.items():
            target = self[name].id_for_label if name in self.fields else ""
            items += [{"id": target, "text": str(error)} for error in errors]
        return items
