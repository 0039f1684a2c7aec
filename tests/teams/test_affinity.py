"""Affinity groups: people of one role across teams, their coach, meetings and who came."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from teams.models import AffinityAttendance, AffinityGroup, AffinityMeeting, MemberRole
from teams.participation import AttendanceRow, affinity_group_save, affinity_meeting_save
from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def family_group(world):
    """The family members' group: member B (family) is in it, member A (educator) is not."""
    return affinity_group_save(collaborative=world.collaborative, name="Family voices",
                               role=MemberRole.FAMILY, coach=world.coach,
                               description="Families sharing what works at home.")


def meeting(group, advisor, attendance=(), **fields):
    values = {"date": datetime.date(2026, 3, 10), "hours": Decimal("1.5"), "topic": "Routines at home",
              "notes": "Each family tries one routine.", **fields}
    return affinity_meeting_save(group=group, attendance=list(attendance), saved_by=advisor, **values)


# --- Services ---------------------------------------------------------------------------------

def test_its_coach_is_one_of_the_collaboratives_leaders(world):
    with pytest.raises(ValidationError) as error:
        affinity_group_save(collaborative=world.collaborative, name="Administrators",
                            role=MemberRole.ADMINISTRATOR, coach=world.other_advisor)
    assert "coach" in error.value.message_dict
    assert not AffinityGroup.objects.exists()


def test_it_refuses_a_second_group_of_the_same_name_whatever_the_case(world, family_group):
    with pytest.raises(ValidationError) as error:
        affinity_group_save(collaborative=world.collaborative, name="FAMILY VOICES",
                            role=MemberRole.FAMILY, coach=None)
    assert "name" in error.value.message_dict


def test_a_meeting_records_the_group_people_for_its_length_unless_told(world, family_group):
    second = MembershipFactory(team=world.team_a, role=MemberRole.FAMILY).user
    saved = meeting(family_group, world.advisor, [AttendanceRow(world.member_b.pk),
                                                  AttendanceRow(second.pk, hours=Decimal(1))])
    rows = {row.user_id: (row.hours, row.team_id, row.role) for row in saved.attendance.all()}
    assert rows == {world.member_b.pk: (Decimal("1.5"), world.team_b.pk, MemberRole.FAMILY),
                    second.pk: (Decimal(1), world.team_a.pk, MemberRole.FAMILY)}


def test_a_meeting_with_someone_of_another_role_is_not_saved_at_all(world, family_group):
    with pytest.raises(ValidationError) as error:
        meeting(family_group, world.advisor,
                [AttendanceRow(world.member_b.pk), AttendanceRow(world.member_a.pk)])
    assert "is not in this group" in error.value.messages[0]
    assert not AffinityMeeting.objects.exists()
    assert not AffinityAttendance.objects.exists()


def test_changing_a_meeting_updates_and_removes_attendance(world, family_group):
    second = MembershipFactory(team=world.team_a, role=MemberRole.FAMILY).user
    saved = meeting(family_group, world.advisor, [AttendanceRow(world.member_b.pk), AttendanceRow(second.pk)])
    meeting(family_group, world.advisor, [AttendanceRow(world.member_b.pk), AttendanceRow(second.pk, False)],
            meeting=saved, hours=Decimal(2))
    assert dict(saved.attendance.values_list("user_id", "hours")) == {world.member_b.pk: Decimal(2)}


# --- Pages ------------------------------------------------------------------------------------

def groups_url(world):
    return reverse("participation:affinity-groups", kwargs={"pk": world.collaborative.pk})


def group_url(group, name="participation:affinity-group"):
    return reverse(name, kwargs={"pk": group.pk})


def test_leaders_see_every_group_and_may_start_one(client, world, family_group):
    affinity_group_save(collaborative=world.collaborative, name="Administrators",
                        role=MemberRole.ADMINISTRATOR, coach=world.advisor)
    client.force_login(world.coach)
    response = client.get(groups_url(world))
    assert [row.group.name for row in response.context["groups"]] == ["Administrators", "Family voices"]
    assert reverse("participation:affinity-group-create", kwargs={"pk": world.collaborative.pk}) in (
        response.content.decode())


def test_members_see_only_the_groups_of_their_role(client, world, family_group):
    client.force_login(world.member_b)
    assert [row.group.name for row in client.get(groups_url(world)).context["groups"]] == ["Family voices"]
    client.force_login(world.member_a)
    response = client.get(groups_url(world))
    assert response.context["groups"] == []
    assert "No affinity group for your role yet." in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [
    ("state_viewer", 403), ("other_state_viewer", 404), ("other_advisor", 404), ("stranger", 404)])
