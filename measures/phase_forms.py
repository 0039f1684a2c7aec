"""The form that starts a new phase of a chart: the month, why, and the change adopted."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from collaboratives.models import ChangeIdea
from collaboratives.validators import validate_one_line
from measures.months import parse_month
from measures.phase_services import FULL_PHASE_POINTS, MIN_PHASE_POINTS


class PhaseForm(forms.Form):
    start_month = forms.TypedChoiceField(label=_("First month of the new phase"), coerce=parse_month)
    reason = forms.CharField(
        label=_("Why a new phase"), max_length=200, validators=[validate_one_line],
        help_text=_("One line, shown on the chart. For example: Adopted: greeting song at drop-off."))
    change_idea = forms.ModelChoiceField(
        label=_("Change idea adopted (optional)"), queryset=ChangeIdea.objects.none(), required=False,
        empty_label="—")

    def __init__(self, *args: object, months: list[datetime.date], collaborative_id: int,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["start_month"]
        # The first months cannot start a phase: the phase before needs points of its own.
        field.choices = [("", "—")] + [(month.strftime("%Y-%m"), date_format(month, "YEAR_MONTH_FORMAT"))
                                       for month in months[MIN_PHASE_POINTS:]]
        field.help_text = _(
            "The month the change took effect, from the months with data. The centre line and "
            "limits are worked out again from this month on, and the signal rules start afresh. "
            "Start a new phase only for a change you adopted and expect to last, ideally once the "
            "chart shows it (a shift). Each phase needs at least %(min)s months with data; with "
            "fewer than %(full)s, its lines are provisional and will move as months are added."
        ) % {"min": MIN_PHASE_POINTS, "full": FULL_PHASE_POINTS}
        self.fields["change_idea"].queryset = ChangeIdea.objects.filter(
            collaborative_id=collaborative_id).order_by("title")
