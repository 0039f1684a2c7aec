"""Advisors set up a collaborative through the pages; bad input saves nothing."""

import pytest
from django.urls import reverse

from collaboratives.models import Collaborative, CollaborativeRole

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Healthy Beginnings", "topic": "Nutrition", "state": "NC", "status": "planning",
    "start_date": "2027-01-01", "end_date": "2027-12-31",
    "aim_statement": "By Dec 2027, every classroom serves family-style meals.",
    "aim_target_date": "2027-12-31",
}


def test_it_makes_the_creator_the_advisor(client, world):
    client.force_login(world.advisor)
    response = client.post(reverse("collaboratives:create"), VALID)
    created = Collaborative.objects.get(name="Healthy Beginnings")
    assert response.url == created.get_absolute_url()
    assert created.roles.get().user == world.advisor
    assert created.roles.get().role == CollaborativeRole.Role.ADVISOR


def test_it_refuses_an_end_before_the_start_and_saves_nothing(client, world):
    client.force_login(world.advisor)
    response = client.post(reverse("collaboratives:create"),
                           {**VALID, "end_date": "2026-06-01"})
    assert response.status_code == 200
    assert "The end date must not be before the start date." in response.text
    assert not Collaborative.objects.filter(name="Healthy Beginnings").exists()


def test_it_refuses_a_duplicate_name(client, world):
    client.force_login(world.advisor)
    response = client.post(reverse("collaboratives:create"), {**VALID, "name": "Growing Together"})
    assert "Collaborative with this Name already exists." in response.text
    assert Collaborative.objects.filter(name="Growing Together").count() == 1


def test_it_refuses_creation_to_someone_without_the_advisor_permission(client, world):
    client.force_login(world.coach)
    response = client.post(reverse("collaboratives:create"), VALID)
    assert response.status_code == 403
    assert not Collaborative.objects.filter(name="Healthy Beginnings").exists()


def test_it_shows_overlapping_periods_as_a_field_error(client, world):
    client.force_login(world.advisor)
    url = reverse("collaboratives:period-create", args=[world.collaborative.pk])
    client.post(url, {"kind": "learning_session", "number": 1, "start_date": "2026-02-01",
                      "end_date": "2026-02-01", "hours": "6"})
    response = client.post(url, {"kind": "action_period", "number": 1,
                                 "start_date": "2026-02-01", "end_date": "2026-04-30"})
    assert response.status_code == 200
    assert "Action period 1 overlaps Learning session 1" in response.text
    assert world.collaborative.periods.count() == 1


def test_it_asks_for_the_number_of_a_learning_session(client, world):
    client.force_login(world.advisor)
    url = reverse("collaboratives:period-create", args=[world.collaborative.pk])
    response = client.post(url, {"kind": "learning_session", "start_date": "2026-02-01",
                                 "end_date": "2026-02-01"})
    assert "Give the number of this learning session" in response.text
    assert world.collaborative.periods.count() == 0


def test_it_lets_a_coach_edit_the_collaborative(client, world):
    client.force_login(world.coach)
    data = {**VALID, "name": "Growing Together", "start_date": "2026-01-01",
            "end_date": "2027-03-31"}
    response = client.post(reverse("collaboratives:update", args=[world.collaborative.pk]), data)
    assert response.status_code == 302
    world.collaborative.refresh_from_db()
    assert world.collaborative.topic == "Nutrition"


def test_it_records_who_changed_a_collaborative(client, world):
    client.force_login(world.advisor)
    data = {**VALID, "name": "Growing Together", "start_date": "2026-01-01",
            "end_date": "2027-03-31"}
    client.post(reverse("collaboratives:update", args=[world.collaborative.pk]), data)
    latest = world.collaborative.history.first()
    assert latest.history_user == world.advisor
    assert latest.topic == "Nutrition"


def test_it_lets_only_the_advisor_add_a_coach(client, world, mailoutbox,
                                             django_capture_on_commit_callbacks):
    url = reverse("collaboratives:staff-add", args=[world.collaborative.pk])
    data = {"first_name": "Nia", "last_name": "Ross", "email": "nia@example.org", "role": "coach"}
    client.force_login(world.coach)
    assert client.post(url, data).status_code == 403
    client.force_login(world.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    assert world.collaborative.roles.filter(user__email="nia@example.org", role="coach").exists()
    assert mailoutbox[0].to == ["nia@example.org"]


def test_it_keeps_the_last_advisor(client, world):
    client.force_login(world.advisor)
    assignment = world.collaborative.roles.get(user=world.advisor)
    client.post(reverse("collaboratives:staff-remove", args=[world.collaborative.pk, assignment.pk]))
    assert world.collaborative.roles.filter(pk=assignment.pk).exists()


def test_it_shows_the_aim_and_timeline_to_a_state_viewer_without_edit_links(client, world):
    client.force_login(world.state_viewer)
    response = client.get(world.collaborative.get_absolute_url())
    assert world.collaborative.aim_statement in response.text
    assert reverse("collaboratives:update", args=[world.collaborative.pk]) not in response.text
    assert reverse("teams:detail", args=[world.team_a.pk]) not in response.text


def test_it_sets_when_monthly_data_and_reports_are_due(client, world):
    client.force_login(world.advisor)
    data = {**VALID, "name": "Growing Together", "start_date": "2026-01-01",
            "end_date": "2027-03-31", "data_due_day": "5", "report_due_day": "15"}
    client.post(reverse("collaboratives:update", args=[world.collaborative.pk]), data)
    world.collaborative.refresh_from_db()
    assert (world.collaborative.data_due_day, world.collaborative.report_due_day) == (5, 15)


def test_it_refuses_a_due_day_some_months_do_not_have(client, world):
    client.force_login(world.advisor)
    data = {**VALID, "name": "Growing Together", "start_date": "2026-01-01",
            "end_date": "2027-03-31", "report_due_day": "30"}
    response = client.post(reverse("collaboratives:update", args=[world.collaborative.pk]), data)
    assert response.status_code == 200
    assert "report_due_day" in response.context["form"].errors
    world.collaborative.refresh_from_db()
    assert world.collaborative.report_due_day == 10
