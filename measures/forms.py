"""Forms for setting up measures and entering a month of data."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from measures.models import Measure
from measures.selectors import Row

MAX_UPLOAD_BYTES = 1_000_000


class MeasureForm(forms.ModelForm):
    strata = forms.CharField(
        label=_("Groups"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a stratified measure: one group per line."),
    )
    reference = forms.CharField(
        label=_("Reference group"), required=False, max_length=120,
        help_text=_("The group others are compared with in the disparity view (one of the lines above)."),
    )

    class Meta:
        model = Measure
        fields = [
            "name", "type", "operational_definition", "numerator_definition",
            "denominator_definition", "unit", "rate_per", "direction", "goal", "chart_kind",
            "baseline_length", "stratification", "strata", "reference", "order",
        ]
        widgets = {"operational_definition": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The model refuses 0 (its validator, through the service); let the browser say so too.
        self.fields["baseline_length"].widget.attrs["min"] = 1
        if self.instance.pk:
            strata = list(self.instance.strata.all())
            self.fields["strata"].initial = "\n".join(s.label for s in strata)
            self.fields["reference"].initial = next((s.label for s in strata if s.is_reference), "")

    def strata_labels(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("strata", "").splitlines()
                if line.strip()]

    def _post_clean(self) -> None:
        # The service validates the measure with its strata; skip the model pass here so
        # errors are not reported twice.
        return


class MonthEntryForm(forms.Form):
    """Numerator, denominator and note for every row of one month."""

    def __init__(self, *args, rows: list[Row], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            current = row.current
            label = row.measure.name + (f" — {row.stratum.label}" if row.stratum else "")
            self.fields[f"{row.key}_numerator"] = forms.DecimalField(
                label=_("%(label)s: numerator") % {"label": label}, required=False,
                max_digits=12, decimal_places=2,
                initial=current.numerator.normalize() if current else None,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            )
            if row.measure.has_denominator:
                self.fields[f"{row.key}_denominator"] = forms.DecimalField(
                    label=_("%(label)s: denominator") % {"label": label}, required=False,
                    max_digits=12, decimal_places=2,
                    initial=current.denominator.normalize() if current and current.denominator else None,
                    widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
                )
            self.fields[f"{row.key}_note"] = forms.CharField(
                label=_("%(label)s: note") % {"label": label}, required=False, max_length=500,
                initial=current.note if current else "",
            )

    def bound_rows(self) -> list[dict]:
        """Rows with their bound fields, for the template."""
        return [
            {"row": row, "numerator": self[f"{row.key}_numerator"],
             "denominator": self[f"{row.key}_denominator"] if row.measure.has_denominator else None,
             "note": self[f"{row.key}_note"],
             "previous_numerator": _last_month(row.previous.numerator if row.previous else None),
             "previous_denominator": _last_month(row.previous.denominator if row.previous else None)}
            for row in self.rows
        ]


def _last_month(number: object) -> str:
    return "" if number is None else _("Last month: %(n)s") % {"n": f"{number.normalize():f}"}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: month, measure, group, numerator, denominator, note. "
                    "Download the template for this month to start."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 1 MB; split it by year."),
                                  code="too_large")
        return upload
