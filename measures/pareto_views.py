"""Pages for a team's Pareto tallies. Access is the team's monthly data's: whoever may read the
team's data reads its tallies; whoever may enter its data writes them (``team_work_for``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.forms import BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collaboratives.forms import add_service_errors, posted
from measures import pareto
from measures.models import ParetoTally
from measures.pareto_forms import ParetoTallyForm, filled_rows, tally_forms
from teams import access
from teams.models import Team


def _tally_for(request: HttpRequest, pk: int, *, write: bool = False) -> ParetoTally:
    """The tally, with its team, in one query: 404 unless the team's work is the user's to
    read, 403 if ``write`` and they are not on the team (as for the team's data)."""
    tally = (ParetoTally.objects.filter(pk=pk, team__in=access.teams_visible_to(request.user))
             .select_related("team__collaborative", "team__organization")
             .prefetch_related("categories").first())
    if tally is None:
        raise Http404("No such tally.")
    if write and not access.can_write_team_work(request.user, tally.team):
        raise PermissionDenied
    return tally


@login_required
def tally_list(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.team_work_for(request.user, pk)
    tallies = team.pareto_tallies.annotate(total=Sum("categories__count"),
                                           category_count=Count("categories"))
    return render(request, "measures/pareto_list.html", {
        "team": team, "tallies": tallies,
        "can_enter": access.can_write_team_work(request.user, team)})


@login_required
def tally_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tally = _tally_for(request, pk)
    rows = pareto.pareto_rows(tally)
    return render(request, "measures/pareto_detail.html", {
        "tally": tally, "team": tally.team, "rows": rows,
        "total": sum(row.count for row in rows),
        "summary": pareto.pareto_summary(tally, rows),
        "chart": pareto.pareto_svg(tally, rows),
        "can_enter": access.can_write_team_work(request.user, tally.team)})


@login_required
@require_http_methods(["GET", "POST"])
def tally_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, access.team_work_for(request.user, pk, write=True), None)


@login_required
@require_http_methods(["GET", "POST"])
def tally_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tally = _tally_for(request, pk, write=True)
    return _edit(request, tally.team, tally)


def _edit(request: HttpRequest, team: Team, tally: ParetoTally | None) -> HttpResponse:
    form, formset = tally_forms(posted(request), tally)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = filled_rows(formset)
        try:
            saved = pareto.pareto_tally_save(
                team=team, tally=tally, categories=[category for _index, category in rows],
                saved_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, formset, rows, exc)
        else:
            messages.success(request, _("Tally “%(title)s” saved.") % {"title": saved.title})
            if "add_rows" in request.POST:  # "Save and add more rows" comes back to the form
                return redirect("pareto:update", pk=saved.pk)
            return redirect(saved)
    return render(request, "measures/pareto_form.html",
                  {"team": team, "tally": tally, "form": form, "formset": formset})


def _add_errors(form: ParetoTallyForm, formset: BaseFormSet, rows: list, exc: ValidationError) -> None:
    """Service errors keyed ``categories:<n>`` go on the n-th filled row of the formset."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.message_dict.items():
        _name, _sep, index = key.partition(":")
        if key.startswith("categories:") and index.isdigit():
            formset.forms[rows[int(index)][0]].add_error("label", errors)
        elif key == "categories":
            form.add_error(None, errors)
        else:
            add_service_errors(form, ValidationError({key: errors}))


@login_required
@require_http_methods(["GET", "POST"])
def tally_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tally = _tally_for(request, pk, write=True)
    if request.method == "POST":
        team_pk, title = tally.team.pk, tally.title
        pareto.pareto_tally_delete(tally=tally)
        messages.success(request, _("Tally “%(title)s” deleted.") % {"title": title})
        return redirect("pareto:list", pk=team_pk)
    return render(request, "measures/pareto_confirm_delete.html", {"tally": tally, "team": tally.team})
