"""Who may see or change what. The one place the portal's access rules live.

Every view, API endpoint, task and export scopes its querysets through these functions;
none re-derives the rules. The rules (design.md, "Who uses it"):

- advisors, coaches and faculty of a collaborative read and change it, its timeline and
  its teams, and read every team's work in it;
- a team member reads the collaborative their team is in and their own team; another
  team's page is not theirs to know about (404); changing the team or the collaborative
  is for advisors (403);
- a team's own work (monthly data, later its PDSA cycles and reports) is written by its
  members; advisors and coaches read it (403 on writes), nobody else sees it (404);
- a state viewer reads the collaboratives of their state, never a team's private page,
  and changes nothing (403);
- a state viewer reads the collaboratives of their state, never a team's private page,
  and changes nothing (403) — except their state's list of professional-development
  offerings (the system assessment), which state staff keep;
- learning-session attendance, affinity groups and evaluation forms are run by the
  collaborative's leaders; an affinity group's meetings and notes are also read by the
  team members of the group's role; an open evaluation is answered by the members of the
  collaborative's teams, and only its leaders read the answers;
- a site administrator (superuser) sees everything; anyone else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from collaboratives.models import Collaborative, CollaborativeRole, PDOffering, StateViewerRole
from teams.models import AffinityGroup, Evaluation, Membership, Organization, Team

User = AbstractBaseUser | AnonymousUser

_CACHE_ATTR = "_bsc_access_grants"


@dataclass(frozen=True)
class Grants:
    """What one user holds, read once per request and kept on the user object."""

    is_superuser: bool
    led_collaborative_ids: frozenset[int]
    advisor_collaborative_ids: frozenset[int]
    team_ids: frozenset[int]
    member_collaborative_ids: frozenset[int]
    states: frozenset[str]

    @property
    def is_anyone(self) -> bool:
        return bool(
            self.is_superuser or self.led_collaborative_ids or self.team_ids or self.states
        )


_NOBODY = Grants(False, frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


def grants_for(user: User) -> Grants:
    if not user.is_authenticated or not user.is_active:
        return _NOBODY
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    roles = list(CollaborativeRole.objects.filter(user=user).values_list("collaborative_id", "role"))
    # An invitation not yet accepted grants nothing: adding someone's email to a team
    # does not pull their account into it.
    memberships = list(Membership.objects.accepted().filter(user=user)
                       .values_list("team_id", "team__collaborative_id"))
    grants = Grants(
        is_superuser=user.is_superuser,
        led_collaborative_ids=frozenset(collab for collab, _role in roles),
        advisor_collaborative_ids=frozenset(
            collab for collab, role in roles if role == CollaborativeRole.Role.ADVISOR
        ),
        team_ids=frozenset(team for team, _collab in memberships),
        member_collaborative_ids=frozenset(collab for _team, collab in memberships),
        states=frozenset(StateViewerRole.objects.filter(user=user).values_list("state", flat=True)),
    )
    setattr(user, _CACHE_ATTR, grants)
    return grants


def forget_grants(user: User) -> None:
    """Drop the cached grants after a role changes within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


# --- Collaboratives ------------------------------------------------------------------

def collaboratives_visible_to(user: User) -> QuerySet[Collaborative]:
    grants = grants_for(user)
    if grants.is_superuser:
        return Collaborative.objects.all()
    return Collaborative.objects.filter(
        Q(pk__in=grants.led_collaborative_ids)
        | Q(pk__in=grants.member_collaborative_ids)
        | Q(state__in=grants.states)
    )


def collaboratives_managed_by(user: User) -> QuerySet[Collaborative]:
    grants = grants_for(user)
    if grants.is_superuser:
        return Collaborative.objects.all()
    return Collaborative.objects.filter(pk__in=grants.led_collaborative_ids)


def can_manage_collaborative(user: User, collaborative: Collaborative) -> bool:
    return leads_collaborative(user, collaborative.pk)


def leads_collaborative(user: User, collaborative_id: int) -> bool:
    """``can_manage_collaborative`` by id, for callers that hold a row's foreign key (a
    measure's) and should not load the collaborative to ask."""
    grants = grants_for(user)
    return grants.is_superuser or collaborative_id in grants.led_collaborative_ids


def can_create_collaborative(user: User) -> bool:
    """Improvement advisors start new collaboratives; the permission comes from their group."""
    return bool(user.is_authenticated and user.has_perm("collaboratives.add_collaborative"))


def can_manage_collaborative_staff(user: User, collaborative: Collaborative) -> bool:
    """Only the improvement advisor decides who else leads the collaborative."""
    grants = grants_for(user)
    return grants.is_superuser or collaborative.pk in grants.advisor_collaborative_ids


def collaborative_for(user: User, pk: int, *, manage: bool = False) -> Collaborative:
    """The collaborative, or 404 if the user may not know it exists, or 403 if they may
    only read it and ``manage`` was asked for."""
    try:
        collaborative = collaboratives_visible_to(user).get(pk=pk)
    except Collaborative.DoesNotExist:
        raise Http404("No such collaborative.") from None
    if manage and not can_manage_collaborative(user, collaborative):
        raise PermissionDenied
    return collaborative


