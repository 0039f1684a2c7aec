"""Pages for a team's events of a measure that records them: the list (newest first), the
form to add one, the g or t chart with its table, and deleting an event. Access is the
team's monthly data's (``access.team_work_for``): members write, the collaborative's
leaders read, everyone else gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collaboratives.forms import add_service_errors, posted
from measures import event_charts, events
from measures.event_forms import EventForm
from measures.models import Measure, MeasureEvent
from teams import access
from teams.models import Team


def _event_measure(team: Team, pk: int) -> Measure:
    measure = Measure.objects.filter(collaborative_id=team.collaborative_id, pk=pk,
                                     records_events=True).first()
    if measure is None:
        raise Http404("No such measure recording events.")
    return measure


@login_required
@require_http_methods(["GET", "POST"])
def event_list(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    team = access.team_work_for(request.user, pk, write=request.method == "POST")
    measure = _event_measure(team, measure_pk)
    form = EventForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            event = events.event_record(measure=measure, team=team, user=request.user,
                                        **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Event of %(date)s recorded.")
                             % {"date": date_format(event.date, "DATE_FORMAT")})
            return redirect("events:list", pk=team.pk, measure_pk=measure.pk)
    recorded = list(events.team_events(team, measure))
    chart = (event_charts.event_chart(measure, recorded)
             if measure.chart_kind in event_charts.EVENT_CHART_KINDS else None)
    rows = chart.rows if chart is not None else event_charts.event_rows(recorded)
    return render(request, "measures/event_list.html", {
        "team": team, "measure": measure, "events": recorded, "chart": chart, "form": form,
        "rows": rows[::-1],  # newest first, as the list reads
        "error_summary": form.error_summary() if form.errors else [],
        "can_enter": access.can_write_team_work(request.user, team),
    })


@login_required
@require_http_methods(["GET", "POST"])
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    team_id = MeasureEvent.objects.filter(pk=pk).values_list("team_id", flat=True).first()
    if team_id is None:
        raise Http404("No such event.")
    team = access.team_work_for(request.user, team_id, write=True)  # 404 / 403 as for data
    event = MeasureEvent.objects.select_related("measure").get(pk=pk)
    event.team = team
    back = ("events:list", {"pk": team.pk, "measure_pk": event.measure_id})
    if request.method == "POST":
        when = date_format(event.date, "DATE_FORMAT")
        events.event_delete(event=event, user=request.user)
        messages.success(request, _("Event of %(date)s deleted.") % {"date": when})
        return redirect(back[0], **back[1])
    return render(request, "measures/event_confirm_delete.html", {"event": event, "team": team})
