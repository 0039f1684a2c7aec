"""Demo participation: attendance at the learning sessions already held (most members, hours
varying, one team thin so the dosage page flags it) and two affinity groups — family
members and administrators — coached by the collaborative's leaders, with past meetings
and who came.

Rows are found by their natural keys (session and person; group name; group and date;
meeting and person) and written in bulk, so a second run leaves the same data and 200
teams cost a handful of queries a session.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from collaboratives.models import Collaborative, CollaborativeRole, Period
from teams.models import (
    AffinityAttendance,
    AffinityGroup,
    AffinityMeeting,
    MemberRole,
    Membership,
    SessionAttendance,
)

EARLY = [Decimal(0), Decimal(0), Decimal(1), Decimal("0.5")]  # hours missed: most stay the day
THIN_TEAM = 2  # the third team sends one person to each session: behind on dosage
GROUPS = [
    (MemberRole.FAMILY, "Family members", Decimal("1.5"), 5,
     "Family voices in the collaborative: sharing what works at home and at the program.",
     ["Welcome and what we hope for", "Routines at home and at school", "Talking about feelings",
      "Being heard at the program", "Planning the family night"]),
    (MemberRole.ADMINISTRATOR, "Administrators", Decimal("2"), 4,
     "Program leaders supporting their teams' tests: staffing, time and policy.",
     ["Making time for PDSA", "Coaching without evaluating", "Policies that exclude",
      "Sustaining changes after the collaborative"]),
]


def seed_participation(collaborative: Collaborative, *, today: datetime.date) -> None:
    memberships = list(Membership.objects.filter(team__collaborative=collaborative)
                       .order_by("team__name", "team_id", "pk").values_list("user_id", "team_id", "role"))
    team_order = list(dict.fromkeys(team_id for _user, team_id, _role in memberships))
    leaders = list(CollaborativeRole.objects.filter(collaborative=collaborative)
                   .order_by("role", "pk").values_list("user_id", "role"))
    advisor = next((user for user, role in leaders if role == CollaborativeRole.Role.ADVISOR), None)
    coaches = [user for user, role in leaders if role == CollaborativeRole.Role.COACH] or (
        [advisor] if advisor else [])
    _seed_sessions(collaborative, memberships, team_order, advisor, today)
    for index, (role, name, hours, count, purpose, topics) in enumerate(GROUPS):
        coach = coaches[index % len(coaches)] if coaches else None
        _seed_group(collaborative, memberships, role, name, hours, count, purpose, topics, coach, today)


def _seed_sessions(collaborative: Collaborative, memberships: list[tuple[int, int, str]],
                   team_order: list[int], advisor: int | None, today: datetime.date) -> None:
    sessions = Period.objects.filter(collaborative=collaborative, kind=Period.Kind.LEARNING_SESSION,
                                     start_date__lte=today).order_by("start_date")
    team_index = {team_id: index for index, team_id in enumerate(team_order)}
    rows = []
    for number, session in enumerate(sessions):
        length = session.hours or Decimal(6)
        seen: dict[int, int] = {}
        for user_id, team_id, role in memberships:
            position = seen[team_id] = seen.get(team_id, -1) + 1
            if team_index[team_id] == THIN_TEAM and position > 0:
                continue
            if (user_id + number) % 7 == 0:  # about one in seven misses a session
                continue
            hours = length - EARLY[(team_index[team_id] + position + number) % len(EARLY)]
            rows.append(SessionAttendance(period=session, user_id=user_id, team_id=team_id, role=role,
                                          hours=max(hours, Decimal(1)), recorded_by_id=advisor))
    SessionAttendance.objects.bulk_create(
        _first_per_person(rows, "period_id"), update_conflicts=True, unique_fields=["period", "user"],
        update_fields=["team", "role", "hours", "recorded_by"], batch_size=1000)


def _seed_group(collaborative: Collaborative, memberships: list[tuple[int, int, str]], role: str,
                name: str, hours: Decimal, count: int, purpose: str, topics: list[str],
                coach: int | None, today: datetime.date) -> None:
    group, _created = AffinityGroup.objects.update_or_create(
        collaborative=collaborative, name=name,
        defaults={"role": role, "coach_id": coach, "description": purpose})
    first = collaborative.start_date + datetime.timedelta(days=30)
    last = min(today, collaborative.end_date) - datetime.timedelta(days=7)
    if last < first:
        return  # the collaborative has not been going long enough to have met
    step = (last - first) / max(count - 1, 1)
    people = [(user, team) for user, team, member_role in memberships if member_role == role]
    rows = []
    for number in range(count):
        day = first + step * number
        meeting, _created = AffinityMeeting.objects.update_or_create(
            group=group, topic=topics[number % len(topics)],
            defaults={"date": day, "hours": hours,
                      "notes": "" if number % 2 else "Shared one idea each to try before the next meeting."})
        for position, (user_id, team_id) in enumerate(people):
            if (position + number) % 4 == 3:  # about three in four come to each meeting
                continue
            stayed = hours if (position + number) % 5 else hours - Decimal("0.5")
            rows.append(AffinityAttendance(meeting=meeting, user_id=user_id, team_id=team_id, role=role,
                                           hours=stayed))
    AffinityAttendance.objects.bulk_create(
        _first_per_person(rows, "meeting_id"), update_conflicts=True, unique_fields=["meeting", "user"],
        update_fields=["team", "role", "hours"], batch_size=1000)


def _first_per_person(rows: list, parent: str) -> list:
    """Someone on two teams is recorded once, with the first (an upsert may not touch a row twice)."""
    kept: dict[tuple[int, int], object] = {}
    for row in rows:
        kept.setdefault((getattr(row, parent), row.user_id), row)
    return list(kept.values())