# --- Teams ---------------------------------------------------------------------------

def teams_visible_to(user: User) -> QuerySet[Team]:
    """Teams whose own page (composition, and later their private work) the user may read."""
    grants = grants_for(user)
    if grants.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(
        Q(pk__in=grants.team_ids) | Q(collaborative_id__in=grants.led_collaborative_ids)
    )


def teams_listed_in(user: User, collaborative: Collaborative) -> QuerySet[Team]:
    """Teams named on a collaborative's page: everyone who may read the collaborative
    knows which programs take part (teams meet at learning sessions)."""
    if not collaboratives_visible_to(user).filter(pk=collaborative.pk).exists():
        return Team.objects.none()
    return Team.objects.filter(collaborative=collaborative)


def teams_listed_to(user: User) -> QuerySet[Team]:
    """The "Teams" menu: the teams whose page the user may open and, for a state viewer, the
    teams of their state's collaboratives (names and programs, as on each collaborative's
    page; their pages stay closed)."""
    grants = grants_for(user)
    if grants.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(
        Q(pk__in=grants.team_ids) | Q(collaborative_id__in=grants.led_collaborative_ids)
        | Q(collaborative__state__in=grants.states))


def can_manage_team(user: User, team: Team) -> bool:
    grants = grants_for(user)
    return grants.is_superuser or team.collaborative_id in grants.led_collaborative_ids


def can_read_team(user: User, team: Team) -> bool:
    grants = grants_for(user)
    return grants.is_superuser or team.pk in grants.team_ids or can_manage_team(user, team)


def team_for(user: User, pk: int, *, manage: bool = False) -> Team:
    """The team, or 404 if its page is not the user's to read, or 403 if they may read it
    but ``manage`` was asked for."""
    try:
        team = teams_visible_to(user).select_related("collaborative", "organization").get(pk=pk)
    except Team.DoesNotExist:
        raise Http404("No such team.") from None
    if manage and not can_manage_team(user, team):
        raise PermissionDenied
    return team


def can_write_team_work(user: User, team: Team) -> bool:
    """Members enter their own team's data and cycles; leaders read and give feedback."""
    grants = grants_for(user)
    return grants.is_superuser or team.pk in grants.team_ids


def team_work_for(user: User, pk: int, *, write: bool = False) -> Team:
    """The team whose work is asked for: 404 if its page is not the user's to read, 403 if
    they may read it but ``write`` was asked for and they are not on the team."""
    team = team_for(user, pk)
    if write and not can_write_team_work(user, team):
        raise PermissionDenied
    return team


def can_delete_team_work(user: User, team: Team) -> bool:
    """Removing a piece of team work (a PDSA cycle) is for the team's lead, who answers for
    the team's record, or the collaborative's improvement advisor; other members and
    coaches may not."""
    grants = grants_for(user)
    if grants.is_superuser or team.collaborative_id in grants.advisor_collaborative_ids:
        return True
    return (team.pk in grants.team_ids
            and Membership.objects.accepted().filter(team=team, user=user, is_lead=True).exists())


def every_row_q() -> Q:
    """A filter every row passes, for a superuser's share of a combined filter.

    An empty ``Q()`` is no use there: Django drops it when it is OR-ed, so
    ``Q() | Q(is_shared=True)`` means only the shared rows. ``pk__in=[]`` matches nothing,
    so its negation matches everything, and Django leaves it out of the SQL altogether."""
    return ~Q(pk__in=[])


def team_work_q(user: User, team_field: str = "team") -> Q:
    """A filter for rows of team work (PDSA cycles, values, reports) in higher layers:
    the user's own teams' rows and every row of the collaboratives they lead. Higher layers
    combine it with their own sharing rules but never re-derive who is on which team."""
    grants = grants_for(user)
    if grants.is_superuser:
        return every_row_q()
    return Q(**{f"{team_field}__in": grants.team_ids}) | Q(
        **{f"{team_field}__collaborative__in": grants.led_collaborative_ids}
    )


def collaborative_peer_q(user: User, collaborative_field: str = "team__collaborative") -> Q:
    """A filter for rows belonging to collaboratives where the user is on a team or leads:
    the audience of what a team shares with its collaborative."""
    grants = grants_for(user)
    if grants.is_superuser:
        return every_row_q()
    return Q(**{f"{collaborative_field}__in": grants.member_collaborative_ids | grants.led_collaborative_ids})


def invitations_for(user: User) -> QuerySet[Membership]:
    """The memberships waiting for this person to accept or decline: theirs alone to see."""
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, accepted_at__isnull=True).select_related(
        "team__collaborative").order_by("joined_at", "pk")


