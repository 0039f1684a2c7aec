"""The form of "Start from a change package": where to copy from and which parts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collaboratives.packages import PARTS
from measures.packages import PART_LABELS


class StartFromForm(forms.Form):
    """``sources`` are the choices the person may copy from (``package_choices_for``): a
    collaborative they do not lead is not one of them, so it is refused as an invalid
    choice and nothing about it is shown."""

    source = forms.ChoiceField(
        label=_("Copy from"), widget=forms.RadioSelect,
        error_messages={"required": _("Choose where to copy from."),
                        "invalid_choice": _("Choose one of the sources listed.")})
    parts = forms.MultipleChoiceField(
        label=_("What to copy"), widget=forms.CheckboxSelectMultiple, required=True,
        choices=[(part, PART_LABELS[part]) for part in PARTS],
        error_messages={"required": _("Tick at least one part to copy."),
                        "invalid_choice": _("Tick only the parts listed.")})

    def __init__(self, *args: object, sources: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = sources
