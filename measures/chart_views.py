"""Chart pages: a team's run charts, and one measure across the collaborative."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from collaboratives.models import Collaborative, Period
from measures import charts, selectors, series
from measures.models import Measure, MeasureValue
from teams import access
from teams.models import Team


def session_markers(collaborative: Collaborative) -> list[charts.Annotation]:
    periods = collaborative.periods.filter(kind=Period.Kind.LEARNING_SESSION).order_by("start_date")
    return [charts.Annotation(period.start_date, f"LS{period.number}",
                              f"{period.label}, {date_format(period.start_date)}")
            for period in periods]


def team_chart_context(
    team: Team, *,
    markers: Callable[[list[int]], dict[int, list[charts.Annotation]]] | None = None,
) -> dict:
    """Every measure of a team as a chart with its summary, table and strata. ``markers``
    is given the measure ids and returns dated annotations for each (PDSA decisions,
    gathered by a higher layer that this one may not import)."""
    measures = selectors.collaborative_measures(team.collaborative)
    extra = markers([measure.pk for measure in measures]) if markers else {}
    values_by_measure: dict[int, list[MeasureValue]] = defaultdict(list)
    for value in selectors.team_values(team).order_by("month"):
        values_by_measure[value.measure_id].append(value)
    sessions = session_markers(team.collaborative)
    panels = []
    for measure in measures:
        values = values_by_measure[measure.pk]
        months = series.month_axis(values)
        line = series.team_series(measure, values, team.name, months)
        annotations = [*sessions, *extra.get(measure.pk, [])]
        panel = {"measure": measure, "series": line, "summary": series.summary(line),
                 "figure_id": f"chart-{measure.pk}",
                 "figure": charts.run_chart(line, annotations=annotations)}
        if measure.is_stratified and values:
            panel.update(_strata_panel(measure, values, months, suppress=False))
        panels.append(panel)
    return {"team": team, "panels": panels}


@login_required
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One measure across the collaborative: pooled against the aim; leaders also see every
    team's chart. Members and state viewers see only the aggregate (other teams' data is
    theirs), and state viewers never see a count below 10."""
    visible = access.collaboratives_visible_to(request.user)
    measure = Measure.objects.filter(pk=pk, collaborative__in=visible).select_related(
        "collaborative").prefetch_related("strata").first()
    if measure is None:
        raise Http404("No such measure.")
    collaborative = measure.collaborative
    leads = access.can_manage_collaborative(request.user, collaborative)
    values = list(MeasureValue.objects.filter(measure=measure).select_related("team", "stratum")
                  .order_by("month"))
    months = series.month_axis(values)
    pooled = series.collaborative_series(measure, values, months)
    if not leads:
        pooled = series.rates_only(pooled, series.small_months(pooled))
    context = {
        "collaborative": collaborative, "measure": measure, "leads": leads, "pooled": pooled,
        "summary": series.summary(pooled),
        "figure": charts.run_chart(pooled, annotations=session_markers(collaborative)),
    }
    if leads:
        by_team: dict[int, list[MeasureValue]] = defaultdict(list)
        names = {}
        for value in values:
            by_team[value.team_id].append(value)
            names[value.team_id] = value.team.name
        team_lines = [series.team_series(measure, by_team[team_id], names[team_id], months)
                      for team_id in sorted(by_team, key=lambda team_id: names[team_id])]
        context["team_lines"] = [{"series": line, "summary": series.summary(line)} for line in team_lines]
        context["multiples"] = charts.small_multiples(team_lines)
        context["recent_months"] = months[-6:]
        context["recent_rows"] = [
            {"label": line.label,
             "values": [series.format_value(measure, v) for v in line.values[-6:]]}
            for line in team_lines
        ]
    if measure.is_stratified and values:
        context.update(_strata_panel(measure, values, months, suppress=not leads))
    return render(request, "measures/measure_detail.html", context)


def _strata_panel(measure: Measure, values: list[MeasureValue], months: list, *,
                  suppress: bool) -> dict:
    lines = series.stratum_series(measure, values, months)
    if suppress:
        lines = _suppressed(lines)
    reference = next((line for line in lines if line.stratum and line.stratum.is_reference), None)
    table = [{"month": month, "cells": [
        {"display": series.format_value(measure, line.points[index].value),
         "suppressed": index in line.extra.get("suppressed", set())} for line in lines]}
        for index, month in enumerate(months)]
    context = {"strata": lines, "strata_table": table, "strata_figure": charts.strata_chart(
        lines, title=_("%(measure)s by %(dimension)s") % {"measure": measure.name,
                                                          "dimension": measure.stratification})}
    context.update(strata_id=f"strata-{measure.pk}", disparity_id=f"disparity-{measure.pk}",
                   strata_summary=_strata_summary(measure, lines),
                   suppressed_note=any(line.extra.get("suppressed") for line in lines))
    if reference is not None:
        ratios = {
            line.label: [None if v is None or not r else v / r
                         for v, r in zip(line.values, reference.values, strict=True)]
            for line in lines if line is not reference
        }
        context["disparity"] = ratios
        context["reference"] = reference
        context["disparity_summary"] = _disparity_summary(ratios, months, reference.label)
        context["disparity_figure"] = charts.disparity_chart(
            ratios, months, title=_("Compared with %(group)s") % {"group": reference.label},
            reference=reference.label)
    return context


def _suppressed(lines: list[series.Series]) -> list[series.Series]:
    """Blank each month's small cells (1 to 9 events) across the groups, complementary cells
    included, so no hidden count can be worked out from the others."""
    hidden = series.small_stratum_cells(lines)
    return [series.rates_only(line, hidden[line.label]) for line in lines]


def _latest(values: list) -> tuple[int, object] | None:
    return next(((i, v) for i in range(len(values) - 1, -1, -1) if (v := values[i]) is not None), None)


def _strata_summary(measure: Measure, lines: list[series.Series]) -> str:
    latest = [(line.label, _latest(line.values)) for line in lines]
    shown = [f"{label} {series.format_value(measure, found[1])}" for label, found in latest if found]
    if not shown:
        return _("No group has a value to show yet.")
    return _("%(measure)s by %(dimension)s, latest value of each group: %(values)s.") % {
        "measure": measure.name, "dimension": measure.stratification, "values": "; ".join(shown)}


def _disparity_summary(ratios: dict[str, list], months: list, reference: str) -> str:
    latest = {label: _latest(values) for label, values in ratios.items()}
    latest = {label: found for label, found in latest.items() if found}
    if not latest:
        return _("Not enough data to compare the groups with %(group)s yet.") % {"group": reference}
    label, (index, ratio) = max(latest.items(), key=lambda item: item[1][1])
    return _("In %(month)s the highest ratio was %(group)s at %(ratio).1f times %(reference)s "
             "(1.0 means no gap).") % {"month": date_format(months[index], "F Y"), "group": label,
                                       "ratio": ratio, "reference": reference}
