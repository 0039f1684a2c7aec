"""Reads about teams, shared by views, the API and tasks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from teams.models import MemberRole, Membership, Team

# A cross-role team has at least one educator and one family member (composition_gaps).
CROSS_ROLE_ROLES = (MemberRole.EDUCATOR, MemberRole.FAMILY)


def teams_with_composition(teams: QuerySet[Team]) -> QuerySet[Team]:
    """Annotate each team with its member counts by role, in one query."""
    counts = {
        f"{role}_count": Count("memberships", filter=Q(memberships__role=role))
        for role in MemberRole.values
    }
    return (
        teams.select_related("organization", "collaborative")
        .annotate(member_count=Count("memberships"), **counts)
        .order_by("name", "pk")  # names repeat across collaboratives; pages need a total order
    )


def not_cross_role_q() -> Q:
    """Teams missing a role a cross-role team needs: the rows ``composition_gaps`` flags."""
    missing = Q()
    for role in CROSS_ROLE_ROLES:
        missing |= Q(~Exists(Membership.objects.accepted().filter(team=OuterRef("pk"), role=role)))
    return missing


def teams_filtered(teams: QuerySet[Team], *, query: str = "",
                   not_cross_role: bool = False) -> QuerySet[Team]:
    """Teams whose own or program's name contains ``query``, optionally only those that are
    not cross-role."""
    if query:
        teams = teams.filter(Q(name__icontains=query) | Q(organization__name__icontains=query))
    if not_cross_role:
        teams = teams.filter(not_cross_role_q())
    return teams


@dataclass(frozen=True)
class TeamCounts:
    total: int
    not_cross_role: int


def team_counts(teams: QuerySet[Team]) -> TeamCounts:
    """How many teams there are and how many are not cross-role, in one query."""
    counts = teams.aggregate(total=Count("pk"), not_cross_role=Count("pk", filter=not_cross_role_q()))
    return TeamCounts(**counts)


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


def composition_gaps_by_team(teams: Iterable[Team]) -> dict[int, list[CompositionGap]]:
    """``composition_gaps`` of many teams, building (and translating) each distinct list of
    gaps once rather than once per team. The lists are shared: do not change them."""
    distinct: dict[tuple[bool, ...], list[CompositionGap]] = {}
    by_team = {}
    for team in teams:
        key = tuple(bool(getattr(team, f"{role}_count")) for role in CROSS_ROLE_ROLES)
        if key not in distinct:
            distinct[key] = composition_gaps(team)
        by_team[team.pk] = distinct[key]
    return by_team


def team_memberships(team: Team) -> QuerySet[Membership]:
    return team.memberships.select_related("user").order_by(
        "-is_lead", "role", "user__last_name", "user__first_name"
    )


def teams_with_members(teams: QuerySet[Team]) -> QuerySet[Team]:
    """Teams with their members loaded, for the API."""
    return teams.select_related("organization").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("user"))
    )
