"""Dosage: hours of learning sessions and affinity groups per person, by team and by role,
against the BSC model's annual targets (design.md: learning sessions 30-35 h a year,
affinity groups 50 h).

Reading code only, in four queries whatever the number of teams (three when the caller
gives the timeline it has read): the sessions held, the
teams with their members by role, and the two kinds of attendance summed in SQL by team
and role. Hours count for a team's *current* members only (an attendance row whose person
is still on the team it was recorded for), so "hours a member" is hours per person now on
the team.

What is expected by now (``Dosage.session_expected``, ``affinity_expected``):
- learning sessions: the hours of the sessions held so far (started by ``today``); when
  none of them has its hours set, the lower annual target (30 h) prorated by the months of
  the collaborative completed, out of 12; nothing before the first session;
- affinity groups: the annual target (50 h) prorated by the months completed, out of 12,
  so never more than 50 h.
Behind means below 75 % of what is expected by now. A *team* is judged on learning
sessions, which every member of every team attends; affinity groups meet by role, so a
team's affinity hours follow from its make-up and from which groups the leaders run, and
are judged by *role* (a role is behind on either kind). Flagging every team because the
collaborative offers few affinity hours would make the team flags noise.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from collaboratives.models import Collaborative, Period
from teams.models import AffinityAttendance, MemberRole, SessionAttendance, Team

LEARNING_SESSION_TARGET = (Decimal(30), Decimal(35))  # hours a year, BSC model (design.md)
AFFINITY_GROUP_TARGET = Decimal(50)  # hours a year
BEHIND_SHARE = 0.75  # below this share of the hours expected by now, a team or role is behind


@dataclass(frozen=True)
class TeamDosage:
    team_id: int
    members: int
    session_hours: float  # mean learning-session hours per current member
    affinity_hours: float  # mean affinity-group hours per current member
    sessions_held: int  # learning sessions that have started by `today`
    session_attendance: float | None  # share of (member, held session) pairs attended
    behind: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RoleDosage:
    role: str
    label: str
    people: int
    session_hours: float
    affinity_hours: float
    behind: bool


@dataclass(frozen=True)
class Dosage:
    as_of: datetime.date
    session_expected: float  # hours a person expected by `as_of`
    affinity_expected: float
    teams: dict[int, TeamDosage]
    roles: list[RoleDosage]

    @property
    def teams_behind(self) -> int:
        return sum(team.behind for team in self.teams.values())

    @property
    def roles_behind(self) -> int:
        return sum(role.behind for role in self.roles)


def months_completed(collaborative: Collaborative, today: datetime.date) -> int:
    """Whole months of the collaborative completed by ``today`` (0 before it starts; its
    whole length after it ends)."""
    start = collaborative.start_date
    day = min(today, collaborative.end_date + datetime.timedelta(days=1))
    if day <= start:
        return 0
    months = (day.year - start.year) * 12 + day.month - start.month
    return months - (day.day < start.day)


def collaborative_dosage(collaborative: Collaborative, *, today: datetime.date | None = None,
                         periods: list[Period] | None = None) -> Dosage:
    """``periods``: the collaborative's timeline when the caller has read it already."""
    today = today or timezone.localdate()
    if periods is None:
        periods = list(Period.objects.filter(collaborative=collaborative))
    sessions = [period for period in periods
                if period.kind == Period.Kind.LEARNING_SESSION and period.start_date <= today]
    with_hours = [period.hours for period in sessions if period.hours is not None]
    held = {"count": len(sessions), "total_hours": sum(with_hours), "with_hours": len(with_hours)}
    share_of_year = min(months_completed(collaborative, today), 12) / 12
    if not held["count"]:
        session_expected = 0.0  # no session yet: nobody can be behind on them
    elif held["with_hours"]:
        session_expected = float(held["total_hours"])
    else:
        session_expected = float(LEARNING_SESSION_TARGET[0]) * share_of_year
    affinity_expected = float(AFFINITY_GROUP_TARGET) * share_of_year

    role_counts = {f"n_{role}": Count("memberships", filter=Q(memberships__role=role))
                   for role in MemberRole.values}
    teams = list(Team.objects.filter(collaborative=collaborative).order_by("name", "pk")
                 .annotate(**role_counts).values("pk", *role_counts))
    sessions = _hours_by_team_and_role(SessionAttendance.objects.filter(
        period__collaborative=collaborative, period__kind=Period.Kind.LEARNING_SESSION,
        period__start_date__lte=today))
    affinity = _hours_by_team_and_role(AffinityAttendance.objects.filter(
        meeting__group__collaborative=collaborative, meeting__date__lte=today))

    team_rows = {}
    for team in teams:
        members = sum(team[f"n_{role}"] for role in MemberRole.values)
        session_sum = sum(sessions.get((team["pk"], role), (0.0, 0))[0] for role in MemberRole.values)
        pairs = sum(sessions.get((team["pk"], role), (0.0, 0))[1] for role in MemberRole.values)
        affinity_sum = sum(affinity.get((team["pk"], role), (0.0, 0))[0] for role in MemberRole.values)
        team_rows[team["pk"]] = _team(team["pk"], members, session_sum, affinity_sum, pairs,
                                      held["count"], session_expected)
    roles = []
    for role, label in MemberRole.choices:
        people = sum(team[f"n_{role}"] for team in teams)
        session_hours = _mean(sum(sessions.get((team["pk"], role), (0.0, 0))[0] for team in teams), people)
        affinity_hours = _mean(sum(affinity.get((team["pk"], role), (0.0, 0))[0] for team in teams), people)
        roles.append(RoleDosage(
            role=role, label=str(label), people=people, session_hours=session_hours,
            affinity_hours=affinity_hours,
            behind=bool(people) and (_is_behind(session_hours, session_expected)
                                     or _is_behind(affinity_hours, affinity_expected))))
    return Dosage(as_of=today, session_expected=session_expected, affinity_expected=affinity_expected,
                  teams=team_rows, roles=roles)


