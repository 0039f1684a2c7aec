"""Forms of the monthly report: the team's narrative and self-score, the advisor's review."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from reports import scale
from reports.models import MonthlyReport


def _scale_field(label: str, *, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=required, coerce=lambda text: scale.level_of(text).score,
        choices=[(str(level.score), f"{level.score} — {level.name}") for level in scale.LEVELS],
        widget=forms.RadioSelect, empty_value=None,
    )


class NarrativeForm(forms.ModelForm):
    self_score = _scale_field(_("Where does the team stand on the assessment scale?"), required=False)

    class Meta:
        model = MonthlyReport
        fields = ["successes", "challenges", "next_steps", "supports_needed", "self_score"]
        widgets = {name: forms.Textarea(attrs={"rows": 3})
                   for name in ("successes", "challenges", "next_steps", "supports_needed")}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.self_score is not None:
            self.initial["self_score"] = str(self.instance.self_score)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ReviewForm(forms.Form):
    advisor_score = _scale_field(_("Your score"), required=False)
    feedback = forms.CharField(label=_("Feedback to the team"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
