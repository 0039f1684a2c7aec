"""/api/v1/change-ideas/: everyone who reads a collaborative reads its change ideas; its
leaders create, change and remove them, under the driver diagram's rules.

Paths are written out: they are the API's public contract."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from collaboratives import services
from collaboratives.models import ChangeIdea

pytestmark = pytest.mark.django_db

IDEAS = "/api/v1/change-ideas/"
KEYS = {"id", "collaborative", "title", "description", "order", "secondary_drivers",
        "primary_drivers"}


@pytest.fixture
def framework(world):
    c = world.collaborative
    relationships = services.primary_driver_create(collaborative=c, title="Relationships")
    systems = services.primary_driver_create(collaborative=c, title="Program-wide systems")
    wellbeing = services.secondary_driver_create(collaborative=c, title="Staff well-being",
                                                 primary_drivers=[relationships, systems])
    routines = services.secondary_driver_create(collaborative=c, title="Predictable routines",
                                                primary_drivers=[relationships])
    idea = services.change_idea_create(collaborative=c, title="Wellness check-ins",
                                       secondary_drivers=[wellbeing])
    theirs = services.secondary_driver_create(
        collaborative=world.other_collaborative, title="Their secondary",
        primary_drivers=[services.primary_driver_create(collaborative=world.other_collaborative,
                                                        title="Their primary")],
    )
    their_idea = services.change_idea_create(collaborative=world.other_collaborative,
                                             title="Their idea", secondary_drivers=[theirs])
    return {"wellbeing": wellbeing, "routines": routines, "idea": idea, "theirs": theirs,
            "their_idea": their_idea, "relationships": relationships, "systems": systems}


def send(client, user, method: str, path: str, data: dict | None = None):
    client.force_login(user)
    return getattr(client, method)(path, data, content_type="application/json")


def test_it_shows_a_change_idea_with_its_links(client, world, framework):
    response = send(client, world.member_a, "get", f"{IDEAS}{framework['idea'].pk}/")
    body = response.json()
    assert set(body) == KEYS
    assert body["secondary_drivers"] == [framework["wellbeing"].pk]
    assert body["primary_drivers"] == [
        {"id": framework["relationships"].pk, "title": "Relationships"},
        {"id": framework["systems"].pk, "title": "Program-wide systems"},
    ]


@pytest.mark.parametrize(("persona", "expected"), [
    ("member_a", {"idea"}), ("state_viewer", {"idea"}), ("advisor", {"idea"}),
    ("other_advisor", {"their_idea"}), ("stranger", set()),
])
def test_it_lists_only_the_change_ideas_of_collaboratives_the_caller_reads(
    client, world, framework, persona, expected
):
    results = send(client, getattr(world, persona), "get", IDEAS).json()["results"]
    assert {item["id"] for item in results} == {framework[name].pk for name in expected}


def test_it_filters_by_collaborative_and_secondary_driver(client, world, framework):
    client.force_login(world.advisor)
    by_driver = client.get(IDEAS, {"secondary_driver": framework["routines"].pk}).json()
    by_collaborative = client.get(IDEAS, {"collaborative": world.collaborative.pk}).json()
    assert by_driver["results"] == []
    assert [item["id"] for item in by_collaborative["results"]] == [framework["idea"].pk]
    assert client.get(IDEAS, {"collaborative": "x"}).status_code == 400


def test_it_lists_in_a_fixed_number_of_queries(client, world, framework):
    client.force_login(world.advisor)
    client.get(IDEAS)  # the session and grants warm up
    with CaptureQueriesContext(connection) as one:
        client.get(IDEAS)
    for n in range(6):
        services.change_idea_create(collaborative=world.collaborative, title=f"Idea {n}",
                                    secondary_drivers=[framework["wellbeing"],
                                                       framework["routines"]])
    with CaptureQueriesContext(connection) as seven:
        client.get(IDEAS)
    assert len(seven) == len(one)


def test_it_lets_an_advisor_create_a_change_idea(client, world, framework):
    response = send(client, world.advisor, "post", IDEAS, {
        "collaborative": world.collaborative.pk, "title": "Staff recognition board",
        "secondary_drivers": [framework["wellbeing"].pk, framework["routines"].pk],
    })
    assert response.status_code == 201
    created = ChangeIdea.objects.get(title="Staff recognition board")
    assert response.json()["id"] == created.pk
    assert set(created.secondary_drivers.all()) == {framework["wellbeing"], framework["routines"]}


def test_it_names_the_field_of_a_duplicate_title(client, world, framework):
    response = send(client, world.advisor, "post", IDEAS, {
        "collaborative": world.collaborative.pk, "title": "wellness check-ins",
        "secondary_drivers": [framework["wellbeing"].pk],
    })
    assert response.status_code == 400
    assert list(response.json()) == ["title"]


def test_it_names_the_field_of_a_missing_link(client, world, framework):
    response = send(client, world.advisor, "post", IDEAS, {
        "collaborative": world.collaborative.pk, "title": "Unlinked", "secondary_drivers": [],
    })
    assert response.status_code == 400
    assert list(response.json()) == ["secondary_drivers"]


def test_it_refuses_a_link_to_another_collaboratives_driver(client, world, framework):
    # The advisor cannot see the other collaborative: its driver is answered as unknown.
    response = send(client, world.advisor, "post", IDEAS, {
        "collaborative": world.collaborative.pk, "title": "Crossing",
        "secondary_drivers": [framework["theirs"].pk],
    })
    assert response.status_code == 400
    assert "does not exist" in response.json()["secondary_drivers"][0]


def test_it_refuses_a_link_across_two_collaboratives_the_caller_leads(client, world, framework):
    client.force_login(world.advisor)
    world.other_collaborative.roles.create(user=world.advisor, role="coach")
    response = client.post(IDEAS, {
        "collaborative": world.collaborative.pk, "title": "Crossing",
        "secondary_drivers": [framework["theirs"].pk],
    }, content_type="application/json")
    assert response.status_code == 400
    assert "belongs to another" in response.json()["secondary_drivers"][0]


@pytest.mark.parametrize("title", ["Staff\u0006recognition", "Staff\nrecognition"])
def test_it_refuses_a_title_with_a_control_character_and_saves_nothing(client, world, framework,
                                                                     title):
    # Found by the schemathesis run: names already were one line, titles were not.
    response = send(client, world.advisor, "post", IDEAS, {
        "collaborative": world.collaborative.pk, "title": title,
        "secondary_drivers": [framework["wellbeing"].pk],
    })
    assert response.status_code == 400
    assert "one line" in response.json()["title"][0]
    assert not ChangeIdea.objects.filter(title=title).exists()


def test_it_answers_an_invisible_collaborative_like_a_missing_one(client, world, framework):
    response = send(client, world.advisor, "post", IDEAS, {
        "collaborative": world.other_collaborative.pk, "title": "Sneaky",
        "secondary_drivers": [framework["wellbeing"].pk],
    })
    assert response.status_code == 400
    assert "does not exist" in response.json()["collaborative"][0]


def test_it_refuses_writes_to_a_team_member_and_a_state_viewer(client, world, framework):
    for persona in ("member_a", "state_viewer"):
        response = send(client, getattr(world, persona), "patch",
                        f"{IDEAS}{framework['idea'].pk}/", {"title": "Mine"})
        assert response.status_code == 403
    assert ChangeIdea.objects.get(pk=framework["idea"].pk).title == "Wellness check-ins"


def test_it_hides_another_collaboratives_idea_from_its_advisor(client, world, framework):
    response = send(client, world.other_advisor, "patch", f"{IDEAS}{framework['idea'].pk}/",
                    {"title": "Mine"})
    assert response.status_code == 404


def test_it_lets_a_coach_relink_a_change_idea(client, world, framework):
    response = send(client, world.coach, "patch", f"{IDEAS}{framework['idea'].pk}/",
                    {"secondary_drivers": [framework["routines"].pk]})
    assert response.status_code == 200
    assert response.json()["secondary_drivers"] == [framework["routines"].pk]
    assert response.json()["primary_drivers"] == [
        {"id": framework["relationships"].pk, "title": "Relationships"}
    ]


def test_it_keeps_links_on_a_partial_update_of_the_title(client, world, framework):
    send(client, world.advisor, "patch", f"{IDEAS}{framework['idea'].pk}/",
         {"title": "Monthly wellness check-ins"})
    idea = ChangeIdea.objects.get(pk=framework["idea"].pk)
    assert idea.title == "Monthly wellness check-ins"
    assert list(idea.secondary_drivers.all()) == [framework["wellbeing"]]


def test_it_keeps_a_change_idea_in_its_collaborative(client, world, framework):
    world.other_collaborative.roles.create(user=world.advisor, role="coach")
    send(client, world.advisor, "patch", f"{IDEAS}{framework['idea'].pk}/",
         {"collaborative": world.other_collaborative.pk})
    assert ChangeIdea.objects.get(pk=framework["idea"].pk).collaborative == world.collaborative


def test_it_deletes_a_change_idea_no_cycle_tests(client, world, framework):
    response = send(client, world.advisor, "delete", f"{IDEAS}{framework['idea'].pk}/")
    assert response.status_code == 204
    assert not ChangeIdea.objects.filter(pk=framework["idea"].pk).exists()


def test_it_answers_400_naming_the_cycles_that_test_a_change_idea(client, world, framework):
    protected = ProtectedError("protected", ["Cycle 1: one classroom"])
    with mock.patch.object(ChangeIdea, "delete", side_effect=protected):
        response = send(client, world.advisor, "delete", f"{IDEAS}{framework['idea'].pk}/")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["1 PDSA cycle tests this change idea: “Cycle 1: one classroom”"]
    }
