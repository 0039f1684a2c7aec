"""Reads about teams, shared by views, the API and tasks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from teams.models import MemberRole, Membership, Team


def teams_with_composition(teams: QuerySet[Team]) -> QuerySet[Team]:
    """Annotate each team with its member counts by role, in one query."""
    counts = {
        f"{role}_count": Count("memberships", filter=Q(memberships__role=role))
        for role in MemberRole.values
    }
    return (
        teams.select_related("organization", "collaborative")
        .annotate(member_count=Count("memberships"), **counts)
        .order_by("name")
    )


@dataclass(frozen=True)
class CompositionGap:
    code: str
    message: str


def composition_gaps(team: Team) -> list[CompositionGap]:
    """What a cross-role team is missing. Expects ``teams_with_composition`` annotations."""
    gaps = []
    if not team.educator_count:
        gaps.append(CompositionGap("no_educator", _("No educator on the team")))
    if not team.family_count:
        gaps.append(CompositionGap("no_family", _("No family member on the team")))
    return gaps


def team_memberships(team: Team) -> QuerySet[Membership]:
    return team.memberships.select_related("user").order_by(
        "-is_lead", "role", "user__last_name", "user__first_name"
    )


def teams_with_members(teams: QuerySet[Team]) -> QuerySet[Team]:
    """Teams with their members loaded, for the API."""
    return teams.select_related("organization").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("user"))
    )
