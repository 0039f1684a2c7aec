"""/api/v1/: the same access rules as the pages, as JSON; advisors write through it.

Paths are written out: they are the API's public contract."""

from __future__ import annotations

import pytest
import yaml
from django.contrib.auth import get_user_model

from collaboratives.models import Collaborative, CollaborativeRole
from collaboratives.tokens import api_token_create
from teams.models import Membership, Team
from tests import factories

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/teams/"
COLLABORATIVES = "/api/v1/collaboratives/"
MEMBERSHIPS = "/api/v1/memberships/"
NEW_COLLABORATIVE = {
    "name": "Healthy Beginnings", "topic": "Nutrition", "state": "NC", "status": "planning",
    "start_date": "2027-01-01", "end_date": "2027-12-31",
}
NEW_MEMBER = {"email": "rosa.diaz@example.org", "first_name": "Rosa", "last_name": "Diaz",
              "role": "family"}


def team_url(team: Team) -> str:
    return f"{TEAMS}{team.pk}/"


def collaborative_url(collaborative: Collaborative) -> str:
    return f"{COLLABORATIVES}{collaborative.pk}/"


def get(client, user, path: str):
    client.force_login(user)
    return client.get(path)


def post(client, user, path: str, data: dict):
    client.force_login(user)
    return client.post(path, data, content_type="application/json")


def patch(client, user, path: str, data: dict):
    client.force_login(user)
    return client.patch(path, data, content_type="application/json")


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["results"]}


def team_json(client, world) -> dict:
    return get(client, world.member_a, team_url(world.team_a)).json()


# --- Lists are paged ---------------------------------------------------------------------

def test_it_pages_a_list(client, world):
    body = get(client, world.advisor, TEAMS).json()
    assert set(body) == {"count", "next", "previous", "results"}


def test_it_counts_every_visible_row_and_links_the_next_page(client, world):
    for _ in range(50):
        factories.TeamFactory(collaborative=world.collaborative)
    body = get(client, world.advisor, TEAMS).json()
    assert body["count"] == 52
    assert len(body["results"]) == 50
    assert body["next"].endswith(f"{TEAMS}?page=2")
    assert body["previous"] is None


# --- A team's shape ----------------------------------------------------------------------

def test_it_gives_a_team_its_id_name_and_collaborative_id(client, world):
    body = team_json(client, world)
    assert (body["id"], body["name"], body["collaborative"]) == (
        world.team_a.pk, "Team A", world.collaborative.pk)


def test_it_nests_the_teams_organization(client, world):
    organization = team_json(client, world)["organization"]
    assert organization["id"] == world.team_a.organization.pk
    assert organization["name"] == world.team_a.organization.name


def test_it_lists_a_teams_members_with_their_role_and_lead(client, world):
    members = team_json(client, world)["members"]
    assert {(m["user"], m["role"], m["is_lead"]) for m in members} == {
        (world.member_a.pk, "educator", False), (world.lead_a.pk, "administrator", True),
    }


# --- Who sees what -----------------------------------------------------------------------

def test_it_shows_a_member_only_their_own_team(client, world):
    assert ids(get(client, world.member_a, TEAMS)) == {world.team_a.pk}


def test_it_shows_an_advisor_every_team_of_their_collaborative_only(client, world):
    assert ids(get(client, world.advisor, TEAMS)) == {world.team_a.pk, world.team_b.pk}


def test_it_shows_a_state_viewer_no_team(client, world):
    assert ids(get(client, world.state_viewer, TEAMS)) == set()


def test_it_shows_a_state_viewer_the_collaboratives_of_their_state(client, world):
    assert ids(get(client, world.state_viewer, COLLABORATIVES)) == {world.collaborative.pk}


def test_it_filters_teams_by_collaborative(client, world):
    response = get(client, world.advisor, f"{TEAMS}?collaborative={world.other_collaborative.pk}")
    assert ids(response) == set()


def test_it_refuses_a_collaborative_filter_that_is_not_an_id(client, world):
    response = get(client, world.advisor, f"{TEAMS}?collaborative=nc")
    assert response.status_code == 400
    assert "collaborative" in response.json()


@pytest.mark.parametrize("path", [TEAMS, "/api/v1/change-ideas/"])
def test_it_refuses_a_collaborative_filter_of_non_ascii_digits(client, world, path):
    response = get(client, world.advisor, f"{path}?collaborative=²")
    assert response.status_code == 400
    assert "collaborative" in response.json()


# --- Signing in --------------------------------------------------------------------------

def test_it_accepts_a_token(client, world):
    _token, key = api_token_create(user=world.member_a, name="script")
    response = client.get(TEAMS, HTTP_AUTHORIZATION=f"Token {key}")
    assert ids(response) == {world.team_a.pk}


