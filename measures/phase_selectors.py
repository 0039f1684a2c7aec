"""Reads of chart phases (``MeasurePhase``) as the plain ``PhaseStart`` data the analysis
takes. Kept apart from the phase services so the aggregate layer can read phases without
importing what writes them (the services forget the aggregate cache)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import QuerySet

from measures.models import Measure, MeasurePhase, MeasureValue
from measures.series import PhaseStart
from teams.models import Team


def _start(phase: MeasurePhase) -> PhaseStart:
    return PhaseStart(phase.start_month, phase.reason, phase.pk,
                      phase.change_idea.title if phase.change_idea_id else "")


def phases_of(measure: Measure, team: Team | None) -> QuerySet[MeasurePhase]:
    """A chart's phases in order: a team's, or (``team`` None) the pooled chart's."""
    return (MeasurePhase.objects.filter(measure=measure, team=team)
            .select_related("change_idea", "created_by").order_by("start_month"))


def team_phase_starts(team: Team) -> dict[int, list[PhaseStart]]:
    """Every phase of a team's charts, by measure id, in one query."""
    return _grouped(MeasurePhase.objects.filter(team=team), "measure_id")


def measure_team_phase_starts(measure: Measure) -> dict[int, list[PhaseStart]]:
    """Every team's phases of one measure, by team id, in one query (the every-team panel)."""
    return _grouped(MeasurePhase.objects.filter(measure=measure, team__isnull=False), "team_id")


def _grouped(phases: QuerySet[MeasurePhase], key: str) -> dict[int, list[PhaseStart]]:
    starts: dict[int, list[PhaseStart]] = defaultdict(list)
    for phase in phases.select_related("change_idea").order_by("start_month"):
        starts[getattr(phase, key)].append(_start(phase))
    return dict(starts)


def chart_phase_starts(measure: Measure, team: Team | None) -> list[PhaseStart]:
    return [_start(phase) for phase in phases_of(measure, team)]


def months_with_data(measure: Measure, team: Team | None) -> list[datetime.date]:
    """The months a chart has data in: the team's, or any team's for the pooled chart."""
    values = MeasureValue.objects.filter(measure=measure)
    if team is not None:
        values = values.filter(team=team)
    return list(values.order_by("month").values_list("month", flat=True).distinct())
