"""Writes that carry the measures' business rules: setting up measures and recording
monthly values (from the data-entry page and from CSV files alike)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.models import Measure, MeasureValue, Stratum
from measures.months import month_start
from measures.selectors import earliest_entry_month
from teams.models import Team

MEASURE_FIELDS = (
    "name", "type", "operational_definition", "numerator_definition", "denominator_definition",
    "numerator_label", "denominator_label", "records_events",
    "unit", "rate_per", "direction", "goal", "chart_kind", "baseline_length", "stratification",
    "order",
    "name_es", "operational_definition_es", "numerator_definition_es", "denominator_definition_es",
    "numerator_label_es", "denominator_label_es", "stratification_es",
)


@transaction.atomic
def measure_save(
    *, measure: Measure, strata: list[str] | None = None, reference: str = "",
    strata_es: list[str] | None = None, **fields: Any
) -> Measure:
    """Create or update a measure and its strata (groups). A group that already has data
    cannot be removed: its history would vanish from the charts."""
    for name, value in fields.items():
        if name not in MEASURE_FIELDS:
            raise TypeError(f"Unexpected field: {name}")
        setattr(measure, name, value)
    taken = Measure.objects.filter(collaborative=measure.collaborative_id, name__iexact=measure.name)
    if taken.exclude(pk=measure.pk).exists():
        raise ValidationError({"name": ValidationError(
            _("This collaborative already has a measure with that name."), code="duplicate_name")})
    _check_chart_fits_unit(measure)
    measure.full_clean()
    measure.save()
    labels = [label.strip() for label in (strata or []) if label.strip()]
    if measure.is_stratified and len(labels) < 2:
        raise ValidationError({"strata": ValidationError(
            _("A stratified measure needs at least two groups."), code="too_few_strata")})
    if not measure.is_stratified and labels:
        raise ValidationError({"stratification": ValidationError(
            _("Name the dimension the groups belong to (e.g. child's race/ethnicity)."),
            code="dimension_required")})
    if reference and reference.strip() not in labels:
        raise ValidationError({"reference": ValidationError(
            _("The reference group must be one of the groups listed."), code="unknown_reference")})
    _sync_strata(measure, labels, reference.strip(), strata_es or [])
    return measure


def _check_chart_fits_unit(measure: Measure) -> None:
    """The same rules as the measure form, so the API cannot save a chart its data does not
    fit: p and pp chart percentages, u and up rates, both of a denominator; c, g and t chart
    counts (events, or days between them) without one."""
    kinds, units = Measure.ChartKind, Measure.Unit
    needs = {kinds.P: units.PERCENT, kinds.PP: units.PERCENT, kinds.U: units.RATE,
             kinds.UP: units.RATE, kinds.C: units.COUNT, kinds.G: units.COUNT, kinds.T: units.COUNT}
    required = needs.get(measure.chart_kind)
    if required and measure.unit != required:
        raise ValidationError({"chart_kind": ValidationError(
            _("A %(chart)s needs the unit “%(unit)s”.")
            % {"chart": measure.get_chart_kind_display(), "unit": Measure.Unit(required).label},
            code="chart_unit_mismatch")})
    if required in (units.PERCENT, units.RATE) and not measure.denominator_definition:
        raise ValidationError({"denominator_definition": ValidationError(
            _("A p, u, p′ or u′ chart needs a denominator."), code="denominator_required")})
    if measure.records_events and (measure.denominator_definition or measure.stratification
                                   or measure.unit != units.COUNT):
        raise ValidationError({"records_events": ValidationError(
            _("Teams can record events with their dates only for a count: unit “Count”, no "
              "denominator and no groups."), code="events_need_plain_count")})
    if required == units.COUNT and measure.denominator_definition:
        raise ValidationError({"denominator_definition": ValidationError(
            _("A c, g or t chart counts events (or days between them): leave the denominator empty."),
            code="denominator_not_used")})


def _sync_strata(measure: Measure, labels: list[str], reference: str,
                 labels_es: list[str]) -> None:
    existing = {stratum.label: stratum for stratum in measure.strata.all()}
    removed = [stratum for label, stratum in existing.items() if label not in labels]
    used = [stratum.label for stratum in removed if stratum.values.exists()]
    if used:
        raise ValidationError({"strata": ValidationError(
            _("These groups already have data and cannot be removed: %(groups)s.")
            % {"groups": ", ".join(used)}, code="stratum_in_use")})
    for stratum in removed:
        stratum.delete()
    # Saved one by one, not with a queryset update, so the history shows the reference
    # group moving (there is at most one). The new one is set just below.
    for stratum in measure.strata.filter(is_reference=True).exclude(label=reference):
        stratum.is_reference = False
        stratum.save(update_fields=["is_reference"])
    spanish = dict(zip(labels, [*labels_es, *[""] * len(labels)], strict=False))
    for order, label in enumerate(labels):
        Stratum.objects.update_or_create(
            measure=measure, label=label,
            defaults={"order": order, "is_reference": label == reference,
                      "label_es": spanish[label]},
        )


@dataclass(frozen=True)
class Entry:
    """One number pair typed for one measure (and group) in one month. Both numbers empty
    means "no value": an existing one is removed."""

    measure: Measure
    stratum: Stratum | None
    numerator: Decimal | None
    denominator: Decimal | None
    note: str = ""

    @property
    def is_blank(self) -> bool:
        return self.numerator is None and self.denominator is None


def entry_errors(
    entry: Entry, month: datetime.date, *, today: datetime.date | None = None,
    earliest: datetime.date | None = None,
) -> dict[str, str]:
    """What is wrong with one entry, by column (numerator, denominator, month).
    Months before the collaborative starts are baseline and welcome (back to ``earliest``);
    future months are not."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if month > month_start(today):
        errors["month"] = _("%(month)s has not happened yet.") % {"month": month.strftime("%Y-%m")}
    elif earliest is not None and month < earliest:
        errors["month"] = _("%(month)s is too long before the collaborative; baseline data goes "
                            "back to %(earliest)s.") % {"month": month.strftime("%Y-%m"),
                                                        "earliest": earliest.strftime("%Y-%m")}
    if entry.is_blank:
        return errors
    measure = entry.measure
    if entry.numerator is None:
        errors["numerator"] = _("Enter the numerator (%(what)s).") % {
            "what": measure.numerator_definition}
    elif entry.numerator < 0:
        errors["numerator"] = _("The numerator cannot be negative.")
    if measure.has_denominator:
        if entry.denominator is None:
            errors["denominator"] = _("Enter the denominator (%(what)s).") % {
                "what": measure.denominator_definition}
        elif entry.denominator <= 0:
            errors["denominator"] = _("The denominator must be more than 0.")
        elif (measure.unit == Measure.Unit.PERCENT and entry.numerator is not None
              and entry.numerator > entry.denominator):
            errors["numerator"] = _(
                "The numerator (%(n)s) cannot be more than the denominator (%(d)s) for a percentage."
            ) % {"n": _plain(entry.numerator), "d": _plain(entry.denominator)}
    elif entry.denominator is not None:
        errors["denominator"] = _("This measure is a count: leave the denominator empty.")
    return errors


