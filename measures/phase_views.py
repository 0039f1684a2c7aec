"""Pages that start and remove phases of a chart. A team's phases are its members' and its
collaborative's leaders' to set (everyone who may open the team's charts); the pooled chart's
are the leaders'. Everyone who sees a chart sees its phase marks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collaboratives.forms import add_service_errors, posted
from measures import phase_selectors, phase_services
from measures.chart_views import measure_for
from measures.models import Measure, MeasurePhase
from measures.phase_forms import PhaseForm
from teams import access
from teams.models import Team


def _team_chart(request: HttpRequest, team_pk: int, pk: int) -> tuple[Measure, Team]:
    team = access.team_for(request.user, team_pk)  # 404 unless its charts are the user's to see
    if not (access.can_write_team_work(request.user, team) or access.can_manage_team(request.user, team)):
        raise PermissionDenied
    measure = Measure.objects.filter(pk=pk, collaborative_id=team.collaborative_id).first()
    if measure is None:
        raise Http404("No such measure.")
    return measure, team


def _pooled_chart(request: HttpRequest, pk: int) -> Measure:
    measure = measure_for(request.user, pk)  # 404 unless the collaborative is the user's to see
    if not access.leads_collaborative(request.user, measure.collaborative_id):
        raise PermissionDenied
    return measure


def _chart_url(measure: Measure, team: Team | None) -> str:
    if team is None:
        return reverse("measures:detail", kwargs={"pk": measure.pk})
    return reverse("reports:team-charts", kwargs={"pk": team.pk}) + f"#chart-{measure.pk}-section"


@login_required
@require_http_methods(["GET", "POST"])
def team_phases(request: HttpRequest, team_pk: int, pk: int) -> HttpResponse:
    measure, team = _team_chart(request, team_pk, pk)
    return _phases(request, measure, team)


@login_required
@require_http_methods(["GET", "POST"])
def pooled_phases(request: HttpRequest, pk: int) -> HttpResponse:
    return _phases(request, _pooled_chart(request, pk), None)


def _phases(request: HttpRequest, measure: Measure, team: Team | None) -> HttpResponse:
    """The chart's phases, and the form that starts a new one."""
    form = PhaseForm(posted(request), months=phase_selectors.months_with_data(measure, team),
                     collaborative_id=measure.collaborative_id)
    if request.method == "POST" and form.is_valid():
        try:
            phase = phase_services.phase_create(measure=measure, team=team, created_by=request.user,
                                                **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("A new phase starts in %(month)s.") % {
                "month": date_format(phase.start_month, "YEAR_MONTH_FORMAT")})
            return redirect(_chart_url(measure, team))
    return render(request, "measures/phase_list.html", {
        "measure": measure, "team": team, "form": form, "chart_url": _chart_url(measure, team),
        "phases": phase_selectors.phases_of(measure, team)})


def _phase_for(request: HttpRequest, pk: int) -> MeasurePhase:
    phase = MeasurePhase.objects.select_related("measure", "team").filter(pk=pk).first()
    if phase is None:
        raise Http404("No such phase.")
    if phase.team is None:
        _pooled_chart(request, phase.measure_id)
    else:
        _team_chart(request, phase.team_id, phase.measure_id)
    return phase


@login_required
@require_http_methods(["GET", "POST"])
def phase_delete(request: HttpRequest, pk: int) -> HttpResponse:
    phase = _phase_for(request, pk)
    if request.method == "POST":
        measure, team = phase.measure, phase.team
        phase_services.phase_delete(phase=phase)
        messages.success(request, _("Phase removed: its months belong to the phase before again."))
        return redirect(_chart_url(measure, team))
    return render(request, "measures/phase_confirm_delete.html", {
        "phase": phase, "measure": phase.measure, "team": phase.team,
        "back_url": _phase_list_url(phase)})


def _phase_list_url(phase: MeasurePhase) -> str:
    if phase.team_id is None:
        return reverse("phases:pooled", kwargs={"pk": phase.measure_id})
    return reverse("phases:team", kwargs={"team_pk": phase.team_id, "pk": phase.measure_id})
