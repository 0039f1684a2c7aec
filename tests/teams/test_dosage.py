"""Dosage: hours per person by team and role against the BSC model's targets, on a worked example.

The world's collaborative runs from 2026-01-01. As of 2026-07-15 (six whole months):
learning sessions 1 (Feb 1, 6 h) and 2 (May 1, 6 h) have been held, 3 (Sep 1) has not;
so 12 h of sessions are expected a person, and 50 h x 6/12 = 25 h of affinity groups.
Team A (educator member A, administrator lead A): member A at both sessions, lead A at the
first: 18 h / 2 members = 9 h a member, exactly 75 % of 12 h, so not behind; 3 of the
4 (member, session) pairs attended. Lead A went to two 2-hour administrators' meetings:
4 h / 2 members = 2 h a member for the team. Team B (family member B) attended nothing:
0 h, behind.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from collaboratives.models import Period
from teams.dosage import collaborative_dosage, months_completed
from teams.models import MemberRole
from teams.participation import (
    AttendanceRow,
    affinity_group_save,
    affinity_meeting_save,
    session_attendance_save,
)
from tests.factories import MembershipFactory, PeriodFactory, TeamFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 7, 15)


def learning_session(collaborative, number: int, day: datetime.date, hours=Decimal(6)) -> Period:
    return PeriodFactory(collaborative=collaborative, number=number, start_date=day, end_date=day,
                         hours=hours)


@pytest.fixture
def example(world):
    ls1 = learning_session(world.collaborative, 1, datetime.date(2026, 2, 1))
    ls2 = learning_session(world.collaborative, 2, datetime.date(2026, 5, 1))
    ls3 = learning_session(world.collaborative, 3, datetime.date(2026, 9, 1))
    session_attendance_save(period=ls1, recorded_by=world.advisor,
                            rows=[AttendanceRow(world.member_a.pk), AttendanceRow(world.lead_a.pk)])
    session_attendance_save(period=ls2, recorded_by=world.advisor, rows=[AttendanceRow(world.member_a.pk)])
    # Not counted: a session still to come, and someone who has since left team A.
    session_attendance_save(period=ls3, recorded_by=world.advisor, rows=[AttendanceRow(world.member_b.pk)])
    leaver = MembershipFactory(team=world.team_a, role=MemberRole.EDUCATOR)
    session_attendance_save(period=ls1, recorded_by=world.advisor, rows=[AttendanceRow(leaver.user_id)])
    leaver.delete()
    admins = affinity_group_save(collaborative=world.collaborative, name="Administrators",
                                 role=MemberRole.ADMINISTRATOR, coach=world.coach)
    for day in (datetime.date(2026, 3, 1), datetime.date(2026, 6, 1), datetime.date(2026, 8, 1)):
        affinity_meeting_save(group=admins, date=day, hours=Decimal(2), topic=f"Meeting {day}",
                              attendance=[AttendanceRow(world.lead_a.pk)], saved_by=world.advisor)
    return world


def test_it_counts_whole_months_of_the_collaborative(world):
    collaborative = world.collaborative  # 2026-01-01 to 2027-03-31
    assert months_completed(collaborative, datetime.date(2025, 12, 1)) == 0
    assert months_completed(collaborative, datetime.date(2026, 1, 31)) == 0
    assert months_completed(collaborative, datetime.date(2026, 7, 15)) == 6
    assert months_completed(collaborative, datetime.date(2030, 1, 1)) == 15


def test_it_expects_the_hours_of_the_sessions_held_and_a_prorated_affinity_target(example):
    dosage = collaborative_dosage(example.collaborative, today=TODAY)
    assert (dosage.as_of, dosage.session_expected, dosage.affinity_expected) == (TODAY, 12.0, 25.0)


def test_it_works_out_each_teams_hours_a_member(example):
    teams = collaborative_dosage(example.collaborative, today=TODAY).teams
    team_a, team_b = teams[example.team_a.pk], teams[example.team_b.pk]
    assert (team_a.members, team_a.session_hours, team_a.affinity_hours) == (2, 9.0, 2.0)
    assert (team_a.sessions_held, team_a.session_attendance) == (2, 0.75)
    assert (team_a.behind, team_a.reasons) == (False, ())
    assert (team_b.members, team_b.session_hours, team_b.session_attendance) == (1, 0.0, 0.0)
    assert team_b.behind
    assert team_b.reasons == ("Learning sessions: 0 h a member, 12 h expected by now",)


def test_it_works_out_each_roles_hours_a_person_and_flags_both_kinds(example):
    roles = {role.role: role for role in collaborative_dosage(example.collaborative, today=TODAY).roles}
    administrator = roles[MemberRole.ADMINISTRATOR]
    assert (administrator.label, administrator.people, administrator.session_hours,
            administrator.affinity_hours) == ("Administrator", 1, 6.0, 4.0)
    assert administrator.behind  # 4 h of affinity groups against 25 h expected
    assert (roles[MemberRole.EDUCATOR].session_hours, roles[MemberRole.FAMILY].session_hours) == (12.0, 0.0)
    assert roles[MemberRole.OTHER_STAFF].people == 0
    assert not roles[MemberRole.OTHER_STAFF].behind


def test_without_session_hours_it_prorates_the_lower_annual_target(world):
    learning_session(world.collaborative, 1, datetime.date(2026, 2, 1), hours=None)
    dosage = collaborative_dosage(world.collaborative, today=datetime.date(2026, 4, 20))
    assert dosage.session_expected == 30 * 3 / 12


def test_it_caps_the_affinity_target_at_a_year(world):
    dosage = collaborative_dosage(world.collaborative, today=datetime.date(2027, 3, 1))
    assert dosage.affinity_expected == 50.0


def test_nobody_is_behind_before_the_collaborative_starts(world):
    dosage = collaborative_dosage(world.collaborative, today=datetime.date(2025, 12, 1))
    assert (dosage.session_expected, dosage.affinity_expected) == (0.0, 0.0)
    assert not any(team.behind for team in dosage.teams.values())
    assert all(team.session_attendance is None for team in dosage.teams.values())


@pytest.mark.parametrize("teams", [3, 40])
def test_it_reads_any_number_of_teams_in_four_queries(world, teams, django_assert_num_queries):
    ls1 = learning_session(world.collaborative, 1, datetime.date(2026, 2, 1))
    people = []
    for _ in range(teams):
        team = TeamFactory(collaborative=world.collaborative)
        people += [MembershipFactory(team=team, role=role).user_id for role in MemberRole.values]
    session_attendance_save(period=ls1, recorded_by=world.advisor, rows=[AttendanceRow(p) for p in people])
    with django_assert_num_queries(4):
        dosage = collaborative_dosage(world.collaborative, today=TODAY)
    assert len(dosage.teams) == teams + 2


# --- Pages ------------------------------------------------------------------------------------

def dosage_url(world, name="participation:dosage"):
    return reverse(name, kwargs={"pk": world.collaborative.pk})


@pytest.fixture
def on_example_day(monkeypatch):
    """The pages read dosage as of today; these tests read it as of the worked example's day."""
    import types

    from teams import dosage

    # The module's clock, not the function: other modules hold their own reference to the
    # function, and would keep a replacement made while they were first imported.
    monkeypatch.setattr(dosage, "timezone", types.SimpleNamespace(localdate=lambda: TODAY))


