"""Pages for measures: their definitions, and a team's monthly data (entry, CSV in and out)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from collaboratives.forms import add_service_errors, posted
from measures import csvio, events, selectors, services
from measures.forms import ImportForm, MeasureForm, MonthEntryForm
from measures.models import Measure
from measures.months import month_start
from teams import access


def _measure_for(request: HttpRequest, pk: int, *, manage: bool = False) -> Measure:
    visible = access.collaboratives_visible_to(request.user)
    measure = Measure.objects.filter(collaborative__in=visible, pk=pk).select_related(
        "collaborative").first()
    if measure is None:
        raise Http404("No such measure.")
    if manage and not access.can_manage_collaborative(request.user, measure.collaborative):
        raise PermissionDenied
    return measure


@login_required
def measure_list(request: HttpRequest, collaborative_pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, collaborative_pk)
    measures = collaborative.measures.prefetch_related("strata").annotate(
        team_count=Count("values__team", distinct=True)
    )
    return render(request, "measures/measure_list.html", {
        "collaborative": collaborative, "measures": measures,
        "can_manage": access.can_manage_collaborative(request.user, collaborative),
    })


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, collaborative_pk: int | None = None,
                 pk: int | None = None) -> HttpResponse:
    if pk is None:
        collaborative = access.collaborative_for(request.user, collaborative_pk, manage=True)
        measure = Measure(collaborative=collaborative)
    else:
        measure = _measure_for(request, pk, manage=True)
        collaborative = measure.collaborative
    form = MeasureForm(posted(request), instance=measure)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items()
                  if k not in ("strata", "strata_es", "reference")}
        try:
            services.measure_save(measure=measure, strata=form.strata_labels(),
                                  strata_es=form.strata_labels_es(),
                                  reference=form.cleaned_data["reference"], **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Measure “%(name)s” saved.") % {"name": measure.display_name})
            return redirect("measures:list", collaborative_pk=collaborative.pk)
    return render(request, "measures/measure_form.html",
                  {"form": form, "collaborative": collaborative, "measure": measure})


@login_required
def team_data(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.team_work_for(request.user, pk)
    measures = selectors.collaborative_measures(team.collaborative)
    months = selectors.entry_months(team.collaborative)
    overview = selectors.month_overview(team, measures, months)
    this_month = month_start(timezone.localdate())
    offer = selectors.month_to_offer(overview)
    if offer is None and measures and not months:
        offer = this_month  # before the collaborative starts: baseline data is welcome
    return render(request, "measures/team_data.html", {
        "team": team, "measures": measures, "overview": overview,
        "missing_count": sum(1 for status in overview if not status.is_complete),
        "can_enter": access.can_write_team_work(request.user, team),
        "can_manage": access.can_manage_collaborative(request.user, team.collaborative),
        "this_month": this_month, "offer": offer,
    })


@login_required
@require_http_methods(["GET", "POST"])
def team_data_month(request: HttpRequest, pk: int, month: datetime.date) -> HttpResponse:
    team = access.team_work_for(request.user, pk, write=True)
    if month > month_start(timezone.localdate()):
        raise Http404("That month has not happened yet.")
    if month < selectors.earliest_entry_month(team.collaborative):
        raise Http404("That month is too far before the collaborative.")
    measures = selectors.collaborative_measures(team.collaborative)
    context = {
        "team": team, "month": month, "measures": measures,
        "is_baseline": month < month_start(team.collaborative.start_date),
        "months_done": selectors.month_overview(
            team, measures, selectors.recent_entry_months(team.collaborative)),
    }
    # A measure recorded as events gets its monthly count from them (measures.events): it is
    # not typed here, where a typed count would be overwritten by the next event.
    entered = [measure for measure in measures if not measure.records_events]
    context["event_measures"] = events.event_measures(measures)
    if not entered:  # nothing to fill in: say why, and offer no Save button
        return render(request, "measures/team_data_month.html", context)
    rows = selectors.month_rows(team, entered, month)
    form = MonthEntryForm(posted(request), rows=rows, month=month)
    if request.method == "POST" and form.is_valid():
        entries = [
            services.Entry(row.measure, row.stratum, form.cleaned_data[f"{row.key}_numerator"],
                           form.cleaned_data.get(f"{row.key}_denominator"),
                           form.cleaned_data[f"{row.key}_note"].strip())
            for row in rows
        ]
        try:
            written = services.measure_values_record(team=team, month=month, entries=entries,
                                                     entered_by=request.user)
        except ValidationError as exc:
            _add_entry_errors(form, rows, exc)
        else:
            messages.success(request, ngettext("%(month)s saved (%(count)s value changed).",
                                               "%(month)s saved (%(count)s values changed).", written)
                             % {"month": date_format(month, "YEAR_MONTH_FORMAT"), "count": written})
            return redirect("measures:team-data", pk=team.pk)
    return render(request, "measures/team_data_month.html", {
        **context, "form": form, "sections": form.sections(),
        "error_summary": form.error_summary() if form.errors else [],
    })


def _add_entry_errors(form: MonthEntryForm, rows: list, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.message_dict.items():
        index, _sep, column = key.partition(":")
        field = f"{rows[int(index)].key}_{column}" if index.isdigit() else None
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def team_data_import(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.team_work_for(request.user, pk, write=True)
    form = ImportForm(posted(request), request.FILES or None)
    problems: list[csvio.Problem] = []
    if request.method == "POST" and form.is_valid():
        measures = selectors.collaborative_measures(team.collaborative)
        try:
            written = csvio.measure_values_import(team=team, measures=measures,
                                                  data=form.cleaned_data["file"].read(),
                                                  entered_by=request.user)
        except csvio.ImportRejected as rejected:
            problems = rejected.problems
            form.add_error("file", _("Nothing was saved: fix the problems listed below and upload again."))
        else:
            messages.success(request, ngettext("Import saved: %(count)s value written.",
                                               "Import saved: %(count)s values written.", written)
                             % {"count": written})
            return redirect("measures:team-data", pk=team.pk)
    return render(request, "measures/team_data_import.html",
                  {"team": team, "form": form, "problems": problems,
                   "this_month": month_start(timezone.localdate())})


@login_required
def team_data_template(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.team_work_for(request.user, pk, write=True)
    month = month_start(timezone.localdate())
    measures = selectors.collaborative_measures(team.collaborative)
    return _csv_response(csvio.write_csv(csvio.template_rows(measures, month)),
                         f"bsc-data-template-{month:%Y-%m}.csv")


@login_required
def team_data_export(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.team_work_for(request.user, pk)
    values = selectors.team_values(team).order_by("month", "measure__order", "measure__name",
                                                  "stratum__order")
    return _csv_response(csvio.write_csv(csvio.export_rows(values)),
                         f"bsc-data-team-{team.pk}.csv")


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
