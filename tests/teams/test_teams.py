"""Teams, their programs and their members: services and pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from teams.models import MemberRole, Membership, Organization, Team
from teams.selectors import composition_gaps, teams_with_composition
from teams.services import membership_add, team_create
from tests.factories import MembershipFactory, OrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db

NEW_ORG = {"name": "Maple Tree Preschool", "kind": "child_care_center",
           "funding_streams": ["ccdf"], "city": "Cary", "state": "NC"}


def test_it_creates_a_team_with_a_new_organization(world):
    team = team_create(collaborative=world.collaborative, name="Maple Tree",
                       new_organization=NEW_ORG)
    assert team.organization.name == "Maple Tree Preschool"
    assert team.organization.get_funding_streams_display() == ["Child care subsidy (CCDF)"]


def test_it_refuses_a_second_team_for_the_same_organization_in_a_collaborative(world):
    with pytest.raises(ValidationError) as error:
        team_create(collaborative=world.collaborative, name="Another name",
                    organization=world.team_a.organization)
    assert "already has a team in this collaborative" in str(error.value)


def test_it_leaves_no_orphan_organization_when_the_team_is_refused(world):
    with pytest.raises(ValidationError):
        team_create(collaborative=world.collaborative, name="Team A", new_organization=NEW_ORG)
    assert not Organization.objects.filter(name="Maple Tree Preschool").exists()


def test_it_refuses_unknown_funding_streams(world):
    with pytest.raises(ValidationError) as error:
        team_create(collaborative=world.collaborative, name="Maple Tree",
                    new_organization={**NEW_ORG, "funding_streams": ["lottery"]})
    assert "funding_streams" in error.value.message_dict


def test_it_flags_a_team_with_no_educator_or_no_family_member(world):
    team = TeamFactory(collaborative=world.collaborative)
    MembershipFactory(team=team, role=MemberRole.ADMINISTRATOR)
    annotated = teams_with_composition(Team.objects.filter(pk=team.pk)).get()
    assert [gap.code for gap in composition_gaps(annotated)] == ["no_educator", "no_family"]


def test_it_counts_a_cross_role_team_as_complete(world):
    MembershipFactory(team=world.team_a, role=MemberRole.FAMILY)
    annotated = teams_with_composition(Team.objects.filter(pk=world.team_a.pk)).get()
    assert composition_gaps(annotated) == []
    assert (annotated.educator_count, annotated.administrator_count, annotated.family_count) == (1, 1, 1)


def test_it_invites_a_new_person_by_email(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_add(team=world.team_a, email="Rosa@Example.org",
                                    first_name="Rosa", last_name="Diaz", role=MemberRole.FAMILY,
                                    is_lead=False, invited_by=world.advisor)
    assert not membership.user.has_usable_password()
    assert mailoutbox[0].to == ["Rosa@example.org"]
    assert "Team A" in mailoutbox[0].subject
    assert "/accounts/invitation/" in mailoutbox[0].body


def test_it_adds_an_existing_account_without_a_new_user(world, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    users_before = get_user_model().objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        membership_add(team=world.team_b, email=world.member_a.email, first_name="x",
                       last_name="y", role=MemberRole.EDUCATOR, is_lead=False,
                       invited_by=world.advisor)
    assert get_user_model().objects.count() == users_before
    assert "/accounts/login/" in mailoutbox[0].body


def test_it_refuses_a_person_twice_on_a_team_naming_the_email_field(world):
    with pytest.raises(ValidationError) as error:
        membership_add(team=world.team_a, email=world.member_a.email, first_name="A",
                       last_name="B", role=MemberRole.EDUCATOR, is_lead=False,
                       invited_by=world.advisor)
    assert "already on this team" in error.value.message_dict["email"][0]
    assert world.team_a.memberships.filter(user=world.member_a).count() == 1


def test_it_lets_an_invited_person_set_a_password_accept_and_open_the_team(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership_add(team=world.team_a, email="new@example.org", first_name="Nadia",
                       last_name="Reyes", role=MemberRole.OTHER_STAFF, is_lead=False,
                       invited_by=world.advisor)
    link = re.search(r"http://[^/]+(/accounts/invitation/\S+)", mailoutbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session-held one
    response = client.post(form_url, {"new_password1": "Tulips-in-April-2026",
                                      "new_password2": "Tulips-in-April-2026"}, follow=True)
    assert response.context["user"].email == "new@example.org"
    # Signed in, they join by accepting the invitation (issue #10, hole 8).
    invitation = Membership.objects.get(user__email="new@example.org")
    assert "Team A" in client.get(reverse("invitations:list")).text
    response = client.post(reverse("invitations:respond", args=[invitation.pk]), {"accept": "1"})
    assert response.url == world.team_a.get_absolute_url()
    assert client.get(response.url).status_code == 200
    assert client.get(link).status_code == 200  # a used link shows the expired message
    assert "expired or was already used" in client.get(link, follow=True).text


def test_it_shows_the_composition_flag_on_the_team_page(client, world):
    client.force_login(world.member_a)
    response = client.get(world.team_a.get_absolute_url())
    assert "No family member on the team" in response.text
    assert "Add a member" not in response.text


def test_it_adds_a_member_through_the_page(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("teams:member-add", args=[world.team_a.pk]), {
            "first_name": "Lena", "last_name": "Park", "email": "lena@example.org",
            "role": "family", "is_lead": "",
        })
    assert response.url == world.team_a.get_absolute_url()
    assert world.team_a.memberships.filter(user__email="lena@example.org", role="family").exists()


def test_it_shows_a_duplicate_member_error_on_the_page_and_saves_nothing(client, world):
    client.force_login(world.advisor)
    before = Membership.objects.count()
    response = client.post(reverse("teams:member-add", args=[world.team_a.pk]), {
        "first_name": "A", "last_name": "B", "email": world.member_a.email, "role": "educator",
    })
    assert response.status_code == 200
    assert "is already on this team" in response.text
    assert Membership.objects.count() == before


def test_it_shows_a_duplicate_team_name_error_and_saves_nothing(client, world):
    client.force_login(world.advisor)
    organization = OrganizationFactory(created_by=world.advisor)
    response = client.post(reverse("teams:create", args=[world.collaborative.pk]), {
        "name": "Team A", "organization": organization.pk,
    })
    assert response.status_code == 200
    assert "A team with this name is already in this collaborative." in response.text
    assert world.collaborative.teams.count() == 2


def test_it_asks_for_the_new_organization_details_when_none_is_chosen(client, world):
    client.force_login(world.advisor)
    response = client.post(reverse("teams:create", args=[world.collaborative.pk]),
                           {"name": "Maple Tree"})
    assert "Needed for a new organization" in response.text
    assert not Team.objects.filter(name="Maple Tree").exists()


def test_it_creates_a_team_and_its_organization_through_the_page(client, world):
    client.force_login(world.advisor)
    response = client.post(reverse("teams:create", args=[world.collaborative.pk]), {
        "name": "Maple Tree", "new_organization_name": "Maple Tree Preschool",
        "new_organization_kind": "head_start", "new_organization_funding": ["head_start"],
        "new_organization_city": "Cary", "new_organization_state": "NC",
    })
    team = Team.objects.get(name="Maple Tree")
    assert response.url == team.get_absolute_url()
    assert team.organization.kind == "head_start"


def test_it_changes_a_members_role_and_keeps_the_history(client, world):
    client.force_login(world.advisor)
    url = reverse("teams:member-update", args=[world.team_a.pk, world.membership_a.pk])
    client.post(url, {"role": "other_staff", "is_lead": "on"})
    world.membership_a.refresh_from_db()
    assert (world.membership_a.role, world.membership_a.is_lead) == ("other_staff", True)
    assert [h.role for h in world.membership_a.history.all()] == ["other_staff", "educator"]


def test_it_removes_a_member(client, world):
    client.force_login(world.advisor)
    client.post(reverse("teams:member-remove", args=[world.team_a.pk, world.membership_a.pk]))
    assert not Membership.objects.filter(pk=world.membership_a.pk).exists()


def test_it_refuses_a_membership_of_another_team_in_the_url(client, world):
    client.force_login(world.advisor)
    other = world.team_b.memberships.get()
    url = reverse("teams:member-update", args=[world.team_a.pk, other.pk])
    assert client.get(url).status_code == 404


def test_it_offers_only_programs_of_the_collaboratives_state(client, world):
    OrganizationFactory(name="Virginia Program", state="VA", created_by=world.advisor)
    OrganizationFactory(name="Carolina Program", state="NC", created_by=world.advisor)
    client.force_login(world.advisor)
    response = client.get(reverse("teams:create", args=[world.collaborative.pk]))
    assert "Carolina Program" in response.text
    assert "Virginia Program" not in response.text


def test_it_asks_for_a_role_rather_than_defaulting_to_administrator(client, world):
    client.force_login(world.advisor)
    response = client.post(reverse("teams:member-add", args=[world.team_a.pk]), {
        "first_name": "Lena", "last_name": "Park", "email": "lena@example.org",
    })
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not Membership.objects.filter(user__email="lena@example.org").exists()
