"""Pages for teams: list, team page with its composition, setup and membership."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collaboratives.forms import add_service_errors, posted
from teams import access, selectors, services
from teams.forms import MemberAddForm, MembershipForm, OrganizationForm, TeamCreateForm, TeamForm


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    teams = selectors.teams_with_composition(access.teams_visible_to(request.user))
    rows = [{"team": team, "gaps": selectors.composition_gaps(team)} for team in teams]
    return render(request, "teams/team_list.html", {"team_rows": rows})


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.team_for(request.user, pk)
    annotated = selectors.teams_with_composition(type(team).objects.filter(pk=team.pk)).get()
    return render(request, "teams/team_detail.html", {
        "team": team,
        "composition": annotated,
        "gaps": selectors.composition_gaps(annotated),
        "memberships": selectors.team_memberships(team),
        "can_manage": access.can_manage_team(request.user, team),
    })


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest, collaborative_pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, collaborative_pk, manage=True)
    form = TeamCreateForm(posted(request), state=collaborative.state)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                collaborative=collaborative, name=form.cleaned_data["name"],
                organization=form.cleaned_data["organization"],
                new_organization=form.new_organization(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Team created. Next: add its members."))
            return redirect(team)
    return render(request, "teams/team_create.html",
                  {"form": form, "collaborative": collaborative})


@login_required
@require_http_methods(["GET", "POST"])
def team_update(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.team_for(request.user, pk, manage=True)
    form = TeamForm(posted(request), instance=team)
    org_form = OrganizationForm(posted(request), instance=team.organization, prefix="org")
    if request.method == "POST" and form.is_valid() and org_form.is_valid():
        try:
            services.team_update(team=team, name=form.cleaned_data["name"])
            services.organization_update(organization=team.organization, **org_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Team saved."))
            return redirect(team)
    return render(request, "teams/team_form.html", {"form": form, "org_form": org_form, "team": team})


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.team_for(request.user, pk, manage=True)
    form = MemberAddForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_add(team=team, invited_by=request.user,
                                                 **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added to the team as %(role)s.") % {
                "name": membership.user.get_full_name() or membership.user.email,
                "role": membership.get_role_display().lower(),
            })
            if "add_another" in request.POST:
                return redirect("teams:member-add", pk=team.pk)
            return redirect(team)
    return render(request, "teams/member_add.html", {"form": form, "team": team})


@login_required
@require_http_methods(["GET", "POST"])
def member_update(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    team = access.team_for(request.user, pk, manage=True)
    membership = access.membership_for(request.user, team, membership_pk)
    form = MembershipForm(posted(request), instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=membership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Membership saved."))
            return redirect(team)
    return render(request, "teams/member_form.html",
                  {"form": form, "team": team, "membership": membership})


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    team = access.team_for(request.user, pk, manage=True)
    membership = access.membership_for(request.user, team, membership_pk)
    name = membership.user.get_full_name() or membership.user.username
    if request.method == "POST":
        services.membership_remove(membership=membership)
        messages.success(request, _("%(name)s removed from the team.") % {"name": name})
        return redirect(team)
    return render(request, "confirm_delete.html", {
        "object_label": name, "cancel_url": team.get_absolute_url(),
        "title": _("Remove %(name)s from %(team)s?") % {"name": name, "team": team},
        "explanation": _("They keep their account; the team's past work keeps their name."),
    })