def invitation_for(user: User, pk: int) -> Membership:
    """One of the person's own pending invitations; 404 for anyone else's (or an accepted one)."""
    try:
        return invitations_for(user).get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404("No such invitation.") from None


# --- Organizations (the ECE programs teams come from) --------------------------------------
# An organization belongs to the collaboratives whose teams use it. An advisor changes one
# only while no other collaborative uses it, and picks only from the programs of their own
# collaboratives and the ones they described, never from every program of a state.

def organizations_offered_to(user: User) -> QuerySet[Organization]:
    """The programs a leader may attach a new team to: those with a team in a collaborative
    they lead, and those they described themselves."""
    grants = grants_for(user)
    if grants.is_superuser:
        return Organization.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()  # and never "created_by is null"
    return Organization.objects.filter(
        Q(pk__in=Team.objects.filter(collaborative_id__in=grants.led_collaborative_ids)
          .values("organization_id"))
        | Q(created_by_id=user.pk)
    )


def can_edit_organization(user: User, organization: Organization) -> bool:
    """True when every team of the program is in a collaborative the user leads (and it has
    one, or they described it): renaming or moving it then changes nobody else's team."""
    grants = grants_for(user)
    if grants.is_superuser:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    collaborative_ids = set(Team.objects.filter(organization=organization)
                            .values_list("collaborative_id", flat=True))
    if not collaborative_ids:
        return organization.created_by_id == user.pk
    return collaborative_ids <= grants.led_collaborative_ids


def membership_for(user: User, team: Team, pk: int) -> Membership:
    """A membership of a team the user manages; 404 if it belongs to another team."""
    if not can_manage_team(user, team):
        raise PermissionDenied
    try:
        return team.memberships.select_related("user").get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None


# --- States (the state dashboard and the system assessment) ----------------------------

def states_watched_by(user: User) -> list[str]:
    """The states whose dashboard the user reads: a state viewer's states; for a superuser,
    every state with a collaborative. Leaders and team members watch no state."""
    grants = grants_for(user)
    if grants.is_superuser:
        return sorted(set(Collaborative.objects.values_list("state", flat=True)))
    return sorted(grants.states)


def can_watch_states(user: User) -> bool:
    grants = grants_for(user)
    return grants.is_superuser or bool(grants.states)


def pd_offerings_visible_to(user: User) -> QuerySet[PDOffering]:
    """A state's professional-development offerings: its state viewers keep them."""
    return PDOffering.objects.filter(state__in=states_watched_by(user))


def pd_offering_for(user: User, pk: int) -> PDOffering:
    try:
        return pd_offerings_visible_to(user).get(pk=pk)
    except PDOffering.DoesNotExist:
        raise Http404("No such offering.") from None


# --- Participation: affinity groups and evaluations ---------------------------------------

def affinity_groups_visible_to(user: User) -> QuerySet[AffinityGroup]:
    """Groups of the collaboratives the user leads, and the groups of the user's own role
    in the collaboratives where they are on a team."""
    grants = grants_for(user)
    if grants.is_superuser:
        return AffinityGroup.objects.all()
    own_roles = Q(pk__in=[])
    for collaborative_id, role in Membership.objects.accepted().filter(user=user).values_list(
            "team__collaborative_id", "role").distinct() if grants.team_ids else ():
        own_roles |= Q(collaborative_id=collaborative_id, role=role)
    return AffinityGroup.objects.filter(Q(collaborative_id__in=grants.led_collaborative_ids) | own_roles)


def affinity_group_for(user: User, pk: int, *, manage: bool = False) -> AffinityGroup:
    """404 if the group is not the user's to know; 403 if ``manage`` and they do not lead
    its collaborative."""
    try:
        group = affinity_groups_visible_to(user).select_related("collaborative").get(pk=pk)
    except AffinityGroup.DoesNotExist:
        raise Http404("No such group.") from None
    if manage and not can_manage_collaborative(user, group.collaborative):
        raise PermissionDenied
    return group


def evaluations_to_answer(user: User) -> QuerySet[Evaluation]:
    """Open evaluations of the collaboratives where the user is on a team."""
    grants = grants_for(user)
    return Evaluation.objects.filter(
        is_open=True, period__collaborative_id__in=grants.member_collaborative_ids)


def evaluation_for(user: User, pk: int, *, manage: bool = False) -> Evaluation:
    """An evaluation its leaders manage or a team member may answer; 404 otherwise, 403 if
    ``manage`` is asked by someone who only answers."""
    grants = grants_for(user)
    visible = Evaluation.objects.all() if grants.is_superuser else Evaluation.objects.filter(
        Q(period__collaborative_id__in=grants.led_collaborative_ids)
        | Q(is_open=True, period__collaborative_id__in=grants.member_collaborative_ids))
    try:
        evaluation = visible.select_related("period__collaborative").get(pk=pk)
    except Evaluation.DoesNotExist:
        raise Http404("No such evaluation.") from None
    if manage and not can_manage_collaborative(user, evaluation.period.collaborative):
        raise PermissionDenied
    return evaluation
