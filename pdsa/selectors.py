"""Reads of PDSA cycles for pages, the API and tasks, scoped by the access rules in
``teams.access`` (this module adds only the PDSA sharing rule on top of them)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from collaboratives.models import ChangeIdea, Collaborative
from measures.charts import Annotation
from measures.months import month_start
from pdsa.models import Cycle, CycleComment
from teams import access
from teams.models import MemberRole, Membership, Team


def cycles_visible_to(user: access.User) -> QuerySet[Cycle]:
    """A team's own cycles (its members, and the collaborative's advisors and coaches), and
    every cycle a team has shared once it is complete (the other teams of the
    collaborative). State viewers and outsiders read none."""
    shared = Q(is_shared=True, status=Cycle.Status.COMPLETE) & access.collaborative_peer_q(user)
    return Cycle.objects.filter(access.team_work_q(user) | shared)


def cycle_for(user: access.User, pk: int, *, write: bool = False, delete: bool = False) -> Cycle:
    """The cycle, or 404 if the user may not read it, or 403 if they may read it but not
    write it (``write``) or remove it (``delete``)."""
    cycle = (cycles_visible_to(user).select_related("team__collaborative", "change_idea",
                                                    "lead", "follows")
             .filter(pk=pk).first())
    if cycle is None:
        raise Http404("No such cycle.")
    if write and not access.can_write_team_work(user, cycle.team):
        raise PermissionDenied
    if delete and not access.can_delete_team_work(user, cycle.team):
        raise PermissionDenied
    return cycle


def can_write_cycle(user: access.User, cycle: Cycle) -> bool:
    return access.can_write_team_work(user, cycle.team)


def can_comment_on_cycle(user: access.User, cycle: Cycle) -> bool:
    """The team and its coaches discuss a cycle; other teams read what was shared."""
    return access.can_read_team(user, cycle.team)


def team_cycles(team: Team) -> QuerySet[Cycle]:
    return (team.pdsa_cycles.select_related("change_idea", "lead", "follows")
            .order_by("change_idea__order", "change_idea_id", "number", "pk"))


def ramp_of(cycle: Cycle) -> list[Cycle]:
    """Every cycle of the cycle's ramp, first to last (one query: a team's cycles on one
    change idea are few)."""
    siblings = {c.pk: c for c in Cycle.objects.filter(team_id=cycle.team_id,
                                                      change_idea_id=cycle.change_idea_id)}
    first = siblings.get(cycle.pk, cycle)
    seen = set()
    while first.follows_id in siblings and first.pk not in seen:
        seen.add(first.pk)
        first = siblings[first.follows_id]
    following = {c.follows_id: c for c in siblings.values() if c.follows_id}
    ramp, step = [], first
    while step is not None and len(ramp) <= len(siblings):
        ramp.append(step)
        step = following.get(step.pk)
    return ramp


def team_ramps(team: Team) -> list[list[Cycle]]:
    """The team's cycles as ramps, each first to last; ramps ordered by change idea."""
    cycles = list(team_cycles(team))
    following = {c.follows_id: c for c in cycles if c.follows_id}
    ramps = []
    for start in (c for c in cycles if not c.follows_id):
        ramp, step = [], start
        while step is not None and len(ramp) <= len(cycles):
            ramp.append(step)
            step = following.get(step.pk)
        ramps.append(ramp)
    return ramps


def cycle_participants(cycle: Cycle) -> list:
    return list(cycle.participations.select_related("user"))


def cycle_comments(cycle: Cycle) -> QuerySet[CycleComment]:
    return cycle.comments.select_related("author")


def comment_recipients(comment: CycleComment) -> list[AbstractBaseUser]:
    """Who hears about a comment: the cycle's lead and the team's leads, not its author.
    Only current members: a lead who has left the team no longer reads a private cycle."""
    cycle = comment.cycle
    members = Membership.objects.filter(team_id=cycle.team_id).filter(
        Q(is_lead=True) | Q(user_id=cycle.lead_id)).select_related("user")
    people = {m.user.pk: m.user for m in members}
    return [person for pk, person in sorted(people.items())
            if pk != comment.author_id and person.is_active and person.email]


@dataclass(frozen=True)
class Change:
    label: str
    now: str


def cycle_changes_since(cycle: Cycle, version: int) -> list[Change]:
    """What others changed on the worksheet since ``version``: each field whose value now
    differs from the one saved at that version (from the cycle's history)."""
    then = cycle.history.filter(version=version).order_by("-history_date").first()
    if then is None:
        return []
    names = ("title", "change_idea", "follows", "scale", "status", "objective", "questions",
             "prediction", "plan_who", "plan_what", "plan_when", "plan_where", "planned_start",
             "data_collection_plan", "do_what_happened", "do_problems", "do_unexpected",
             "done_on", "study_summary", "study_learned", "decision", "next_step", "lead")
    changes = []
    for name in names:
        model_field = Cycle._meta.get_field(name)
        attname = model_field.attname
        if getattr(then, attname) == getattr(cycle, attname):
            continue
        if model_field.is_relation:
            related = getattr(cycle, name)
            now = str(related) if related is not None else ""
        elif model_field.choices:
            now = str(getattr(cycle, f"get_{name}_display")())
        else:
            value = getattr(cycle, name)
            now = "" if value is None else str(value)
        changes.append(Change(str(model_field.verbose_name).capitalize(), now or _("(empty)")))
    return changes


