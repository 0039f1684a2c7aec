"""REST endpoints for measures, monthly values and chart data, under the access rules.

- Measures are read by everyone who reads their collaborative; advisors and coaches set
  them up (through ``measure_save``, as the pages do).
- A team's raw values are its own: its members read and write them, the collaborative's
  advisors and coaches read them (403 on writes), nobody else sees them (404, or "does not
  exist" for an id in the input). Writes go through ``measure_values_record``, so the API
  refuses what the data-entry page refuses. A measure that records events with their dates
  takes no typed values: its counts come from the events page.
- A team's Pareto tallies follow the same rule as its raw values (read-only here; the
  Pareto pages write them).
- Chart data for one team follows the same rule. Without a team it is the collaborative
  aggregate, readable by everyone who reads the collaborative and holding no team's data;
  whoever does not lead the collaborative gets rates only, with small cells suppressed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from measures import aggregates, csvio, selectors, services
from measures.event_charts import event_chart
from measures.events import team_events
from measures.models import Measure, MeasureValue, ParetoTally, Stratum
from measures.months import FIRST_MONTH, LAST_MONTH, MonthOutOfRange, parse_month
from measures.phase_selectors import chart_phase_starts
from measures.serializers import (
    BulkResultSerializer,
    BulkSerializer,
    MeasureSerializer,
    MeasureValueSerializer,
    MeasureWriteSerializer,
    ParetoTallySerializer,
)
from measures.series import Series, stratum_series, team_series
from measures.summaries import status_words, summary
from teams import access
from teams.api import LeadsACollaborative, as_drf_error, id_param
from teams.models import Team

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
# measure_values_record refuses an entry that does not belong with these codes.
_SERVICE_CODE_FIELDS = {"foreign_measure": "measure", "stratum_mismatch": "stratum"}


def month_param(request: Request, name: str) -> datetime.date | None:
    """A month (YYYY-MM) in the query string, or ``None`` when absent; else a 400."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return parse_month(raw)
    except MonthOutOfRange:
        raise ValidationError({name: [_("Months run from %(first)s to %(last)s.") % {
            "first": f"{FIRST_MONTH:%Y-%m}", "last": f"{LAST_MONTH:%Y-%m}"}]}) from None
    except ValueError:
        raise ValidationError({name: [_("Write the month as YYYY-MM, e.g. 2026-03.")]}) from None


def _does_not_exist(pk: object) -> str:
    """What DRF says of an id that matches nothing (and of one outside the caller's scope)."""
    return serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"].format(
        pk_value=pk)


# --- Measures --------------------------------------------------------------------------------

_COLLABORATIVE_PARAM = OpenApiParameter("collaborative", int, description="Only this collaborative's.")
_TEAM_PARAM = OpenApiParameter(
    "team", int, description="One team's chart (its members and leaders only); without it, the "
    "collaborative aggregate.")


