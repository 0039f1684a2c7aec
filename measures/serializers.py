"""JSON shapes of measures and monthly values for /api/v1/."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import ReturnDict

from collaboratives.models import Collaborative
from measures import pareto
from measures.models import (
    BASELINE_LENGTH_MESSAGE,
    Measure,
    MeasureValue,
    ParetoTally,
    Stratum,
)
from measures.months import parse_month
from teams import access
from teams.models import Team

# The advisor's own Spanish for a measure's words (``Measure.display_name`` and friends show
# it to readers who use the portal in Spanish); empty means "the English".
BILINGUAL_FIELDS = [
    "name_es", "operational_definition_es", "numerator_definition_es",
    "denominator_definition_es", "numerator_label_es", "denominator_label_es",
]
MEASURE_READ_FIELDS = [
    "id", "collaborative", "name", "type", "operational_definition", "numerator_definition",
    "denominator_definition", "numerator_label", "denominator_label",
    "unit", "rate_per", "direction", "goal", "chart_kind",
    "baseline_length", "stratification", "records_events", "order", "strata",
    *BILINGUAL_FIELDS,
]


def _number(**kwargs) -> serializers.DecimalField:
    # Numbers go out as JSON numbers, not strings; they come in as either.
    return serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False,
                                    **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-03"})
class MonthField(serializers.Field):
    """A month as ``"YYYY-MM"``; stored as its first day."""

    default_error_messages = {"invalid": _("Write the month as YYYY-MM, e.g. 2026-03.")}

    def to_representation(self, value: datetime.date) -> str:
        return value.strftime("%Y-%m")

    def to_internal_value(self, data: object) -> datetime.date:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return parse_month(data)
        except ValueError:
            self.fail("invalid")


# --- Measures ------------------------------------------------------------------------------

class StratumSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stratum
        fields = ["id", "label", "is_reference"]


class MeasureSerializer(serializers.ModelSerializer):
    """A measure as everyone who reads its collaborative sees it."""

    goal = _number(allow_null=True, read_only=True)
    strata = StratumSerializer(many=True, read_only=True)

    class Meta:
        model = Measure
        fields = MEASURE_READ_FIELDS
        read_only_fields = MEASURE_READ_FIELDS


class MeasureWriteSerializer(serializers.ModelSerializer):
    """What an advisor sends to set up or change a measure: its groups are a list of labels,
    and ``reference`` names one of them. Left out on a change, both keep their current value."""

    collaborative = serializers.PrimaryKeyRelatedField(queryset=Collaborative.objects.none())
    strata = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False,
        help_text=_("The groups of a stratified measure, in order."),
    )
    reference = serializers.CharField(
        max_length=120, required=False, allow_blank=True,
        help_text=_("The group others are compared with: one of the labels in strata."),
    )

    class Meta:
        model = Measure
        fields = [
            "collaborative", "name", "type", "operational_definition", "numerator_definition",
            "denominator_definition", "numerator_label", "denominator_label",
            "unit", "rate_per", "direction", "goal", "chart_kind",
            "baseline_length", "stratification", "records_events", "order", "strata",
            "reference", *BILINGUAL_FIELDS,
        ]
        # The service checks the name is unique (and the API names the field).
        validators: list = []
        # DRF turns the model's MinValueValidator(1) into its own min_value check and drops
        # the validator's message; give it the model's words back.
        extra_kwargs = {"baseline_length": {"error_messages": {"min_value": BASELINE_LENGTH_MESSAGE}}}

    def get_fields(self) -> dict:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # A collaborative the caller may not see is answered like one that does not exist.
            fields["collaborative"].queryset = access.collaboratives_visible_to(request.user)
        if self.instance is not None:
            # A measure stays in the collaborative it was set up in.
            fields["collaborative"].read_only = True
        return fields


# --- Monthly values ------------------------------------------------------------------------

class MeasureValueSerializer(serializers.ModelSerializer):
    """One team's value of one measure in one month (and one group, if stratified).

    ``value`` is what the chart plots (a percent, a rate per N, a count or a mean). On a
    change only ``numerator``, ``denominator`` and ``note`` may differ; the rest say which
    value it is."""

    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.none())
    measure = serializers.IntegerField(source="measure_id")
    month = MonthField()
    numerator = _number()
    denominator = _number(allow_null=True, required=False, default=None)
    value = serializers.FloatField(read_only=True, allow_null=True)
    stratum = serializers.IntegerField(source="stratum_id", allow_null=True, required=False,
                                       default=None)
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")

    class Meta:
        model = MeasureValue
        fields = ["id", "team", "measure", "month", "numerator", "denominator", "value",
                  "stratum", "note"]

    def get_fields(self) -> dict:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # A team whose work the caller may not read is answered like one that does not exist.
            fields["team"].queryset = access.teams_visible_to(request.user)
        if isinstance(self.instance, MeasureValue):
            for name in ("team", "measure", "month", "stratum"):
                fields[name].read_only = True
        return fields


class BulkRowSerializer(serializers.Serializer):
    """One row of a month: both numbers null means "no value" (an existing one is removed)."""

    measure = serializers.IntegerField()
    stratum = serializers.IntegerField(allow_null=True, required=False, default=None)
    numerator = _number(allow_null=True, required=False, default=None)
    denominator = _number(allow_null=True, required=False, default=None)
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class BulkSerializer(serializers.Serializer):
    """A team's month of values, saved all or nothing."""

    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.none())
    month = MonthField()
    values = BulkRowSerializer(many=True)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["team"].queryset = access.teams_visible_to(request.user)
        return fields

    @property
    def errors(self) -> ReturnDict:
        """Row errors as a list with one entry per row (``{}`` for a good one), so the
        index of a bad row is its position, whatever DRF's own shape."""
        errors = super().errors
        rows = errors.get("values")
        given = self.initial_data.get("values") if hasattr(self.initial_data, "get") else None
        if isinstance(rows, dict) and isinstance(given, list) and all(
                isinstance(index, int) for index in rows):
            errors = ReturnDict(errors, serializer=self)
            errors["values"] = [rows.get(index, {}) for index in range(len(given))]
        return errors


class BulkResultSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    month = MonthField()
    written = serializers.IntegerField(help_text=_("Values created, changed or removed."))
    values = MeasureValueSerializer(many=True)


# --- Pareto tallies ------------------------------------------------------------------------

class ParetoRowSerializer(serializers.Serializer):
    """One category, in Pareto order (largest count first)."""

    label = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.FloatField(help_text=_("Its share of the tally's total, 0 to 100."))
    cumulative_percent = serializers.FloatField(
        help_text=_("Its share and that of every category before it, 0 to 100."))


class ParetoTallySerializer(serializers.ModelSerializer):
    """A team's counts by category over a period, as the Pareto page shows them: the rows of
    its table and chart, their total and the one-sentence summary."""

    categories = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()

    class Meta:
        model = ParetoTally
        fields = ["id", "team", "title", "start", "end", "total", "categories", "summary"]
        read_only_fields = fields

    @staticmethod
    def _rows(tally: ParetoTally) -> list[pareto.ParetoRow]:
        # Worked out once per tally (from the prefetched categories) for all three fields.
        rows = getattr(tally, "_pareto_rows", None)
        if rows is None:
            rows = tally._pareto_rows = pareto.pareto_rows(tally)
        return rows

    @extend_schema_field(ParetoRowSerializer(many=True))
    def get_categories(self, tally: ParetoTally) -> list[dict]:
        return ParetoRowSerializer(self._rows(tally), many=True).data

    def get_total(self, tally: ParetoTally) -> int:
        return sum(row.count for row in self._rows(tally))

    def get_summary(self, tally: ParetoTally) -> str:
        return pareto.pareto_summary(tally, self._rows(tally))
