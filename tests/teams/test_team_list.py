"""The list of the teams a person may open: pages of 50 and a filter by name."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import OrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db


def add_teams(collaborative, count: int) -> None:
    for _ in range(count):
        TeamFactory(collaborative=collaborative)


def names_on(response) -> list[str]:
    return [row["team"].name for row in response.context["team_rows"]]


def test_it_shows_fifty_teams_a_page_then_the_rest(client, world):
    add_teams(world.collaborative, 58)
    client.force_login(world.advisor)
    first = client.get(reverse("teams:list"))
    second = client.get(reverse("teams:list"), {"page": 2})
    assert len(names_on(first)) == 50
    assert len(names_on(second)) == 10
    assert "Teams 51–60 of 60" in second.text
    assert 'href="?page=2" aria-current="page">2</a>' in second.text


def test_it_filters_by_team_or_program_name(client, world):
    TeamFactory(collaborative=world.collaborative, name="Sunrise",
                organization=OrganizationFactory(name="Little Oaks Center"))
    add_teams(world.collaborative, 10)
    client.force_login(world.advisor)
    assert names_on(client.get(reverse("teams:list"), {"q": "sunrise"})) == ["Sunrise"]
    response = client.get(reverse("teams:list"), {"q": "little oaks"})
    assert names_on(response) == ["Sunrise"]
    assert "1 of 13 teams matches the filter." in response.text


def test_it_says_when_no_team_matches(client, world):
    client.force_login(world.advisor)
    response = client.get(reverse("teams:list"), {"q": "zebra"})
    assert "No team matches the filter." in response.text


def test_it_lists_only_the_members_own_team_whatever_the_filter(client, world):
    client.force_login(world.member_a)
    assert names_on(client.get(reverse("teams:list"))) == ["Team A"]
    assert names_on(client.get(reverse("teams:list"), {"q": "team b"})) == []


def test_it_shows_the_composition_gaps_of_the_teams_on_the_page(client, world):
    client.force_login(world.advisor)
    response = client.get(reverse("teams:list"))
    gaps = {row["team"].name: [gap.code for gap in row["gaps"]]
            for row in response.context["team_rows"]}
    assert gaps == {"Team A": ["no_family"], "Team B": ["no_educator"]}


def queries_for(client, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("teams:list"), params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"page": 2}, {"q": "program"}])
def test_it_runs_as_many_queries_for_many_teams_as_for_a_few(client, world, params):
    client.force_login(world.advisor)
    add_teams(world.collaborative, 3)
    few = queries_for(client, params)
    add_teams(world.collaborative, 120)
    assert queries_for(client, params) == few


def test_it_lists_a_state_viewers_teams_by_program_without_who_is_on_them(client, world):
    client.force_login(world.state_viewer)
    response = client.get(reverse("teams:list"))
    rows = {row["team"].name: row for row in response.context["team_rows"]}
    assert set(rows) == {"Team A", "Team B"}  # North Carolina's, not Virginia's
    assert all(row["url"] == "" and row["members"] is None and row["gaps"] == [] for row in rows.values())
    assert "No family member on the team" not in response.text
