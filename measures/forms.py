"""Forms for setting up measures and entering a month of data."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from measures.models import Measure
from measures.selectors import Row
from measures.series import LARGE_DENOMINATOR
from measures.services import Entry, entry_errors

MAX_UPLOAD_BYTES = 1_000_000


class MeasureForm(forms.ModelForm):
    strata = forms.CharField(
        label=_("Groups"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a stratified measure: one group per line."),
    )
    strata_es = forms.CharField(
        label=_("Groups in Spanish (optional)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line, in the same order as the groups above."),
    )
    reference = forms.CharField(
        label=_("Reference group"), required=False, max_length=120,
        help_text=_("The group others are compared with in the disparity view (one of the lines above)."),
    )

    class Meta:
        model = Measure
        fields = [
            "name", "type", "operational_definition", "numerator_definition",
            "denominator_definition", "numerator_label", "denominator_label",
            "unit", "rate_per", "direction", "goal", "chart_kind",
            "baseline_length", "stratification", "records_events", "strata", "reference", "order",
            "name_es", "operational_definition_es", "numerator_definition_es",
            "denominator_definition_es", "numerator_label_es", "denominator_label_es",
            "stratification_es", "strata_es",
        ]
        widgets = {"operational_definition": forms.Textarea(attrs={"rows": 3}),
                   "operational_definition_es": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The model refuses 0 (its validator, through the service); let the browser say so too.
        self.fields["baseline_length"].widget.attrs["min"] = 1
        self.fields["chart_kind"].help_text = _(
            "“Which chart suits your data?” above says which chart fits which data.")
        # The rule the collaborative and state charts follow, said on the page (the guide).
        self.large_denominator = number_format(LARGE_DENOMINATOR, force_grouping=True)
        if self.instance.pk:
            strata = list(self.instance.strata.all())
            self.fields["strata"].initial = "\n".join(s.label for s in strata)
            self.fields["strata_es"].initial = "\n".join(s.label_es for s in strata)
            self.fields["reference"].initial = next((s.label for s in strata if s.is_reference), "")

    def clean(self) -> dict:
        cleaned = super().clean()
        _check_chart_fits_data(cleaned)
        groups = [line for line in cleaned.get("strata", "").splitlines() if line.strip()]
        spanish = cleaned.get("strata_es", "").rstrip().splitlines()
        if len(spanish) > len(groups):
            self.add_error("strata_es", ValidationError(
                _("There are more Spanish names than groups: one a line, in the groups' order."),
                code="too_many_spanish_groups"))
        return cleaned

    def strata_labels_es(self) -> list[str]:
        """The groups' Spanish names, in the groups' order ("" where none is given)."""
        return [line.strip() for line in self.cleaned_data.get("strata_es", "").splitlines()]

    def strata_labels(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("strata", "").splitlines()
                if line.strip()]

    def _post_clean(self) -> None:
        # The service validates the measure with its strata; skip the model pass here so
        # errors are not reported twice.
        return


# Rare-event charts plot a count a month (c) or the count of days or opportunities between
# events (g, t): one number, no denominator. Laney's charts need what p and u charts need.
_COUNT_CHARTS = (Measure.ChartKind.C, Measure.ChartKind.G, Measure.ChartKind.T)
_PRIME_UNITS = {Measure.ChartKind.PP: Measure.Unit.PERCENT, Measure.ChartKind.UP: Measure.Unit.RATE}


def _check_chart_fits_data(cleaned: dict) -> None:
    """The new chart kinds with the unit and denominator they need (the service checks p and u)."""
    kind, unit = cleaned.get("chart_kind"), cleaned.get("unit")
    denominator = cleaned.get("denominator_definition")
    if cleaned.get("records_events") and (denominator or cleaned.get("stratification")
                                          or unit not in (None, "", Measure.Unit.COUNT)):
        # An event is one dated line: it adds up to a plain count a month, nothing else.
        raise ValidationError({"records_events": ValidationError(
            _("Teams can record events with their dates only for a count: unit “Count”, no "
              "denominator and no groups."), code="events_need_plain_count")})
    chart = Measure.ChartKind(kind).label if kind in Measure.ChartKind.values else ""
    if kind in _COUNT_CHARTS:
        if unit and unit != Measure.Unit.COUNT:
            raise ValidationError({"chart_kind": ValidationError(
                _("A %(chart)s needs the unit “Count”: one number a month, no denominator.")
                % {"chart": chart}, code="chart_unit_mismatch")})
        if denominator:
            raise ValidationError({"denominator_definition": ValidationError(
                _("A %(chart)s takes one number a month, no denominator; leave it empty.") % {"chart": chart},
                code="denominator_not_used")})
    if kind in _PRIME_UNITS:
        if unit and unit != _PRIME_UNITS[kind]:
            raise ValidationError({"chart_kind": ValidationError(
                _("A %(chart)s needs the unit “%(unit)s”.")
                % {"chart": chart, "unit": Measure.Unit(_PRIME_UNITS[kind]).label},
                code="chart_unit_mismatch")})
        if not denominator:
            raise ValidationError({"denominator_definition": ValidationError(
                _("A Laney p′ or u′ chart needs a denominator."), code="denominator_required")})


# Whole numbers for things counted (people, events); decimals where a mean's sum may need them.
_WHOLE_NUMBER_UNITS = {Measure.Unit.PERCENT, Measure.Unit.RATE, Measure.Unit.COUNT}


def _number_field(label: str, initial: Decimal | None, measure: Measure) -> forms.DecimalField:
    inputmode = "numeric" if measure.unit in _WHOLE_NUMBER_UNITS else "decimal"
    return forms.DecimalField(
        label=label, required=False, max_digits=12, decimal_places=2,
        initial=initial.normalize() if initial is not None else None,
        widget=forms.TextInput(attrs={"inputmode": inputmode, "autocomplete": "off"}),
    )


@dataclass
class EntrySection:
    """One measure on the data-entry page: its rows (one, or one per group) and, for a
    stratified measure, the total row that checks the groups add up."""

    measure: Measure
    items: list[dict]
    total_numerator: BoundField | None = None
    total_denominator: BoundField | None = None
    sum_numerator: str = ""
    sum_denominator: str = ""

    @property
    def inputmode(self) -> str:
        return "numeric" if self.measure.unit in _WHOLE_NUMBER_UNITS else "decimal"

    @property
    def totals(self) -> list[tuple[BoundField, str]]:
        """The total row's cells: each total box with the sum of its groups so far."""
        if self.total_numerator is None:
            return []
        cells = [(self.total_numerator, self.sum_numerator)]
        if self.total_denominator is not None:
            cells.append((self.total_denominator, self.sum_denominator))
        return cells

    @property
    def has_notes(self) -> bool:
        return any(item["note"].value() or item["note"].errors for item in self.items)


