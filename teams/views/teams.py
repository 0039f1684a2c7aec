"""Pages for teams: list, team page with its composition, setup and membership."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from collaboratives.forms import add_service_errors, posted
from teams import access, panels, selectors, services
from teams.forms import MemberAddForm, MembershipForm, OrganizationForm, TeamCreateForm, TeamForm
from teams.models import Organization, Team

TEAMS_PER_PAGE = 50
PROGRAM_SHARED = _lazy(
    "This program also has teams in collaboratives you do not lead, so its details cannot be "
    "changed here. Ask a site administrator to correct them.")
# Fewer teams than this fit on a screen or two, where a filter form is only clutter.
TEAMS_FILTER_FROM = 10


@dataclass(frozen=True)
class TeamFilter:
    """A team table's filter, from the query string (``?q=`` and ``?gaps=1``)."""

    query: str = ""
    not_cross_role: bool = False

    @classmethod
    def from_request(cls, request: HttpRequest, *, may_filter_gaps: bool) -> TeamFilter:
        return cls(
            query=request.GET.get("q", "").strip()[:100],
            # Composition is for leaders: nobody else may learn it by filtering on it.
            not_cross_role=may_filter_gaps and request.GET.get("gaps") == "1",
        )

    @property
    def is_active(self) -> bool:
        return bool(self.query or self.not_cross_role)


def team_table(request: HttpRequest, teams: QuerySet[Team], *, with_gaps: bool,
               may_filter_gaps: bool = False, total: int | None = None) -> dict[str, Any]:
    """Template context for one page of a team table: the ``teams`` that match the filter
    in the query string, ``TEAMS_PER_PAGE`` at a time. ``total`` is ``teams.count()`` when
    the caller has counted them already.

    Rows carry what the template would otherwise work out per row (the program's kind in
    words, the team's URL if the user may open it), so a page costs little to render."""
    team_filter = TeamFilter.from_request(request, may_filter_gaps=may_filter_gaps)
    matching = selectors.teams_with_composition(selectors.teams_filtered(
        teams, query=team_filter.query, not_cross_role=team_filter.not_cross_role))
    paginator = Paginator(matching, TEAMS_PER_PAGE)
    if total is not None and not team_filter.is_active:
        paginator.count = total  # the same number; setting the cached property spares a query
    page = paginator.get_page(request.GET.get("page"))
    if total is None:
        total = teams.count() if team_filter.is_active else paginator.count
    on_page = list(page.object_list)
    kinds = {value: str(label) for value, label in Organization.Kind.choices}
    gaps = selectors.composition_gaps_by_team(on_page) if with_gaps else {}
    rows = []
    for team in on_page:
        readable = access.can_read_team(request.user, team)
        # Who is on a team and what it lacks are for those who may open its page; a state
        # viewer's list names the team and its program only.
        rows.append({
            "team": team,
            "kind": kinds.get(team.organization.kind, team.organization.kind),
            "url": team.get_absolute_url() if readable else "",
            "gaps": gaps.get(team.pk, []) if readable else [],
            "members": team.member_count if readable else None,
        })
    return {
        "team_rows": rows, "team_page": page, "team_total": total, "team_filter": team_filter,
        "may_filter_gaps": may_filter_gaps,
        "show_team_filter": team_filter.is_active or total > TEAMS_FILTER_FROM,
        # Elided, so the links stay a handful however many teams there are.
        "team_page_links": (list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
                            if paginator.num_pages > 1 else []),
    }


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    table = team_table(request, access.teams_listed_to(request.user), with_gaps=True)
    table["invitations"] = list(access.invitations_for(request.user))
    return render(request, "teams/team_list.html", table)


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
        "panels": panels.panels_for(request, team),
    })


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest, collaborative_pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, collaborative_pk, manage=True)
    form = TeamCreateForm(posted(request), state=collaborative.state,
                          organizations=access.organizations_offered_to(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                collaborative=collaborative, name=form.cleaned_data["name"],
                organization=form.cleaned_data["organization"],
                new_organization=form.new_organization(), created_by=request.user,
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
    # The program's details are changed here only while no other collaborative uses it;
    # otherwise they are shown, not offered, and a forged post is refused.
    org_form = (OrganizationForm(posted(request), instance=team.organization, prefix="org")
                if access.can_edit_organization(request.user, team.organization) else None)
    if request.method == "POST" and org_form is None and any(k.startswith("org-") for k in request.POST):
        form.add_error(None, ValidationError(PROGRAM_SHARED, code="organization_shared"))
    elif request.method == "POST" and form.is_valid() and (org_form is None or org_form.is_valid()):
        try:
            services.team_update(team=team, name=form.cleaned_data["name"])
            if org_form is not None:
                services.organization_update(organization=team.organization, **org_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Team saved."))
            return redirect(team)
    return render(request, "teams/team_form.html", {
        "form": form, "org_form": org_form, "team": team, "program_shared": PROGRAM_SHARED,
    })


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
            # The same words whether the address had an account or not: only what was typed.
            messages.success(request, _(
                "Invitation sent to %(email)s. They join the team as %(role)s once they accept."
            ) % {"email": membership.invited_email, "role": membership.get_role_display().lower()})
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
    name = membership.display_name
    if request.method == "POST":
        services.membership_remove(membership=membership)
        messages.success(request, _("%(name)s removed from the team.") % {"name": name})
        return redirect(team)
    return render(request, "confirm_delete.html", {
        "object_label": name, "cancel_url": team.get_absolute_url(),
        "title": _("Remove %(name)s from %(team)s?") % {"name": name, "team": team},
        "explanation": _("They keep their account; the team's past work keeps their name."),
    })


# --- Invitations: the invited person accepts or declines -----------------------------------

@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "teams/invitation_list.html",
                  {"invitations": access.invitations_for(request.user)})


@login_required
@require_http_methods(["POST"])
def invitation_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept (``accept`` in the post) or decline one of the person's own invitations."""
    membership = access.invitation_for(request.user, pk)
    team = membership.team
    if "accept" in request.POST:
        services.membership_accept(membership=membership)
        access.forget_grants(request.user)
        messages.success(request, _("Welcome to %(team)s.") % {"team": team})
        return redirect(team)
    services.membership_decline(membership=membership)
    messages.success(request, _("Invitation to %(team)s declined.") % {"team": team})
    return redirect("invitations:list")