def test_the_dosage_page_states_the_rule_and_flags_teams_in_words(client, example, on_example_day):
    client.force_login(example.advisor)
    page = client.get(dosage_url(example)).content.decode()
    assert "What is expected by now" in page
    assert "1 of 2 teams is behind the dosage expected by now" in page
    assert '<span class="badge text-bg-warning">Behind</span>' in page
    assert "Learning sessions: 12 hours a person — the hours of the sessions held so far" in page
    assert "Learning sessions: 0 h a member, 12 h expected by now" in page


def test_the_dosage_csv_has_a_row_per_team_and_role(client, example, on_example_day):
    client.force_login(example.coach)
    response = client.get(dosage_url(example, "participation:dosage-csv"))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("level,name,people,session_hours_per_person")
    assert len(lines) == 1 + 2 + len(MemberRole.values)
    assert any(line.startswith("team,Team B,1,0.0,") and ",yes," in line for line in lines)


@pytest.mark.parametrize("persona", ["member_a", "member_b", "state_viewer"])
def test_dosage_is_for_leaders(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(dosage_url(world)).status_code == 403
    assert client.get(dosage_url(world, "participation:dosage-csv")).status_code == 403


@pytest.mark.parametrize("teams", [2, 20])
def test_the_dosage_page_costs_the_same_queries_for_more_teams(
        client, world, teams, django_assert_num_queries):
    learning_session(world.collaborative, 1, datetime.date(2026, 2, 1))
    for _ in range(teams):
        team = TeamFactory(collaborative=world.collaborative)
        MembershipFactory(team=team, role=MemberRole.FAMILY)
    client.force_login(world.advisor)
    with django_assert_num_queries(11):
        client.get(dosage_url(world))


def test_nobody_is_behind_on_learning_sessions_before_the_first_one(world):
    from collaboratives.models import Period
    from teams.dosage import collaborative_dosage

    Period.objects.create(collaborative=world.collaborative, kind=Period.Kind.LEARNING_SESSION, number=1,
                          start_date=datetime.date(2026, 12, 10), end_date=datetime.date(2026, 12, 10),
                          hours=6)
    dosage = collaborative_dosage(world.collaborative, today=datetime.date(2026, 6, 15))
    assert dosage.session_expected == 0
    assert not any(team.behind for team in dosage.teams.values())