# --- Spread across the collaborative -----------------------------------------------------

@dataclass
class SpreadRow:
    change_idea: ChangeIdea
    teams_tested: int = 0
    adopted: int = 0
    adapted: int = 0
    abandoned: int = 0
    lead_roles: list[tuple[str, int]] = field(default_factory=list)
    cycles: list[Cycle] = field(default_factory=list)


def counts_every_cycle(user: access.User, collaborative: Collaborative) -> bool:
    """Those who lead the collaborative (and superusers) count every team's cycles."""
    return access.can_manage_collaborative(user, collaborative)


def counts_own_team_cycles(user: access.User, collaborative: Collaborative) -> bool:
    """A member of one of the collaborative's teams counts their own team's cycles too."""
    return collaborative.pk in access.grants_for(user).member_collaborative_ids


def cycles_counted_for(user: access.User, collaborative: Collaborative) -> QuerySet[Cycle]:
    """The collaborative's cycles that figures shown to this user count (design.md,
    "Collaborative figures and privacy"): every cycle for those who lead it; for everyone
    else (other teams, state viewers) only what teams have shared with the collaborative —
    complete and shared, as other teams may read them — plus, for a team member, their own
    team's cycles, which they read anyway. A team's private work never shows in a count."""
    cycles = Cycle.objects.filter(team__collaborative=collaborative)
    if counts_every_cycle(user, collaborative):
        return cycles
    shared = Q(is_shared=True, status=Cycle.Status.COMPLETE)
    return cycles.filter(shared | access.team_work_q(user))


def spread(collaborative: Collaborative, user: access.User) -> list[SpreadRow]:
    """Every change idea with how many teams tested it, each team's latest decision on it,
    and the roles of those who led the tests — counted over the cycles this user's figures
    count (``cycles_counted_for``), while ``cycles`` holds only the cycles they may open."""
    rows = {idea.pk: SpreadRow(idea) for idea in collaborative.change_ideas.all()}
    cycles = cycles_counted_for(user, collaborative).values(
        "change_idea_id", "team_id", "status", "decision", "completed_at", "lead_role")
    tested: dict[int, set[int]] = defaultdict(set)
    latest: dict[tuple[int, int], tuple] = {}
    roles: dict[int, Counter] = defaultdict(Counter)
    for row in cycles:
        idea, team = row["change_idea_id"], row["team_id"]
        tested[idea].add(team)
        if row["lead_role"]:
            roles[idea][row["lead_role"]] += 1
        if row["status"] == Cycle.Status.COMPLETE and row["completed_at"]:
            key = (idea, team)
            if key not in latest or row["completed_at"] > latest[key][0]:
                latest[key] = (row["completed_at"], row["decision"])
    for (idea, _team), (_when, decision) in latest.items():
        attribute = {"adopt": "adopted", "adapt": "adapted", "abandon": "abandoned"}[decision]
        setattr(rows[idea], attribute, getattr(rows[idea], attribute) + 1)
    labels = dict(MemberRole.choices)
    for idea, row in rows.items():
        row.teams_tested = len(tested[idea])
        row.lead_roles = [(str(labels[role]), roles[idea][role]) for role in MemberRole.values
                          if roles[idea][role]]
    readable = (cycles_visible_to(user).filter(team__collaborative=collaborative)
                .select_related("team").order_by("team__name", "number"))
    for cycle in readable:
        rows[cycle.change_idea_id].cycles.append(cycle)
    return list(rows.values())


# --- Run-chart markers -------------------------------------------------------------------

def decision_markers(team: Team, measure_ids: Iterable[int]) -> dict[int, list[Annotation]]:
    """PDSA markers for a team's run charts: each complete cycle that adopted or adapted a
    change, on every measure it is linked to, in the month it was done."""
    wanted = set(measure_ids)
    cycles = (team.pdsa_cycles.filter(status=Cycle.Status.COMPLETE,
                                      decision__in=[Cycle.Decision.ADOPT, Cycle.Decision.ADAPT],
                                      measures__in=wanted)
              .distinct().prefetch_related("measures").order_by("done_on", "completed_at"))
    markers: dict[int, list[Annotation]] = defaultdict(list)
    for cycle in cycles:
        day = cycle.done_on or timezone.localdate(cycle.completed_at)
        annotation = Annotation(
            month_start(day), _("PDSA %(number)s") % {"number": cycle.number},
            _("%(title)s — cycle %(number)s: %(decision)s") % {
                "title": cycle.title, "number": cycle.number,
                "decision": cycle.get_decision_display().lower()},
            kind="pdsa")
        for measure in cycle.measures.all():
            if measure.pk in wanted:
                markers[measure.pk].append(annotation)
    return dict(markers)