class MonthEntryForm(forms.Form):
    """One month of every measure: the two numbers (named in the measure's own words) and a
    note per measure or group, and for a stratified measure an optional total to check the
    groups against."""

    def __init__(self, *args, rows: list[Row], month: datetime.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows, self.month = rows, month
        # Where each field sits, in words, for the error summary ("Fidelity", "Rate — Black").
        self.places: dict[str, str] = {}
        for index, row in enumerate(rows):
            measure, current = row.measure, row.current
            label = measure.display_name + (f" — {row.stratum.display_label}" if row.stratum else "")
            for column in ("numerator", "denominator", "note"):
                self.places[f"{row.key}_{column}"] = label
            self.fields[f"{row.key}_numerator"] = _number_field(
                f"{label}: {measure.numerator_name}", current.numerator if current else None, measure)
            if measure.has_denominator:
                self.fields[f"{row.key}_denominator"] = _number_field(
                    f"{label}: {measure.denominator_name}",
                    current.denominator if current else None, measure)
            self.fields[f"{row.key}_note"] = forms.CharField(
                label=_("%(label)s: note") % {"label": label}, required=False, max_length=500,
                initial=current.note if current else "",
            )
            last_of_groups = row.stratum is not None and (
                index + 1 == len(rows) or rows[index + 1].measure.pk != measure.pk)
            if last_of_groups:  # the total row follows its groups, in the page's order
                label = _("%(measure)s — total") % {"measure": measure.display_name}
                for column in ("numerator", "denominator"):
                    self.places[f"m{measure.pk}_total_{column}"] = label
                self.fields[f"m{measure.pk}_total_numerator"] = _number_field(
                    f"{label}: {measure.numerator_name}", None, measure)
                if measure.has_denominator:
                    self.fields[f"m{measure.pk}_total_denominator"] = _number_field(
                        f"{label}: {measure.denominator_name}", None, measure)

    def clean(self) -> dict:
        """Every rule of the month at once, so the summary lists every problem: each row's
        (the service's own check, which runs again when saving), and a stratified measure's
        total, which must equal its groups' sum (a mismatch means a group was missed or
        mistyped), so nothing is saved."""
        cleaned = super().clean()
        for row in self.rows:
            self._check_row(row, cleaned)
        for measure in {row.measure.pk: row.measure for row in self.rows if row.stratum}.values():
            for column, name in (("numerator", measure.numerator_name),
                                 ("denominator", measure.denominator_name)):
                self._check_total(measure, column, name, cleaned)
        return cleaned

    def _check_row(self, row: Row, cleaned: dict) -> None:
        keys = {column: f"{row.key}_{column}" for column in ("numerator", "denominator")}
        if any(key in self.errors for key in keys.values()):
            return  # not a number: the field's own message says so
        entry = Entry(row.measure, row.stratum, cleaned.get(keys["numerator"]),
                      cleaned.get(keys["denominator"]))
        for column, message in entry_errors(entry, self.month).items():
            field = keys.get(column)
            self.add_error(field if field in self.fields else None, message)

    def _check_total(self, measure: Measure, column: str, name: str, cleaned: dict) -> None:
        field = f"m{measure.pk}_total_{column}"
        total = cleaned.get(field)
        if field not in self.fields or total is None:
            return
        keys = [f"{row.key}_{column}" for row in self.rows if row.measure.pk == measure.pk]
        if any(key in self.errors for key in keys):
            return
        added = sum((cleaned[key] for key in keys if cleaned.get(key) is not None), Decimal(0))
        if added != total:
            self.add_error(field, ValidationError(
                _("The groups add up to %(sum)s, not the total %(total)s. Check each "
                  "group’s %(name)s, or leave the total empty.")
                % {"sum": _plain(added), "total": _plain(total), "name": name},
                code="total_mismatch"))

    def _item(self, row: Row) -> dict:
        denominator = self[f"{row.key}_denominator"] if row.measure.has_denominator else None
        return {"row": row, "numerator": self[f"{row.key}_numerator"], "denominator": denominator,
                "note": self[f"{row.key}_note"], "last_month": _last_month(row)}

    def sections(self) -> list[EntrySection]:
        """The page's measures in order, each with its rows' bound fields."""
        sections: list[EntrySection] = []
        for row in self.rows:
            if not sections or sections[-1].measure.pk != row.measure.pk:
                sections.append(EntrySection(row.measure, []))
            sections[-1].items.append(self._item(row))
        for section in sections:
            measure = section.measure
            if not measure.is_stratified:
                continue
            section.total_numerator = self[f"m{measure.pk}_total_numerator"]
            section.sum_numerator = _sum_of(item["numerator"] for item in section.items)
            if measure.has_denominator:
                section.total_denominator = self[f"m{measure.pk}_total_denominator"]
                section.sum_denominator = _sum_of(item["denominator"] for item in section.items)
        return sections

    def error_summary(self) -> list[dict]:
        """Every problem, in the page's order, with the id of the field it belongs to (empty
        for a problem of the whole month): the links of the summary at the top."""
        items = [{"id": "", "text": message} for message in self.non_field_errors()]
        for name in self.fields:
            if name in self.errors:
                bound = self[name]
                items.append({"id": bound.id_for_label,
                              "text": f"{self.places[name]}: {' '.join(self.errors[name])}"})
        return items


def _last_month(row: Row) -> str:
    """"Last month: 3 of 41" (or "Last month: 14" for a count), or nothing."""
    previous = row.previous
    if previous is None:
        return ""
    if previous.denominator is not None:
        return _("Last month: %(numerator)s of %(denominator)s") % {
            "numerator": _plain(previous.numerator), "denominator": _plain(previous.denominator)}
    return _("Last month: %(n)s") % {"n": _plain(previous.numerator)}


def _sum_of(fields: Iterable[BoundField | None]) -> str:
    """The sum of the numbers typed so far (unreadable ones left out), as the page shows it
    before any script runs."""
    total = Decimal(0)
    for bound in fields:
        raw = bound.value() if bound is not None else None
        if raw in (None, ""):
            continue
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            continue
        if number.is_finite():
            total += number
    return _plain(total)


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


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