def test_people_outside_the_teams_never_list_the_groups(client, world, family_group, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(groups_url(world)).status_code == status


def test_the_group_page_lists_its_people_and_meetings_for_its_role(client, world, family_group):
    meeting(family_group, world.advisor, [AttendanceRow(world.member_b.pk)])
    client.force_login(world.member_b)
    response = client.get(group_url(family_group))
    page = response.content.decode()
    assert [(row["person"].name, row["person"].team_name) for row in response.context["people"]] == [
        (world.member_b.get_full_name(), "Team B")]
    assert "Routines at home" in page
    assert "Each family tries one routine." in page
    assert "1 person attended" in page
    assert "Record a meeting" not in page


@pytest.mark.parametrize("persona", ["member_a", "state_viewer", "other_advisor", "stranger"])
def test_the_group_page_is_unknown_to_everyone_else(client, world, family_group, persona):
    client.force_login(getattr(world, persona))
    assert client.get(group_url(family_group)).status_code == 404


def test_a_leader_creates_a_group_from_the_page(client, world):
    client.force_login(world.advisor)
    url = reverse("participation:affinity-group-create", kwargs={"pk": world.collaborative.pk})
    response = client.post(url, {"name": "Educators", "role": MemberRole.EDUCATOR, "coach": world.coach.pk,
                            "description": "Classroom practice."})
    group = AffinityGroup.objects.get()
    assert response.status_code == 302
    assert (group.name, group.coach, group.collaborative) == ("Educators", world.coach, world.collaborative)


def test_the_coach_list_offers_the_collaboratives_leaders_only(client, world):
    client.force_login(world.advisor)
    url = reverse("participation:affinity-group-create", kwargs={"pk": world.collaborative.pk})
    response = client.get(url)
    assert set(response.context["form"].fields["coach"].queryset) == {world.advisor, world.coach}


@pytest.mark.parametrize(("persona", "status"), [("member_b", 403), ("member_a", 404), ("state_viewer", 404)])
def test_only_leaders_change_groups_and_record_meetings(client, world, family_group, persona, status):
    saved = meeting(family_group, world.advisor)
    client.force_login(getattr(world, persona))
    for url in (group_url(family_group, "participation:affinity-group-update"),
                group_url(family_group, "participation:affinity-meeting-create"),
                reverse("participation:affinity-meeting-update", kwargs={"pk": family_group.pk,
                                                                         "meeting_pk": saved.pk})):
        assert client.get(url).status_code == status
        assert client.post(url, {"name": "Taken over", "topic": "x"}).status_code == status
    family_group.refresh_from_db()
    assert family_group.name == "Family voices"


def test_a_leader_records_a_meeting_with_attendance(client, world, family_group):
    client.force_login(world.coach)
    response = client.post(group_url(family_group, "participation:affinity-meeting-create"), {
        "date": "2026-04-02", "hours": "2", "topic": "Feelings at bedtime", "notes": "",
        f"attended-{world.member_b.pk}": "on", f"hours-{world.member_b.pk}": ""})
    assert response.status_code == 302
    saved = AffinityMeeting.objects.get()
    assert dict(saved.attendance.values_list("user_id", "hours")) == {world.member_b.pk: Decimal(2)}


def test_a_meeting_with_bad_hours_names_the_person_and_saves_nothing(client, world, family_group):
    client.force_login(world.coach)
    response = client.post(group_url(family_group, "participation:affinity-meeting-create"), {
        "date": "2026-04-02", "hours": "2", "topic": "Feelings at bedtime",
        f"attended-{world.member_b.pk}": "on", f"hours-{world.member_b.pk}": "99"})
    assert response.status_code == 200
    assert "Hours run from 0.5 to 24." in response.content.decode()
    assert not AffinityMeeting.objects.exists()


def test_editing_a_meeting_shows_default_hours_empty_so_a_new_length_applies(client, world, family_group):
    saved = meeting(family_group, world.advisor, [AttendanceRow(world.member_b.pk)])
    client.force_login(world.advisor)
    url = reverse("participation:affinity-meeting-update",
                  kwargs={"pk": family_group.pk, "meeting_pk": saved.pk})
    rows = client.get(url).context["rows"]
    assert [(row.attended, row.hours) for row in rows] == [(True, "")]
    client.post(url, {"date": "2026-03-10", "hours": "2.5", "topic": "Routines", "notes": "",
                      f"attended-{world.member_b.pk}": "on", f"hours-{world.member_b.pk}": ""})
    assert saved.attendance.get().hours == Decimal("2.5")


def test_marking_everyone_ticks_the_whole_group_without_saving(client, world, family_group):
    second = MembershipFactory(team=world.team_a, role=MemberRole.FAMILY).user
    client.force_login(world.advisor)
    response = client.post(group_url(family_group, "participation:affinity-meeting-create"), {
        "mark_all": "1", "date": "2026-04-02", "hours": "2", "topic": "x"})
    assert {row.person.user_id for row in response.context["rows"] if row.attended} == {
        world.member_b.pk, second.pk}
    assert not AffinityMeeting.objects.exists()


@pytest.mark.parametrize("teams", [2, 15])
def test_the_group_page_costs_the_same_queries_for_more_teams(
        client, world, family_group, teams, django_assert_num_queries):
    for _ in range(teams):
        team = TeamFactory(collaborative=world.collaborative)
        people = [MembershipFactory(team=team, role=MemberRole.FAMILY).user for _ in range(2)]
    for day in (3, 10):
        meeting(family_group, world.advisor, [AttendanceRow(p.pk) for p in people],
                date=datetime.date(2026, 3, day))
    client.force_login(world.advisor)
    # Session, user, grants (3), the group, hours by person, people, coach, meetings.
    with django_assert_num_queries(10):
        client.get(group_url(family_group))
    # Session, user, grants (3), the collaborative, groups with meetings, people by role.
    with django_assert_num_queries(8):
        client.get(groups_url(world))