@transaction.atomic
def measure_values_record(
    *, team: Team, month: datetime.date, entries: list[Entry], entered_by: AbstractBaseUser,
    today: datetime.date | None = None,
) -> int:
    """Save one month of a team's values, all or nothing. Errors are keyed
    ``"<entry index>:<column>"``. Returns the number of values created, changed or removed."""
    errors = {}
    earliest = earliest_entry_month(team.collaborative)
    seen: set[tuple[int, int | None]] = set()
    for index, entry in enumerate(entries):
        _check_entry_belongs(team, entry)
        key = (entry.measure.pk, entry.stratum.pk if entry.stratum else None)
        if key in seen:
            errors[f"{index}:measure"] = _("%(measure)s is given twice for this month.") % {
                "measure": entry.measure}
        seen.add(key)
        for column, message in entry_errors(entry, month, today=today, earliest=earliest).items():
            errors[f"{index}:{column}"] = message
    if errors:
        raise ValidationError(errors)
    existing = {
        (value.measure_id, value.stratum_id): value
        for value in MeasureValue.objects.select_for_update().filter(team=team, month=month)
    }
    written = 0
    for entry in entries:
        key = (entry.measure.pk, entry.stratum.pk if entry.stratum else None)
        written += _upsert(team, month, entry, existing.get(key), entered_by)
    return written


def _check_entry_belongs(team: Team, entry: Entry) -> None:
    # Guards against a form or file naming another collaborative's measure or group.
    if entry.measure.collaborative_id != team.collaborative_id:
        raise ValidationError(_("%(measure)s is not a measure of this collaborative.")
                              % {"measure": entry.measure}, code="foreign_measure")
    if (entry.stratum is None) == entry.measure.is_stratified or (
        entry.stratum is not None and entry.stratum.measure_id != entry.measure.pk
    ):
        raise ValidationError(_("%(measure)s: the group does not match the measure.")
                              % {"measure": entry.measure}, code="stratum_mismatch")


def _upsert(team: Team, month: datetime.date, entry: Entry, existing: MeasureValue | None,
            entered_by: AbstractBaseUser) -> int:
    if entry.is_blank:
        if existing is None:
            return 0
        existing.delete()
        return 1
    if existing is not None and (existing.numerator, existing.denominator, existing.note) == (
        entry.numerator, entry.denominator, entry.note
    ):
        return 0
    value = existing or MeasureValue(team=team, measure=entry.measure, month=month,
                                     stratum=entry.stratum)
    value.numerator, value.denominator, value.note = entry.numerator, entry.denominator, entry.note
    value.entered_by = entered_by
    value.full_clean(validate_constraints=False)  # the database enforces them on save
    value.save()
    return 1


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"