def _hours_by_team_and_role(attendance: QuerySet) -> dict[tuple[int, str], tuple[float, int]]:
    """Hours and rows of attendance by (team, current role), for people still on the team
    the row was recorded for: one query (the membership is unique per team and person)."""
    # A join on the person's membership of that team, not a subquery per row: 4,000 rows at
    # 200 teams cost 40 ms as correlated subqueries.
    rows = (attendance.filter(team__memberships__user=F("user"))
            .values("team_id", member_role=F("team__memberships__role"))
            .annotate(hours=Sum("hours"), rows=Count("pk")).order_by())
    return {(row["team_id"], row["member_role"]): (float(row["hours"]), row["rows"]) for row in rows}


def _team(team_id: int, members: int, session_sum: float, affinity_sum: float, pairs: int,
          held: int, session_expected: float) -> TeamDosage:
    session_hours, affinity_hours = _mean(session_sum, members), _mean(affinity_sum, members)
    reasons = []
    if members and _is_behind(session_hours, session_expected):
        reasons.append(_("Learning sessions: %(hours)s h a member, %(expected)s h expected by now")
                       % {"hours": hours_text(session_hours), "expected": hours_text(session_expected)})
    return TeamDosage(
        team_id=team_id, members=members, session_hours=session_hours, affinity_hours=affinity_hours,
        sessions_held=held,
        session_attendance=pairs / (members * held) if members and held else None,
        behind=bool(reasons), reasons=tuple(reasons))


def role_reasons(role: RoleDosage, dosage: Dosage) -> tuple[str, ...]:
    """Why a role is behind, in words (empty when it is not)."""
    if not role.behind:
        return ()
    reasons = []
    if _is_behind(role.session_hours, dosage.session_expected):
        reasons.append(_("Learning sessions: %(hours)s h a person, %(expected)s h expected by now")
                       % {"hours": hours_text(role.session_hours),
                          "expected": hours_text(dosage.session_expected)})
    if _is_behind(role.affinity_hours, dosage.affinity_expected):
        reasons.append(_("Affinity groups: %(hours)s h a person, %(expected)s h expected by now")
                       % {"hours": hours_text(role.affinity_hours),
                          "expected": hours_text(dosage.affinity_expected)})
    return tuple(reasons)


def _mean(total: float, count: int) -> float:
    return total / count if count else 0.0


def _is_behind(hours: float, expected: float) -> bool:
    return expected > 0 and hours < BEHIND_SHARE * expected


def hours_text(hours: float) -> str:
    """Hours to one decimal place, without a trailing .0, in the reader's language."""
    return floatformat(round(hours, 1), -1)