@extend_schema_view(
    list=extend_schema(parameters=[_COLLABORATIVE_PARAM]),
    create=extend_schema(request=MeasureWriteSerializer, responses={201: MeasureSerializer}),
    update=extend_schema(request=MeasureWriteSerializer, responses=MeasureSerializer),
    partial_update=extend_schema(request=MeasureWriteSerializer, responses=MeasureSerializer),
)
class MeasureViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    """Measures of the collaboratives the caller may read; their advisors and coaches set
    them up. Filter with ``?collaborative=<id>``."""

    serializer_class = MeasureSerializer
    permission_classes = [permissions.IsAuthenticated, LeadsACollaborative]

    def get_queryset(self) -> QuerySet[Measure]:
        measures = Measure.objects.filter(
            collaborative__in=access.collaboratives_visible_to(self.request.user)
        ).select_related("collaborative").prefetch_related("strata")
        collaborative = id_param(self.request, "collaborative")
        if collaborative is not None:
            measures = measures.filter(collaborative_id=collaborative)
        return measures.order_by("collaborative_id", "order", "name", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        write = MeasureWriteSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        collaborative = data.pop("collaborative")  # limited to visible ones by the serializer
        if not access.can_manage_collaborative(request.user, collaborative):
            raise PermissionDenied
        measure = _measure_save(Measure(collaborative=collaborative), data)
        return Response(MeasureSerializer(measure).data, status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        measure = self.get_object()
        if not access.can_manage_collaborative(request.user, measure.collaborative):
            raise PermissionDenied
        write = MeasureWriteSerializer(measure, data=request.data,
                                       partial=kwargs.get("partial", False),
                                       context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        measure = _measure_save(measure, dict(write.validated_data))
        return Response(MeasureSerializer(measure).data)

    @extend_schema(parameters=[_TEAM_PARAM], responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"], url_path="chart-data")
    def chart_data(self, request: Request, pk: str | None = None) -> Response:
        """The series, its run-chart analysis, limits and signals, and a summary sentence.
        ``?team=<id>``: one team (404 unless the caller may read that team's work);
        without it: the collaborative aggregate."""
        measure = self.get_object()
        team_id = id_param(request, "team")
        if team_id is not None:
            team = access.teams_visible_to(request.user).filter(
                pk=team_id, collaborative_id=measure.collaborative_id).first()
            if team is None:
                raise Http404(_("No such team."))
            return Response(_team_chart(measure, team))
        return Response(_collaborative_chart(aggregates.measure_figures(measure, request.user)))


def _measure_save(measure: Measure, data: dict) -> Measure:
    """Save through the service; groups and reference left out keep their current value."""
    current = list(measure.strata.all()) if measure.pk else []
    strata = data.pop("strata", None)
    if strata is None:
        strata = [stratum.label for stratum in current]
    reference = data.pop("reference", None)
    if reference is None:
        reference = next((s.label for s in current if s.is_reference and s.label in strata), "")
    try:
        services.measure_save(measure=measure, strata=strata, reference=reference, **data)
    except DjangoValidationError as exc:
        raise _measure_error(exc) from exc
    return Measure.objects.select_related("collaborative").prefetch_related("strata").get(
        pk=measure.pk)


def _measure_error(exc: DjangoValidationError) -> ValidationError:
    """The service's errors by field; the unique-name constraint is reported on ``name``."""
    error = as_drf_error(exc)
    unique_name = next(c for c in Measure._meta.constraints if c.name == "measure_unique_name")
    messages = error.detail.get(NON_FIELD, []) if isinstance(error.detail, dict) else []
    if str(unique_name.violation_error_message) in messages:
        detail = dict(error.detail)
        others = [m for m in messages if m != str(unique_name.violation_error_message)]
        if others:
            detail[NON_FIELD] = others
        else:
            del detail[NON_FIELD]
        detail["name"] = [*detail.get("name", []), str(unique_name.violation_error_message)]
        return ValidationError(detail)
    return error


# --- Chart data ------------------------------------------------------------------------------

def _floats(numbers: list) -> list[float | None]:
    return [None if number is None else float(number) for number in numbers]


def _chart(measure: Measure, series: Series) -> dict:
    """The shape shared by a team's chart and the aggregate. Months the aggregate layer hid
    are nulls, flagged in ``suppressed`` with the reason in ``hidden_reasons``."""
    upper, lower = series.limits()
    analysis = series.analysis
    status = series.status
    return {
        "measure": {
            "id": measure.pk, "name": measure.name, "unit": measure.unit,
            "direction": measure.direction,
            "goal": None if measure.goal is None else float(measure.goal),
            "chart_kind": measure.chart_kind,
        },
        "months": [month.strftime("%Y-%m") for month in series.months],
        "series": [{
            "label": series.label,
            # The chart actually drawn: a pooled p or u line is pp or up (Laney) when its
            # denominators are large (measures.series.pooled_chart_kind).
            "chart_kind": series.kind,
            "values": series.values,
            "suppressed": [index in series.hidden for index in range(len(series.points))],
            "hidden_reasons": [series.hidden.get(index) for index in range(len(series.points))],
        }],
        "center": series.center,
        "upper": upper,
        "lower": lower,
        "signals": sorted(series.signal_indices),
        **_phases(series),
        "analysis": {
            # The centre line the points were judged against, in the measure's unit (a control
            # chart's centre where the measure has one, else the median).
            "median": series.center,
            "n_obs": analysis.n_obs,
            "n_useful": analysis.n_useful,
            "longest_run": analysis.longest_run,
            "longest_run_max": analysis.longest_run_max,
            "crossings": analysis.crossings,
            "crossings_min": analysis.crossings_min,
            "runs_signal": analysis.runs_signal,
            "shifts": [list(span) for span in analysis.shifts],
            "trends": [list(span) for span in analysis.trends],
        },
        "status": {
            "variation": status.variation_icon if status else None,
            "assurance": status.assurance_icon if status else None,
            **{f"{key}_text": text for key, text in status_words(series).items()},
        },
        "summary": summary(series),
    }


def _phases(series: Series) -> dict:
    """Each phase of the line (the first has no reason) with its centre line, and each point's
    phase; ``analysis`` then describes the current (last) phase."""
    months = series.months
    phases = [{
        "index": segment.number - 1,
        "start": months[segment.first].strftime("%Y-%m") if months else None,
        "end": months[segment.last].strftime("%Y-%m") if months else None,
        "reason": segment.start.reason if segment.start else None,
        "change_idea": (segment.start.change_idea or None) if segment.start else None,
        "center": segment.center,
    } for segment in series.segments()]
    starts = [phase["start"] for phase in phases]
    return {"phases": phases,
            "phase": [{"index": (index := series.phase_of(i)), "start": starts[index]}
                      for i in range(len(months))]}


def _counts(series: Series) -> dict:
    return {
        "numerators": [point.numerator for point in series.points],
        "denominators": [point.denominator for point in series.points],
    }


def _team_chart(measure: Measure, team: Team) -> dict:
    values = list(MeasureValue.objects.filter(team=team, measure=measure).order_by("month"))
    series = team_series(measure, values, team.name, phases=chart_phase_starts(measure, team))
    data = _chart(measure, series)
    data["team"] = team.pk
    data["series"][0].update(_counts(series),
                             notes=[point.note for point in series.points])
    if measure.is_stratified:
        data["strata"] = [
            {"id": line.stratum.pk, "label": line.label, "is_reference": line.stratum.is_reference,
             "values": line.values, "suppressed": [False] * len(line.points), **_counts(line)}
            for line in stratum_series(measure, values, series.months)
        ]
    if measure.records_events:
        data["events"] = _events_chart(measure, team)
    return data


def _events_chart(measure: Measure, team: Team) -> dict:
    """A measure recorded as events, for one team (its members and leaders only, as the
    caller of ``_team_chart`` checked): the days between events as the g or t chart the
    events page draws, with its summary and table. Dates never reach the aggregate layer."""
    chart = event_chart(measure, list(team_events(team, measure)))
    control = chart.control
    return {
        "kind": chart.kind, "fallback": chart.fallback, "summary": chart.summary,
        "center": control.center if control else None,
        "upper": control.upper if control else [], "lower": control.lower if control else [],
        "intervals": chart.intervals,
        "rows": [{"date": row["date"].isoformat(), "days_since_previous": row["days"],
                  "signal": row["signal"]} for row in chart.rows],
    }


def _collaborative_chart(figures: aggregates.Figures) -> dict:
    """All teams together, from the aggregate layer: leaders of the collaborative get the
    pooled counts; everyone else gets values only, with the small-cell rules applied there."""
    measure, line = figures.measure, figures.collaborative
    data = _chart(measure, line)
    data["team"] = None
    data["team_count"] = figures.team_count
    data["aggregate"] = figures.kind
    data["teams_reporting"] = figures.reporting
    if figures.full and figures.kind != aggregates.MEDIAN:
        data["series"][0].update(_counts(line))
    if measure.is_stratified:
        data["strata"] = [{
            "id": stratum.stratum.pk, "label": stratum.label,
            "is_reference": stratum.stratum.is_reference, "values": stratum.values,
            "suppressed": [i in stratum.hidden for i in range(len(stratum.points))],
            **(_counts(stratum) if figures.full else {}),
        } for stratum in figures.strata]
    if figures.disparity is not None:
        disparity = figures.disparity
        data["disparity"] = {
            "reference": disparity.reference,
            "quarters": [quarter.strftime("%Y-%m") for quarter in disparity.quarters],
            "ratios": disparity.ratios,
            "suppressed": {
                label: [i in disparity.hidden.get(label, {}) for i in range(len(disparity.quarters))]
                for label in disparity.ratios},
            "summary": disparity.summary,
        }
    return data


# --- Monthly values --------------------------------------------------------------------------

class WritesOwnTeamWork(permissions.BasePermission):
    """Writes are for members of some team (they enter their own team's data); advisors,
    coaches and state viewers read and get 403 before their input is even read. Which team
    they may write is checked against the access rules in each view."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        grants = access.grants_for(request.user)
        return bool(grants.is_superuser or grants.team_ids)


_VALUE_FILTERS = [
    OpenApiParameter("team", int), OpenApiParameter("measure", int),
    OpenApiParameter("stratum", int),
    OpenApiParameter("month", str, description="YYYY-MM"),
    OpenApiParameter("month_from", str, description="YYYY-MM, included"),
    OpenApiParameter("month_to", str, description="YYYY-MM, included"),
]


@extend_schema_view(list=extend_schema(parameters=_VALUE_FILTERS))
class MeasureValueViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet,
):
    """Monthly values of the teams whose work the caller may read: a member their own team's,
    an advisor or coach every team's in their collaboratives, a state viewer none (they read
    the aggregates under /measures/<id>/chart-data/). Members write their own team's values.
    Filter with ``?team=``, ``?measure=``, ``?stratum=``, ``?month=``, ``?month_from=``,
    ``?month_to=`` (months as YYYY-MM)."""

    serializer_class = MeasureValueSerializer
    permission_classes = [permissions.IsAuthenticated, WritesOwnTeamWork]

    def get_queryset(self) -> QuerySet[MeasureValue]:
        request = self.request
        values = MeasureValue.objects.filter(
            team__in=access.teams_visible_to(request.user)
        ).select_related("measure", "team", "stratum")
        for name in ("team", "measure", "stratum"):
            pk = id_param(request, name)
            if pk is not None:
                values = values.filter(**{f"{name}_id": pk})
        for name, lookup in (("month", "month"), ("month_from", "month__gte"),
                             ("month_to", "month__lte")):
            month = month_param(request, name)
            if month is not None:
                values = values.filter(**{lookup: month})
        return values.order_by("team_id", "measure__order", "measure__name", "measure_id",
                               "month", "stratum__order", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team = data["team"]  # limited to readable teams by the serializer
        if not access.can_write_team_work(request.user, team):
            raise PermissionDenied
        measure, stratum, errors = _resolve(_measures_of(team), data["measure_id"],
                                            data["stratum_id"])
        if errors:
            raise ValidationError(errors)
        month = data["month"]
        if _value_at(team, measure, month, stratum) is not None:
            raise ValidationError({"month": [
                _("This month already has a value for this measure%(group)s; change it with "
                  "PATCH or the bulk endpoint.")
                % {"group": _(" and group") if stratum else ""}]})
        entry = services.Entry(measure, stratum, data["numerator"], data["denominator"],
                               data["note"].strip())
        _record(request, team, month, [entry], bulk=False)
        value = _value_at(team, measure, month, stratum)
        return Response(self.get_serializer(value).data, status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        value = self.get_object()
        if not access.can_write_team_work(request.user, value.team):
            raise PermissionDenied
        _refuse_event_count(value.measure)
        serializer = self.get_serializer(value, data=request.data,
                                         partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entry = services.Entry(
            value.measure, value.stratum, data.get("numerator", value.numerator),
            data.get("denominator", value.denominator),
            data.get("note", value.note).strip(),
        )
        _record(request, value.team, value.month, [entry], bulk=False)
        return Response(self.get_serializer(self.get_queryset().get(pk=value.pk)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        value = self.get_object()
        if not access.can_write_team_work(request.user, value.team):
            raise PermissionDenied
        _refuse_event_count(value.measure)
        blank = services.Entry(value.measure, value.stratum, None, None)
        _record(request, value.team, value.month, [blank], bulk=False)
        return Response(status=204)

    @extend_schema(request=BulkSerializer, responses=BulkResultSerializer)
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        """A team's month, all or nothing: each row creates or changes the value of one
        measure (and group); a row with both numbers null removes it. Errors come back by
        row index under ``values``."""
        serializer = BulkSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team, month = data["team"], data["month"]
        if not access.can_write_team_work(request.user, team):
            raise PermissionDenied
        measures = _measures_of(team)
        entries: list[services.Entry] = []
        row_errors: list[dict] = []
        month_errors: list[str] = []
        seen: dict[tuple[int, int | None], int] = {}
        for index, row in enumerate(data["values"]):
            measure, stratum, errors = _resolve(measures, row["measure"], row["stratum"])
            if not errors:
                key = (measure.pk, stratum.pk if stratum else None)
                if key in seen:
                    errors = {"measure": [_("Same measure and group as row %(row)s.")
                                          % {"row": seen[key]}]}
                seen.setdefault(key, index)
            if not errors:
                entry = services.Entry(measure, stratum, row["numerator"], row["denominator"],
                                       row["note"].strip())
                entries.append(entry)
                for column, message in services.entry_errors(entry, month).items():
                    if column == "month":
                        month_errors.append(message)
                    else:
                        errors[column] = [message]
            row_errors.append(errors)
        if month_errors or any(row_errors):
            detail: dict[str, Any] = {}
            if month_errors:
                detail["month"] = [month_errors[0]]
            if any(row_errors):
                detail["values"] = row_errors
            raise ValidationError(detail)
        written = _record(request, team, month, entries, bulk=True)
        saved = self.get_queryset().filter(team=team, month=month)
        return Response(BulkResultSerializer({
            "team": team.pk, "month": month, "written": written, "values": saved,
        }).data)


def _refuse_event_count(measure: Measure) -> None:
    """A count derived from the team's events is changed by recording or removing an event,
    never by hand: a 400 naming the measure, before the input is read."""
    if measure.records_events:
        raise ValidationError({"measure": [csvio.events_only_message(measure)]})


def _measures_of(team: Team) -> dict[int, Measure]:
    return {measure.pk: measure for measure in selectors.collaborative_measures(team.collaborative)}


def _resolve(measures: dict[int, Measure], measure_id: int, stratum_id: int | None
             ) -> tuple[Measure | None, Stratum | None, dict[str, list[str]]]:
    """The measure (of the team's collaborative) and group an entry names, or errors by field.
    Ids outside the team's collaborative are answered like ids that do not exist."""
    measure = measures.get(measure_id)
    if measure is None:
        return None, None, {"measure": [_does_not_exist(measure_id)]}
    if measure.records_events:
        return measure, None, {"measure": [csvio.events_only_message(measure)]}
    strata = list(measure.strata.all())
    if stratum_id is None:
        if measure.is_stratified:
            return measure, None, {"stratum": [
                _("%(measure)s is stratified: give the id of one of its groups (%(groups)s).")
                % {"measure": measure.display_name,
                   "groups": ", ".join(f"{s.pk} {s.label}" for s in strata)}]}
        return measure, None, {}
    if not measure.is_stratified:
        return measure, None, {"stratum": [
            _("%(measure)s is not split by group; leave the stratum null.")
            % {"measure": measure.display_name}]}
    stratum = next((s for s in strata if s.pk == stratum_id), None)
    if stratum is None:
        return measure, None, {"stratum": [_does_not_exist(stratum_id)]}
    return measure, stratum, {}


def _value_at(team: Team, measure: Measure, month: datetime.date, stratum: Stratum | None
              ) -> MeasureValue | None:
    return MeasureValue.objects.select_related("measure", "team", "stratum").filter(
        team=team, measure=measure, month=month, stratum=stratum).first()


def _record(request: Request, team: Team, month: datetime.date, entries: list[services.Entry],
            *, bulk: bool) -> int:
    try:
        return services.measure_values_record(team=team, month=month, entries=entries,
                                              entered_by=request.user)
    except DjangoValidationError as exc:
        raise _entry_error(exc, len(entries), bulk=bulk) from exc


def _entry_error(exc: DjangoValidationError, count: int, *, bulk: bool) -> ValidationError:
    """``measure_values_record`` keys its errors ``"<index>:<column>"``: one value's errors
    go out by field, a month's by row under ``values``; the month itself is one field."""
    if not hasattr(exc, "error_dict"):
        field = NON_FIELD if bulk else _SERVICE_CODE_FIELDS.get(exc.code or "", NON_FIELD)
        return ValidationError({field: exc.messages})
    detail: dict[str, Any] = {}
    rows: list[dict[str, list[str]]] = [{} for _index in range(count)]
    for key, messages in exc.message_dict.items():
        index, _sep, column = key.partition(":")
        if key == NON_FIELD_ERRORS or not index.isdigit():
            detail.setdefault(NON_FIELD, []).extend(messages)
        elif column == "month" or not bulk:
            detail.setdefault(column, [])
            detail[column].extend(m for m in messages if m not in detail[column])
        else:
            rows[int(index)][column] = messages
    if any(rows):
        detail["values"] = rows
    return ValidationError(detail)


# --- Pareto tallies --------------------------------------------------------------------------

@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("team", int, description="Only this team's tallies.")]))
class ParetoTallyViewSet(viewsets.ReadOnlyModelViewSet):
    """A team's Pareto tallies (counts by category over a period), each with its categories
    largest first, their percent and cumulative percent, and a one-sentence summary. Read as
    the Pareto pages are: the team's members and its collaborative's advisors and coaches;
    other teams and state viewers see none. Filter with ``?team=<id>``."""

    serializer_class = ParetoTallySerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[ParetoTally]:
        tallies = ParetoTally.objects.filter(
            team__in=access.teams_visible_to(self.request.user)).prefetch_related("categories")
        team = id_param(self.request, "team")
        if team is not None:
            tallies = tallies.filter(team_id=team)
        return tallies.order_by("team_id", "-end", "-pk")
