"""The Pareto tally form: a title and period, and a compact formset of label + count rows."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from collaboratives.validators import validate_date_in_window, validate_one_line
from measures.models import ParetoTally

EMPTY_ROWS = 10


class ParetoTallyForm(forms.Form):
    title = forms.CharField(
        label=_("What was counted"), max_length=200, validators=[validate_one_line],
        help_text=_("For example: Early pick-ups, or Settings of incidents."))
    start = forms.DateField(label=_("From"), validators=[validate_date_in_window],
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), validators=[validate_date_in_window],
                          widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", ValidationError(_("The period cannot end before it starts."),
                                                  code="end_before_start"))
        return data


class ParetoCategoryForm(forms.Form):
    # Both optional: an empty row is skipped; a half-filled one is an error.
    label = forms.CharField(label=_("Category"), max_length=120, required=False,
                            validators=[validate_one_line])
    count = forms.IntegerField(label=_("Count"), min_value=0, required=False,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def clean(self) -> dict:
        data = super().clean()
        label, count = (data.get("label") or "").strip(), data.get("count")
        if label and count is None and "count" not in self.errors:
            self.add_error("count", ValidationError(_("Enter the count (0 if none)."), code="required"))
        if not label and count is not None:
            self.add_error("label", ValidationError(_("Give the category a name."), code="required"))
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("label") or "").strip() and data.get("count") is None


ParetoCategoryFormSet = forms.formset_factory(ParetoCategoryForm, extra=EMPTY_ROWS, max_num=200,
                                              validate_max=True)


def tally_forms(data: object, tally: ParetoTally | None) -> tuple[ParetoTallyForm, forms.BaseFormSet]:
    """The tally form and the category rows, filled from the tally when editing."""
    initial, rows = None, None
    if tally is not None:
        initial = {"title": tally.title, "start": tally.start, "end": tally.end}
        rows = [{"label": c.label, "count": c.count} for c in tally.categories.all()]
    return (ParetoTallyForm(data, initial=initial),
            ParetoCategoryFormSet(data, initial=rows, prefix="categories"))


def filled_rows(formset: forms.BaseFormSet) -> list[tuple[int, tuple[str, int]]]:
    """(form index, (label, count)) for every row that is not empty."""
    return [(index, ((form.cleaned_data.get("label") or "").strip(), form.cleaned_data["count"]))
            for index, form in enumerate(formset.forms) if not form.is_blank]
