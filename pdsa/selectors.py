"""Reads of PDSA cycles for pages, the API and tasks, scoped by the access rules in
``teams.access`` (this module adds only the PDSA sharing rule on top of them)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
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
    members = Membership.objects.accepted().filter(team_id=cycle.team_id).filter(
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


# --- Leaders' views across teams: the cycle list and the dashboard's activity ---------------

STALLED_AFTER = datetime.timedelta(weeks=4)
NO_DECISION = "none"
UNKNOWN_ROLE = "unknown"
LISTED_CYCLE_FIELDS = ("team__name", "change_idea__title", "number", "title", "status",
                       "decision", "lead_role", "is_shared", "created_at", "updated_at")


def _status_order() -> Case:
    """Status in the order of the worksheet, for sorting (alphabetically "act" comes first)."""
    return Case(*(When(status=value, then=Value(index))
                  for index, value in enumerate(Cycle.Status.values)),
                default=Value(len(Cycle.Status.values)), output_field=IntegerField())


def stalled_q(now: datetime.datetime) -> Q:
    """Cycles not complete and unchanged for at least STALLED_AFTER (28 days to the second
    counts: by then the team has let four whole weeks go by)."""
    return ~Q(status=Cycle.Status.COMPLETE) & Q(updated_at__lte=now - STALLED_AFTER)


def collaborative_cycles(user: access.User, collaborative: Collaborative, *,
                         team: Team | None = None, change_idea: ChangeIdea | None = None,
                         status: str = "", decision: str = "", lead_role: str = "",
                         stalled: bool = False, query: str = "", sort: str = "updated",
                         now: datetime.datetime | None = None) -> QuerySet[Cycle]:
    """The collaborative's cycles this user may read (for its leaders: every team's), filtered
    as the leaders' list asks, each with ``is_stalled``; one query however many there are.
    ``decision`` may be NO_DECISION and ``lead_role`` UNKNOWN_ROLE (blank on the cycle).
    Only LISTED_CYCLE_FIELDS are loaded."""
    now = now or timezone.now()
    # Only what the list shows: the worksheet's long text stays in the database.
    cycles = (cycles_visible_to(user).filter(team__collaborative=collaborative)
              .select_related("team", "change_idea")
              .only(*LISTED_CYCLE_FIELDS)
              .annotate(is_stalled=ExpressionWrapper(stalled_q(now), output_field=BooleanField())))
    if team is not None:
        cycles = cycles.filter(team=team)
    if change_idea is not None:
        cycles = cycles.filter(change_idea=change_idea)
    if status:
        cycles = cycles.filter(status=status)
    if decision:
        cycles = cycles.filter(decision="" if decision == NO_DECISION else decision)
    if lead_role:
        cycles = cycles.filter(lead_role="" if lead_role == UNKNOWN_ROLE else lead_role)
    if stalled:
        cycles = cycles.filter(stalled_q(now))
    if query:
        cycles = cycles.filter(title__icontains=query)
    order = {"team": ("team__name", "team_id", "-updated_at", "-pk"),
             "status": (_status_order(), "-updated_at", "-pk")}.get(sort, ("-updated_at", "-pk"))
    return cycles.order_by(*order)


def collaborative_cycles_csv_rows(cycles: Iterable[Cycle]) -> tuple[list[str], list[list[object]]]:
    """The leaders' list as a table: the same columns as the page, plain values."""
    header = ["cycle_id", "team", "title", "change_idea", "cycle_number", "status", "decision",
              "lead_role", "shared", "created", "last_change", "no_change_for_4_weeks"]
    rows = [[cycle.pk, cycle.team.name, cycle.title, cycle.change_idea.display_title, cycle.number,
             cycle.status, cycle.decision, cycle.lead_role, "yes" if cycle.is_shared else "no",
             timezone.localtime(cycle.created_at).isoformat(timespec="minutes"),
             timezone.localtime(cycle.updated_at).isoformat(timespec="minutes"),
             "yes" if cycle.is_stalled else "no"] for cycle in cycles]
    return header, rows


@dataclass(frozen=True)
class CycleActivity:
    """One team's PDSA work for the cohort dashboard."""

    by_status: dict[str, int]  # every Cycle.Status value; cycles started since `since`
    total: int
    stalled: int  # not complete and unchanged for STALLED_AFTER (whenever started)
    decisions: dict[str, int]  # adopt/adapt/abandon of cycles completed since `since`
    latest_decisions: tuple[tuple[str, str, datetime.date], ...]  # (label, title, day), newest first


def _start_of(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def cycle_activity_by_team(collaborative: Collaborative, *, since: datetime.date | None,
                           now: datetime.datetime | None = None) -> dict[int, CycleActivity]:
    """Every team of the collaborative (leaders' figures: every cycle, shared or not) with its
    cycles by status started since ``since`` (the action period's start; None: all time), its
    stalled cycles, and its decisions since ``since`` with the three latest. Two queries."""
    now = now or timezone.now()
    start = _start_of(since)
    started = Q(pdsa_cycles__created_at__gte=start) if start else Q()
    completed = Q(pdsa_cycles__status=Cycle.Status.COMPLETE)
    if start:
        completed &= Q(pdsa_cycles__completed_at__gte=start)
    open_statuses = [value for value in Cycle.Status.values if value != Cycle.Status.COMPLETE]
    stalled = Q(pdsa_cycles__updated_at__lte=now - STALLED_AFTER,
                pdsa_cycles__status__in=open_statuses)
    counts = {f"status_{value}": Count("pdsa_cycles", filter=started & Q(pdsa_cycles__status=value))
              for value in Cycle.Status.values}
    counts |= {f"decision_{value}": Count("pdsa_cycles",
                                          filter=completed & Q(pdsa_cycles__decision=value))
               for value in Cycle.Decision.values}
    teams = (Team.objects.filter(collaborative=collaborative).order_by()
             .annotate(stalled=Count("pdsa_cycles", filter=stalled), **counts)
             .values("pk", "stalled", *counts))
    latest = _latest_decisions(collaborative, start)
    activity = {}
    for row in teams:
        by_status = {value: row[f"status_{value}"] for value in Cycle.Status.values}
        activity[row["pk"]] = CycleActivity(
            by_status=by_status, total=sum(by_status.values()), stalled=row["stalled"],
            decisions={value: row[f"decision_{value}"] for value in Cycle.Decision.values},
            latest_decisions=tuple(latest.get(row["pk"], ())))
    return activity


def _latest_decisions(collaborative: Collaborative, start: datetime.datetime | None,
                      per_team: int = 3) -> dict[int, list[tuple[str, str, datetime.date]]]:
    """Each team's ``per_team`` latest decisions, ranked in SQL so a long history costs no
    more than three rows a team."""
    cycles = Cycle.objects.filter(team__collaborative=collaborative,
                                  status=Cycle.Status.COMPLETE, completed_at__isnull=False)
    if start:
        cycles = cycles.filter(completed_at__gte=start)
    ranked = (cycles.annotate(rank=Window(RowNumber(), partition_by=[F("team_id")],
                                          order_by=[F("completed_at").desc(), F("pk").desc()]))
              .filter(rank__lte=per_team).order_by("team_id", "rank")
              .values_list("team_id", "decision", "title", "completed_at"))
    labels = dict(Cycle.Decision.choices)
    latest: dict[int, list[tuple[str, str, datetime.date]]] = defaultdict(list)
    for team_id, decision, title, completed_at in ranked:
        latest[team_id].append((str(labels.get(decision, decision)), title,
                                timezone.localdate(completed_at)))
    return latest
