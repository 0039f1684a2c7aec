"""The system assessment pages: a state's professional-development offerings on the brief's
matrix, kept by the state's staff (state viewers). Leaders and team members have no state
to watch: they get a 403 that says whom the page is for."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collaboratives.forms import add_service_errors, posted
from reports.exports import export_response
from reports.system_assessment import (
    assessment_tables,
    pd_offering_delete,
    pd_offering_save,
    system_assessment,
)
from reports.system_forms import PDOfferingForm, StateChoiceForm
from teams import access


def _states(request: HttpRequest) -> list[str]:
    """The states the user keeps offerings for; 403, saying why, for everyone else."""
    if not access.can_watch_states(request.user):
        raise PermissionDenied(_("The system assessment is for state staff: it lists the "
                                 "professional-development offerings of the states they watch."))
    return access.states_watched_by(request.user)


def _assessment_url(state: str) -> str:
    return f"{reverse('system:assessment')}?{urlencode({'state': state})}"


@login_required
def assessment(request: HttpRequest) -> HttpResponse:
    states = _states(request)
    chooser = StateChoiceForm(request.GET if "state" in request.GET else None, states=states,
                              initial={"state": states[0] if states else ""})
    if not states:
        return render(request, "reports/system/assessment.html", {"chooser": chooser, "states": states})
    state = chooser.cleaned_data["state"] if chooser.is_bound and chooser.is_valid() else states[0]
    result = system_assessment(state)
    return render(request, "reports/system/assessment.html", {
        "chooser": chooser, "states": states, "state": state, "assessment": result,
        "frame": result.frame, "export_csv": _export_url(state, "csv"),
        "export_xlsx": _export_url(state, "xlsx"),
    })


def _export_url(state: str, fmt: str) -> str:
    return f"{reverse('system:export')}?{urlencode({'format': fmt, 'state': state})}"


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The page's tables as CSV or Excel; a state the user does not watch is not there."""
    states = _states(request)
    state = request.GET.get("state") or (states[0] if states else "")
    if state not in states:
        raise Http404("No such state.")
    tables = assessment_tables(system_assessment(state))
    return export_response(request.GET.get("format", "csv"), f"system-assessment-{state}", tables)


@login_required
@require_http_methods(["GET", "POST"])
def offering_create(request: HttpRequest) -> HttpResponse:
    states = _states(request)
    if not states:
        raise PermissionDenied(_("There is no state to add an offering to yet."))
    asked = request.GET.get("state")
    form = PDOfferingForm(posted(request), states=states,
                          initial={"state": asked if asked in states else states[0]})
    return _save(request, form, offering=None)


@login_required
@require_http_methods(["GET", "POST"])
def offering_update(request: HttpRequest, pk: int) -> HttpResponse:
    states = _states(request)
    offering = access.pd_offering_for(request.user, pk)
    form = PDOfferingForm(posted(request), states=states, offering=offering)
    return _save(request, form, offering=offering)


def _save(request: HttpRequest, form: PDOfferingForm, *, offering) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = pd_offering_save(offering=offering, created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” saved in %(quadrant)s.") % {
                "name": saved.name, "quadrant": saved.get_quadrant_display()})
            return redirect(_assessment_url(saved.state) + "#offerings")
    state = offering.state if offering else form["state"].value()
    return render(request, "reports/system/offering_form.html", {
        "form": form, "offering": offering, "back_url": _assessment_url(state or ""),
    })


@login_required
@require_http_methods(["GET", "POST"])
def offering_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _states(request)
    offering = access.pd_offering_for(request.user, pk)
    back = _assessment_url(offering.state)
    if request.method == "POST":
        pd_offering_delete(offering=offering)
        messages.success(request, _("“%(name)s” removed from the matrix.") % {"name": offering.name})
        return redirect(back + "#offerings")
    return render(request, "confirm_delete.html", {
        "object_label": offering.name, "cancel_url": back,
        "title": _("Remove “%(name)s”?") % {"name": offering.name},
        "explanation": _("The offering is removed from %(state)s's system assessment.") % {
            "state": offering.get_state_display()},
    })
