"""A program (organization) belongs to the collaboratives whose teams use it: an advisor
picks and changes only their own (issue #10, hole 1).

The attack: an advisor of a Virginia collaborative starts one in North Carolina, picks a
North Carolina program that a team of another collaborative belongs to, then renames it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collaboratives.models import CollaborativeRole
from teams import access
from teams.models import Organization, Team
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def intruder_collaborative(world):
    """The other advisor's new collaborative, in the world collaborative's state."""
    collaborative = factories.CollaborativeFactory(name="Carolina Start", state="NC")
    factories.CollaborativeRoleFactory(user=world.other_advisor, collaborative=collaborative,
                                       role=CollaborativeRole.Role.ADVISOR)
    return collaborative


def program_fields(organization: Organization, **changes) -> dict:
    fields = {"org-name": organization.name, "org-kind": organization.kind,
              "org-city": organization.city, "org-state": organization.state,
              "org-funding_streams": organization.funding_streams}
    return {**fields, **{f"org-{name}": value for name, value in changes.items()}}


def edit_team(client, user, team: Team, **changes):
    client.force_login(user)
    return client.post(reverse("teams:update", args=[team.pk]),
                       {"name": team.name, **program_fields(team.organization, **changes)})


# --- The programs offered -------------------------------------------------------------------

def test_it_does_not_offer_another_collaboratives_program_in_the_team_form(
        client, world, intruder_collaborative):
    client.force_login(world.other_advisor)
    response = client.get(reverse("teams:create", args=[intruder_collaborative.pk]))
    offered = response.context["form"].fields["organization"].queryset
    assert world.team_a.organization not in offered
    assert world.team_a.organization.name not in response.text


def test_it_offers_the_programs_of_the_advisors_own_collaboratives(client, world):
    own = factories.CollaborativeFactory(state="NC")
    factories.CollaborativeRoleFactory(user=world.advisor, collaborative=own)
    described = factories.OrganizationFactory(name="Described Here", created_by=world.advisor)
    unrelated = factories.OrganizationFactory(name="Somebody Else's")
    client.force_login(world.advisor)
    offered = client.get(reverse("teams:create", args=[own.pk])).context["form"].fields[
        "organization"].queryset
    assert set(offered) == {world.team_a.organization, world.team_b.organization, described}
    assert unrelated not in offered


def test_it_refuses_a_forged_program_id_and_creates_nothing(client, world, intruder_collaborative):
    client.force_login(world.other_advisor)
    response = client.post(reverse("teams:create", args=[intruder_collaborative.pk]), {
        "name": "Borrowed", "organization": world.team_a.organization_id})
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not intruder_collaborative.teams.exists()


def test_the_api_answers_another_collaboratives_program_as_unknown(client, world, intruder_collaborative):
    client.force_login(world.other_advisor)
    organization = world.team_a.organization
    response = client.post("/api/v1/teams/", {
        "name": "Borrowed", "collaborative": intruder_collaborative.pk,
        "organization_id": organization.pk}, content_type="application/json")
    assert response.status_code == 400
    unknown = f'Invalid pk "{organization.pk}" - object does not exist.'
    assert response.json() == {"organization_id": [unknown]}
    assert not intruder_collaborative.teams.exists()


def test_the_api_lets_an_advisor_attach_a_program_of_their_own(client, world):
    client.force_login(world.advisor)
    second = factories.CollaborativeFactory(state="NC")
    factories.CollaborativeRoleFactory(user=world.advisor, collaborative=second)
    response = client.post("/api/v1/teams/", {
        "name": "Team A again", "collaborative": second.pk,
        "organization_id": world.team_a.organization_id}, content_type="application/json")
    assert response.status_code == 201


# --- Changing a program ------------------------------------------------------------------------

def test_an_advisor_changes_a_program_only_their_collaboratives_use(client, world):
    response = edit_team(client, world.advisor, world.team_a, name="Sunrise Renamed", city="Durham")
    assert response.status_code == 302
    world.team_a.organization.refresh_from_db()
    assert (world.team_a.organization.name, world.team_a.organization.city) == ("Sunrise Renamed", "Durham")


def test_it_refuses_to_change_a_program_another_collaborative_uses(client, world, intruder_collaborative):
    organization = world.team_a.organization
    # However it came to be shared (an old row, a program described twice), it now is.
    borrowed = factories.TeamFactory(collaborative=intruder_collaborative, organization=organization)
    response = edit_team(client, world.other_advisor, borrowed, name="Hijacked", state="VA")
    assert response.status_code == 200
    assert "also has teams in collaboratives you do not lead" in response.text
    organization.refresh_from_db()
    assert (organization.name, organization.state) != ("Hijacked", "VA")
    assert organization.history.count() == 1


def test_the_edit_page_shows_a_shared_program_without_its_fields(client, world, intruder_collaborative):
    borrowed = factories.TeamFactory(collaborative=intruder_collaborative,
                                     organization=world.team_a.organization)
    client.force_login(world.other_advisor)
    response = client.get(reverse("teams:update", args=[borrowed.pk]))
    assert response.status_code == 200
    assert 'name="org-name"' not in response.text
    assert "also has teams in collaboratives you do not lead" in response.text


def test_once_shared_its_first_advisor_cannot_change_it_either(client, world, intruder_collaborative):
    factories.TeamFactory(collaborative=intruder_collaborative, organization=world.team_a.organization)
    response = edit_team(client, world.advisor, world.team_a, name="Renamed")
    assert response.status_code == 200
    world.team_a.organization.refresh_from_db()
    assert world.team_a.organization.name != "Renamed"


def test_the_team_name_of_a_shared_program_can_still_change(client, world, intruder_collaborative):
    borrowed = factories.TeamFactory(collaborative=intruder_collaborative,
                                     organization=world.team_a.organization, name="Borrowed")
    client.force_login(world.other_advisor)
    response = client.post(reverse("teams:update", args=[borrowed.pk]), {"name": "Our team"})
    assert response.status_code == 302
    borrowed.refresh_from_db()
    assert borrowed.name == "Our team"


def test_the_rule_lives_in_the_access_module(world, intruder_collaborative):
    organization = world.team_a.organization
    assert access.can_edit_organization(world.advisor, organization)
    assert not access.can_edit_organization(world.other_advisor, organization)
    assert not access.can_edit_organization(world.coach, factories.OrganizationFactory())
    assert not access.can_edit_organization(world.member_a, organization)
    factories.TeamFactory(collaborative=intruder_collaborative, organization=organization)
    assert not access.can_edit_organization(world.advisor, organization)
    described = factories.OrganizationFactory(created_by=world.other_advisor)
    assert access.can_edit_organization(world.other_advisor, described)
    assert described in access.organizations_offered_to(world.other_advisor)
    assert not access.organizations_offered_to(world.stranger).exists()


# --- Describing a program ------------------------------------------------------------------------

def test_a_described_program_is_recorded_as_the_advisors(client, world):
    client.force_login(world.advisor)
    client.post(reverse("teams:create", args=[world.collaborative.pk]), {
        "name": "Maple Tree", "new_organization_name": "Maple Tree Preschool",
        "new_organization_kind": "head_start", "new_organization_city": "Cary",
        "new_organization_state": "NC"})
    assert Team.objects.get(name="Maple Tree").organization.created_by == world.advisor


def test_describing_a_known_program_joins_it_without_changing_it(client, world, intruder_collaborative):
    organization = world.team_a.organization
    client.force_login(world.other_advisor)
    response = client.post(reverse("teams:create", args=[intruder_collaborative.pk]), {
        "name": "Same Center", "new_organization_name": organization.name.upper(),
        "new_organization_kind": "head_start", "new_organization_city": organization.city,
        "new_organization_state": organization.state})
    assert response.status_code == 302
    team = intruder_collaborative.teams.get()
    assert team.organization == organization
    organization.refresh_from_db()
    assert organization.kind == "child_care_center"
    assert not access.can_edit_organization(world.other_advisor, organization)
