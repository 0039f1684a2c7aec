"""The collaborative page's table of teams: pages of 50, a filter, counts of the whole
collaborative, and links only to the teams the reader may open."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from teams.models import MemberRole
from teams.views.teams import TEAMS_PER_PAGE
from tests.factories import MembershipFactory, OrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db


def add_teams(collaborative, count: int) -> None:
    for _ in range(count):
        TeamFactory(collaborative=collaborative)


def names_on(response) -> list[str]:
    return [row["team"].name for row in response.context["team_rows"]]


def test_it_shows_fifty_teams_a_page_then_the_rest(client, world):
    add_teams(world.collaborative, 58)
    client.force_login(world.advisor)
    first = client.get(world.collaborative.get_absolute_url())
    second = client.get(world.collaborative.get_absolute_url(), {"page": 2})
    assert TEAMS_PER_PAGE == 50
    assert len(names_on(first)) == 50
    assert len(names_on(second)) == 10
    assert set(names_on(first)).isdisjoint(names_on(second))


def test_it_marks_the_current_page_for_assistive_technology(client, world):
    add_teams(world.collaborative, 58)
    client.force_login(world.advisor)
    response = client.get(world.collaborative.get_absolute_url(), {"page": 2})
    assert 'href="?page=2#teams" aria-current="page">2</a>' in response.text
    assert 'href="?page=1#teams">1</a>' in response.text


def test_it_shows_the_last_page_for_a_page_past_the_end(client, world):
    add_teams(world.collaborative, 58)
    client.force_login(world.advisor)
    response = client.get(world.collaborative.get_absolute_url(), {"page": 9})
    assert response.status_code == 200
    assert response.context["team_page"].number == 2


def test_it_shows_no_page_links_when_the_teams_fit_on_one_page(client, world):
    client.force_login(world.advisor)
    response = client.get(world.collaborative.get_absolute_url())
    assert names_on(response) == ["Team A", "Team B"]
    assert "Pages of teams" not in response.text


def test_it_filters_by_team_name(client, world):
    add_teams(world.collaborative, 20)
    client.force_login(world.advisor)
    response = client.get(world.collaborative.get_absolute_url(), {"q": "team a"})
    assert names_on(response) == ["Team A"]
    assert "1 of 22 teams matches the filter." in response.text


def test_it_filters_by_program_name(client, world):
    TeamFactory(collaborative=world.collaborative, name="Sunrise",
                organization=OrganizationFactory(name="Little Oaks Center"))
    client.force_login(world.advisor)
    response = client.get(world.collaborative.get_absolute_url(), {"q": "OAKS"})
    assert names_on(response) == ["Sunrise"]


def test_it_keeps_the_filter_in_the_page_links(client, world):
    for number in range(60):
        TeamFactory(collaborative=world.collaborative, name=f"Pine {number:02}")
    client.force_login(world.advisor)
    response = client.get(world.collaborative.get_absolute_url(), {"q": "pine"})
    assert len(names_on(response)) == 50
    assert 'href="?q=pine&amp;page=2#teams"' in response.text
    assert len(names_on(client.get(world.collaborative.get_absolute_url(),
                                   {"q": "pine", "page": 2}))) == 10


def test_it_says_when_no_team_matches(client, world):
    client.force_login(world.advisor)
    response = client.get(world.collaborative.get_absolute_url(), {"q": "zebra"})
    assert names_on(response) == []
    assert "No team matches the filter." in response.text
    assert "2 teams" in response.text


def test_it_shows_a_leader_only_the_teams_that_are_not_cross_role(client, world):
    MembershipFactory(team=world.team_a, role=MemberRole.FAMILY)  # Team A is now cross-role
    client.force_login(world.coach)
    response = client.get(world.collaborative.get_absolute_url(), {"gaps": "1"})
    assert names_on(response) == ["Team B"]
    assert 'id="team-gaps" name="gaps" value="1" checked' in response.text


def test_it_ignores_the_not_cross_role_filter_for_a_member(client, world):
    MembershipFactory(team=world.team_a, role=MemberRole.FAMILY)
    add_teams(world.collaborative, 20)
    client.force_login(world.member_b)
    response = client.get(world.collaborative.get_absolute_url(), {"gaps": "1"})
    assert "Team A" in names_on(response)
    assert 'name="gaps"' not in response.text
    assert "cross-role" not in response.text


def test_it_counts_the_whole_collaborative_not_the_page_or_the_filter(client, world):
    add_teams(world.collaborative, 58)
    MembershipFactory(team=world.team_a, role=MemberRole.FAMILY)
    client.force_login(world.advisor)
    for params in ({"page": 2}, {"q": "team a"}, {"gaps": "1", "page": 2}):
        response = client.get(world.collaborative.get_absolute_url(), params)
        assert "60 teams</h2>" in response.text
        assert "59 teams are not yet cross-role" in response.text


def test_it_links_the_alert_to_the_teams_that_are_not_cross_role(client, world):
    client.force_login(world.advisor)
    response = client.get(world.collaborative.get_absolute_url())
    assert 'href="?gaps=1#teams">Show only these teams</a>' in response.text


def test_it_keeps_the_add_a_team_button_for_leaders_only(client, world):
    client.force_login(world.coach)
    assert "Add a team" in client.get(world.collaborative.get_absolute_url()).text
    client.force_login(world.member_a)
    assert "Add a team" not in client.get(world.collaborative.get_absolute_url()).text


def test_it_lets_a_member_open_only_their_own_team_from_the_table(client, world):
    client.force_login(world.member_a)
    response = client.get(world.collaborative.get_absolute_url())
    assert names_on(response) == ["Team A", "Team B"]
    assert f'href="{world.team_a.get_absolute_url()}"' in response.text
    assert f'href="{world.team_b.get_absolute_url()}"' not in response.text
    assert client.get(world.team_b.get_absolute_url()).status_code == 404


def test_it_shows_a_state_viewer_the_names_without_links(client, world):
    client.force_login(world.state_viewer)
    response = client.get(world.collaborative.get_absolute_url(), {"q": "team"})
    assert names_on(response) == ["Team A", "Team B"]
    assert all(row["url"] == "" for row in response.context["team_rows"])


def queries_for(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"page": 2}, {"q": "program"}, {"gaps": "1"}])
@pytest.mark.parametrize("persona", ["advisor", "member_a", "state_viewer"])
def test_it_runs_as_many_queries_for_many_teams_as_for_a_few(client, world, persona, params):
    client.force_login(getattr(world, persona))
    url = world.collaborative.get_absolute_url()
    add_teams(world.collaborative, 3)
    few = queries_for(client, url, params)
    add_teams(world.collaborative, 120)
    assert queries_for(client, url, params) == few
