"""Chart pages: a team's run charts, and one measure across the collaborative."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from collaboratives.models import Collaborative, Period
from measures import aggregates, charts, csvio, phase_selectors, privacy, selectors, series, summaries
from measures.formatting import format_value
from measures.models import Measure, MeasureValue
from teams import access
from teams.models import Team

TEAMS_PER_PAGE = 24


def session_markers(collaborative: Collaborative) -> list[charts.Annotation]:
    periods = collaborative.periods.filter(kind=Period.Kind.LEARNING_SESSION).order_by("start_date")
    # "LS1" in English, "SA1" in Spanish (sesión de aprendizaje).
    return [charts.Annotation(period.start_date, _("LS%(number)s") % {"number": period.number},
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
    phases = phase_selectors.team_phase_starts(team)
    panels = []
    for measure in measures:
        values = values_by_measure[measure.pk]
        line = series.team_series(measure, values, team.name, phases=phases.get(measure.pk, ()))
        annotations = [*sessions, *extra.get(measure.pk, [])]
        panel = {"measure": measure, "series": line, "summary": summaries.summary(line),
                 "figure_id": f"chart-{measure.pk}",
                 "figure": charts.run_chart(line, annotations=annotations)}
        if measure.is_stratified and values:
            strata = series.stratum_series(measure, values, line.months)
            panel.update(strata_context(measure, strata, _team_disparity(measure, values)))
        panels.append(panel)
    return {"team": team, "panels": panels}


def _team_disparity(measure: Measure, values: list[MeasureValue]) -> aggregates.Disparity | None:
    """A team's own groups by quarter (its own data: nothing hidden from the team)."""
    cells: dict = defaultdict(dict)
    for value in values:
        if value.stratum_id is None:
            continue
        quarter = aggregates.quarter_of(value.month)
        cell = cells[quarter].get(value.stratum_id, privacy.Cell(0.0, None, 1))
        denominator = cell.denominator
        if value.denominator is not None:
            denominator = (denominator or 0.0) + float(value.denominator)
        cells[quarter][value.stratum_id] = privacy.Cell(cell.numerator + float(value.numerator),
                                                        denominator, 1)
    return aggregates.disparity_from_cells(measure, cells, full=True)


def strata_context(measure: Measure, lines: list[series.Series],
                   disparity: aggregates.Disparity | None, *, min_teams: int = 3) -> dict:
    """The groups of a stratified measure as a chart, a table and a sentence, and the
    disparity ratios by quarter."""
    months = lines[0].months if lines else []
    table = [{"month": month, "cells": [
        {"display": format_value(measure, line.points[index].value),
         "hidden": line.hidden.get(index)} for line in lines]}
        for index, month in enumerate(months)]
    context = {
        "strata": lines, "strata_table": table, "strata_id": f"strata-{measure.pk}",
        "strata_summary": summaries.strata_summary(measure, lines), "min_teams": min_teams,
        # Titles go in the page as headings: a phone would cut them inside the plot.
        "strata_title": _("%(measure)s by %(dimension)s") % {
            "measure": measure.display_name, "dimension": measure.display_stratification},
        "strata_figure": charts.strata_chart(lines),
        "suppressed_note": any(line.hidden for line in lines),
    }
    if disparity is not None:
        context.update(
            disparity=disparity, disparity_id=f"disparity-{measure.pk}",
            disparity_summary=disparity.summary,
            disparity_title=_("Compared with %(group)s, by quarter") % {"group": disparity.reference},
            disparity_figure=charts.disparity_chart(disparity.ratios, disparity.periods,
                                                    reference=disparity.reference),
        )
        context["suppressed_note"] |= any(disparity.hidden.values())
    return context


def measure_for(user: access.User, pk: int) -> Measure:
    """A measure of a collaborative the user may read, or 404."""
    visible = access.collaboratives_visible_to(user)
    measure = (Measure.objects.filter(pk=pk, collaborative__in=visible)
               .select_related("collaborative").prefetch_related("strata").first())
    if measure is None:
        raise Http404("No such measure.")
    return measure


@login_required
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One measure across the collaborative, against the aim. Leaders also see every team as
    a small chart with its status, teams with a signal first; everyone else sees only the
    aggregate, with the small-cell rules applied by the aggregate layer."""
    measure = measure_for(request.user, pk)
    collaborative = measure.collaborative
    figures = aggregates.measure_figures(measure, request.user)
    pooled = figures.collaborative
    context = {
        "collaborative": collaborative, "measure": measure, "figures": figures, "pooled": pooled,
        "leads": figures.full, "summary": figures.summary,
        "pooled_rows": [{**row, "teams": teams} for row, teams in zip(pooled.rows(), figures.reporting,
                                                                       strict=True)],
        "figure": charts.run_chart(pooled, annotations=session_markers(collaborative)),
    }
    if figures.full:
        context.update(_team_panel(request, figures))
    if measure.is_stratified and figures.strata:
        context.update(strata_context(measure, figures.strata, figures.disparity,
                                      min_teams=figures.min_teams))
    return render(request, "measures/measure_detail.html", context)


@login_required
def measure_figures_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The collaborative figures of the page as CSV, under the same rules as the page."""
    measure = measure_for(request.user, pk)
    header, rows = csvio.figures_rows(aggregates.measure_figures(measure, request.user))
    response = HttpResponse(csvio.write_table(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bsc-figures-measure-{measure.pk}.csv"'
    return response


def _team_panel(request: HttpRequest, figures: aggregates.Figures) -> dict:
    """A page of the teams' small charts, filtered by name and by signal."""
    query = request.GET.get("q", "").strip()[:100]
    signal_only = request.GET.get("signal") == "1"
    lines = [line for line in figures.teams
             if query.casefold() in line.label.casefold() and (not signal_only or line.has_signal)]
    page = Paginator(lines, TEAMS_PER_PAGE).get_page(request.GET.get("page"))
    recent = figures.months[-6:]
    return {
        "team_page": page, "team_query": query, "signal_only": signal_only,
        "teams_with_signal": sum(1 for line in figures.teams if line.has_signal),
        "recent_months": recent,
        "recent_rows": [{"line": line, "values": [format_value(figures.measure, v)
                                                  for v in line.values[-len(recent):]]}
                        for line in page.object_list] if recent else [],
    }
