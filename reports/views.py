"""Pages that bring several layers together: they sit here, at the top, so that imports
keep running one way (a team's run charts carry its PDSA decisions)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from measures.chart_views import team_chart_context
from pdsa.selectors import decision_markers
from teams import access


@login_required
def team_charts(request: HttpRequest, pk: int) -> HttpResponse:
    """A team's run charts, each marked with the learning sessions and with the PDSA cycles
    that adopted or adapted a change linked to the measure."""
    team = access.team_work_for(request.user, pk)
    context = team_chart_context(team, markers=lambda measure_ids: decision_markers(team, measure_ids))
    return render(request, "measures/team_charts.html", context)
