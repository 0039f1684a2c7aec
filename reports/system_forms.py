"""Forms of the system assessment: the state chooser and a professional-development offering."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from collaboratives.models import PDOffering, USState

ENGAGES_CHOICES = [
    (1, _("1 · Individuals from different programs")),
    (2, _("2 · Mostly individuals, a few from the same program")),
    (3, _("3 · Groups of staff from one program")),
    (4, _("4 · Whole programs or teams who work together")),
]
PURPOSE_CHOICES = [
    (1, _("1 · Knowledge gain: coursework, workshops, credit hours")),
    (2, _("2 · Mostly knowledge, with some practice")),
    (3, _("3 · Mostly putting knowledge into practice")),
    (4, _("4 · Transfer to practice: coaching, feedback on the job")),
]


def state_choices(states: list[str]) -> list[tuple[str, str]]:
    labels = dict(USState.choices)
    return [(state, str(labels.get(state, state))) for state in states]


class StateChoiceForm(forms.Form):
    """Which of the user's states to show."""

    state = forms.ChoiceField(label=_("State"))

    def __init__(self, *args: Any, states: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = state_choices(states)
        self.fields["state"].error_messages["invalid_choice"] = _(
            "That is not one of your states.")


class PDOfferingForm(forms.Form):
    """An offering and its place on the matrix, in plain words; the service saves it."""

    state = forms.ChoiceField(label=_("State"))
    name = forms.CharField(label=_("Name"), max_length=200)
    provider = forms.CharField(
        label=_("Provider"), max_length=200, required=False,
        help_text=_("For example: NC Child Care Resource & Referral, a community college."))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    engages = forms.TypedChoiceField(label=_("Who takes part?"), choices=ENGAGES_CHOICES, coerce=int,
                                     widget=forms.RadioSelect)
    purpose = forms.TypedChoiceField(label=_("What is it for?"), choices=PURPOSE_CHOICES, coerce=int,
                                     widget=forms.RadioSelect)
    programs_reached = forms.IntegerField(
        label=_("Programs reached a year"), min_value=0, max_value=1_000_000, initial=0,
        help_text=_("ECE programs (centers, family child care homes, Head Start sites…) taking part."))
    people_reached = forms.IntegerField(label=_("People reached a year"), min_value=0,
                                        max_value=10_000_000, initial=0)

    def __init__(self, *args: Any, states: list[str], offering: PDOffering | None = None,
                 **kwargs: Any) -> None:
        if offering is not None and offering.pk:
            kwargs.setdefault("initial", {name: getattr(offering, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = state_choices(states)
        self.fields["state"].error_messages["invalid_choice"] = _(
            "Choose one of the states you keep offerings for.")
        if len(states) == 1:
            self.fields["state"].help_text = _("The only state you keep offerings for.")
