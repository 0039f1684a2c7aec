"""The home page sends each person to where their work is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from collaboratives.selectors import collaboratives_with_counts
from teams import access


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One place to go: go there. Several (an advisor of two cohorts, a coach who is also a
    parent on a team): list them. None: say how to get access. Invitations waiting for an
    answer come first: a new member's team opens only once they accept."""
    if access.invitations_for(request.user).exists():
        return redirect("invitations:list")
    grants = access.grants_for(request.user)
    led = collaboratives_with_counts(access.collaboratives_managed_by(request.user))
    teams = access.teams_visible_to(request.user).filter(pk__in=grants.team_ids).select_related(
        "collaborative"
    )
    watched = collaboratives_with_counts(
        access.collaboratives_visible_to(request.user).filter(state__in=grants.states)
    )
    destinations = [*led, *teams, *watched]
    # Leaders land on their cohort dashboard, state viewers on the state dashboard (higher
    # layers' pages, named here by URL only).
    if len(led) == 1 and not teams and not grants.states:
        return redirect("reports:dashboard", pk=led[0].pk)
    if grants.states and not led and not teams:
        return redirect("reports:state")
    if len(destinations) == 1:
        return redirect(destinations[0])
    return render(request, "home.html", {
        "led": led, "teams": teams, "watched": watched, "has_any": bool(destinations),
        "can_create": access.can_create_collaborative(request.user),
    })