def test_it_refuses_a_bad_token_and_says_how_to_authenticate(client, world):
    response = client.get(TEAMS, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/"), ("get", TEAMS), ("get", f"{TEAMS}1/"), ("post", TEAMS),
    ("patch", f"{COLLABORATIVES}1/"), ("get", "/api/v1/measure-values/"),
    ("post", "/api/v1/measure-values/bulk/"), ("get", "/api/v1/pdsa-cycles/"),
    ("get", "/api/v1/reports/"), ("get", "/api/v1/schema/"),
])
def test_it_answers_an_anonymous_caller_401_with_how_to_authenticate(client, world, method,
                                                                      path):
    # 401 tells a client to authenticate (RFC 9110); 403 would say "never, whoever you are".
    response = (client.get(path) if method == "get"
                else getattr(client, method)(path, {}, content_type="application/json"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert b"Authentication credentials were not provided." in response.content


def test_it_still_refuses_a_signed_in_person_403_not_401(client, world):
    # Signed in but not allowed is 403: asking them to authenticate again would not help.
    response = post(client, world.member_a, TEAMS, {"name": "Mine"})
    assert response.status_code == 403
    assert not response.has_header("WWW-Authenticate")


def test_it_still_checks_csrf_on_a_session_write(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.advisor)
    response = client.patch(collaborative_url(world.collaborative), {"name": "Renamed"},
                            content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    world.collaborative.refresh_from_db()
    assert world.collaborative.name != "Renamed"


def test_it_takes_a_token_write_without_csrf(world):
    from django.test import Client

    _token, key = api_token_create(user=world.advisor, name="script")
    response = Client(enforce_csrf_checks=True).patch(
        collaborative_url(world.collaborative), {"name": "Renamed"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    world.collaborative.refresh_from_db()
    assert world.collaborative.name == "Renamed"


# --- Rendering --------------------------------------------------------------------------

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_it_answers_a_browser_with_json_not_the_browsable_api(client, world):
    # The browsable API's inline styles break the Content Security Policy; with debug off
    # (production, and these tests) a browser gets JSON.
    client.force_login(world.advisor)
    response = client.get("/api/v1/", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "teams" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/", TEAMS, "/api/v1/?format=api"])
def test_it_never_renders_html_with_debug_off(client, world, path):
    client.force_login(world.advisor)
    response = client.get(path, headers={"accept": "text/html"})
    assert response["Content-Type"] == "application/json"
    assert b"<html" not in response.content.lower()


# --- Writing teams -----------------------------------------------------------------------

def new_team(world, **changes) -> dict:
    # Described by the advisor: only such programs, and those of their own collaboratives'
    # teams, may be attached (issue #10, hole 1).
    organization = factories.OrganizationFactory(name="Little Oaks", created_by=world.advisor)
    return {"name": "Little Oaks", "collaborative": world.collaborative.pk,
            "organization_id": organization.pk, **changes}


def test_it_lets_an_advisor_create_a_team(client, world):
    response = post(client, world.advisor, TEAMS, new_team(world))
    assert response.status_code == 201
    assert Team.objects.get(pk=response.json()["id"]).collaborative == world.collaborative


def test_it_lets_an_advisor_rename_a_team(client, world):
    response = patch(client, world.advisor, team_url(world.team_a), {"name": "Team Alpha"})
    assert response.status_code == 200
    world.team_a.refresh_from_db()
    assert world.team_a.name == "Team Alpha"


def test_it_refuses_a_team_created_by_a_member(client, world):
    response = post(client, world.member_a, TEAMS, new_team(world))
    assert response.status_code == 403
    assert not Team.objects.filter(name="Little Oaks").exists()


def test_it_refuses_a_rename_by_a_member(client, world):
    response = patch(client, world.member_a, team_url(world.team_a), {"name": "Team Alpha"})
    assert response.status_code == 403
    world.team_a.refresh_from_db()
    assert world.team_a.name == "Team A"


def test_it_hides_a_team_from_the_advisor_of_another_collaborative(client, world):
    response = patch(client, world.other_advisor, team_url(world.team_a), {"name": "Team Alpha"})
    assert response.status_code == 404
    world.team_a.refresh_from_db()
    assert world.team_a.name == "Team A"


def test_it_refuses_a_duplicate_team_name_and_creates_nothing(client, world):
    response = post(client, world.advisor, TEAMS, new_team(world, name="Team B"))
    assert response.status_code == 400
    assert world.collaborative.teams.count() == 2


def test_it_names_the_name_field_for_a_duplicate_new_team(client, world):
    response = post(client, world.advisor, TEAMS, new_team(world, name="Team B"))
    assert "name" in response.json()


def test_it_names_the_name_field_for_a_rename_to_a_taken_name(client, world):
    response = patch(client, world.advisor, team_url(world.team_a), {"name": "Team B"})
    assert response.status_code == 400
    assert "name" in response.json()


def test_it_accepts_a_patch_that_leaves_the_name_alone(client, world):
    response = patch(client, world.advisor, team_url(world.team_a), {})
    assert response.status_code == 200


def does_not_exist(pk: int) -> list[str]:
    """What DRF says of an id that matches nothing."""
    return [f'Invalid pk "{pk}" - object does not exist.']


def test_it_answers_an_outside_advisor_naming_a_collaborative_as_if_it_did_not_exist(client, world):
    response = post(client, world.other_advisor, TEAMS, new_team(world))
    assert response.json()["collaborative"] == does_not_exist(world.collaborative.pk)


def test_it_offers_only_programs_in_the_states_the_advisor_leads(client, world):
    organization = factories.OrganizationFactory(state="VA")
    response = post(client, world.advisor, TEAMS, new_team(world, organization_id=organization.pk))
    assert response.json() == {"organization_id": does_not_exist(organization.pk)}


def test_it_refuses_writes_by_someone_who_leads_nothing_before_reading_the_input(client, world):
    response = post(client, world.stranger, TEAMS, {"name": ""})
    assert response.status_code == 403


# --- Adding people -----------------------------------------------------------------------

def add_member(client, world, **changes):
    return post(client, world.advisor, MEMBERSHIPS,
                {"team": world.team_a.pk, **NEW_MEMBER, **changes})


def test_it_adds_a_person_by_email(client, world):
    response = add_member(client, world)
    assert response.status_code == 201
    assert world.team_a.memberships.filter(user__email=NEW_MEMBER["email"]).exists()


def test_it_creates_the_new_person_without_a_password(client, world):
    add_member(client, world)
    person = get_user_model().objects.get(email=NEW_MEMBER["email"])
    assert not person.has_usable_password()


def test_it_emails_the_new_person_an_invitation(client, world, mailoutbox, eager_celery,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        add_member(client, world)
    assert [message.to for message in mailoutbox] == [[NEW_MEMBER["email"]]]
    assert "/accounts/invitation/" in mailoutbox[0].body


def test_it_refuses_the_same_person_twice_naming_the_email(client, world):
    add_member(client, world)
    response = add_member(client, world)
    assert response.status_code == 400
    assert "email" in response.json()


def test_it_keeps_one_membership_when_the_same_person_is_added_twice(client, world):
    add_member(client, world)
    add_member(client, world)
    assert Membership.objects.filter(user__email=NEW_MEMBER["email"]).count() == 1


def test_it_refuses_a_member_adding_people(client, world):
    response = post(client, world.member_a, MEMBERSHIPS, {"team": world.team_a.pk, **NEW_MEMBER})
    assert response.status_code == 403
    assert not get_user_model().objects.filter(email=NEW_MEMBER["email"]).exists()


def test_it_answers_an_outsider_naming_a_team_as_if_it_did_not_exist(client, world):
    response = post(client, world.other_advisor, MEMBERSHIPS,
                    {"team": world.team_a.pk, **NEW_MEMBER})
    assert response.json() == {"team": does_not_exist(world.team_a.pk)}


def test_it_refuses_an_outsider_adding_people_and_creates_no_one(client, world):
    response = post(client, world.other_advisor, MEMBERSHIPS,
                    {"team": world.team_a.pk, **NEW_MEMBER})
    assert response.status_code == 400
    assert not get_user_model().objects.filter(email=NEW_MEMBER["email"]).exists()


# --- Collaboratives ----------------------------------------------------------------------

def test_it_lets_an_advisor_create_a_collaborative(client, world):
    response = post(client, world.advisor, COLLABORATIVES, NEW_COLLABORATIVE)
    assert response.status_code == 201
    assert Collaborative.objects.filter(pk=response.json()["id"]).exists()


def test_it_makes_the_creator_the_advisor_of_the_new_collaborative(client, world):
    response = post(client, world.advisor, COLLABORATIVES, NEW_COLLABORATIVE)
    role = CollaborativeRole.objects.get(collaborative_id=response.json()["id"])
    assert (role.user, role.role) == (world.advisor, CollaborativeRole.Role.ADVISOR)


def test_it_refuses_a_collaborative_created_by_a_member(client, world):
    response = post(client, world.member_a, COLLABORATIVES, NEW_COLLABORATIVE)
    assert response.status_code == 403
    assert not Collaborative.objects.filter(name="Healthy Beginnings").exists()


def test_it_refuses_a_change_by_a_state_viewer(client, world):
    response = patch(client, world.state_viewer, collaborative_url(world.collaborative),
                     {"topic": "Nutrition"})
    assert response.status_code == 403
    world.collaborative.refresh_from_db()
    assert world.collaborative.topic == "Social-emotional learning"


def test_it_refuses_an_end_date_before_the_start_date(client, world):
    response = patch(client, world.advisor, collaborative_url(world.collaborative),
                     {"end_date": "2025-12-31"})
    assert response.status_code == 400
    world.collaborative.refresh_from_db()
    assert str(world.collaborative.end_date) == "2027-03-31"


def test_it_names_a_field_or_non_field_errors_for_an_end_before_the_start(client, world):
    response = patch(client, world.advisor, collaborative_url(world.collaborative),
                     {"end_date": "2025-12-31"})
    assert set(response.json()) & {"start_date", "end_date", "non_field_errors"}


# --- The schema --------------------------------------------------------------------------

def schema(client, world) -> dict:
    client.force_login(world.member_a)
    return yaml.safe_load(client.get("/api/v1/schema/").content)


def test_it_serves_an_openapi_3_schema(client, world):
    assert schema(client, world)["openapi"].startswith("3.")


def test_it_describes_the_team_and_collaborative_endpoints(client, world):
    assert {TEAMS, COLLABORATIVES} <= set(schema(client, world)["paths"])
