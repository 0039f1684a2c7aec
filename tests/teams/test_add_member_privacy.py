"""Adding someone to a team by email invites them and never tells whether the address has
an account (issue #10, hole 8): the advisor sees the same message, the same team page and
the same API answer either way, and an existing account joins only when its owner accepts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from teams.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db

TYPED = {"first_name": "Robin", "last_name": "Typed", "role": "family", "is_lead": ""}


@pytest.fixture(autouse=True)
def _eager_celery(settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def known(world):
    """Someone with an account of their own, on no team of the advisor's."""
    return factories.UserFactory(username="quiet-person", first_name="Account", last_name="Ownname",
                                 email="known@example.org")


def add_on_the_page(client, world, email: str, capture):
    client.force_login(world.advisor)
    with capture(execute=True):
        response = client.post(reverse("teams:member-add", args=[world.team_a.pk]),
                               {**TYPED, "email": email}, follow=True)
    return response


def member_row(page: str, email: str) -> str:
    """The team page's row of the person added, with the typed address blanked."""
    match = re.search(r'<li class="list-group-item[^>]*>((?:(?!</li>).)*' + re.escape(email)
                      + r"(?:(?!</li>).)*)</li>", page, re.S)
    assert match, "no member row names the typed email"
    row = match.group(1).replace(email, "<email>")
    return re.sub(r"/members/\d+/", "/members/<pk>/", row)


def test_the_message_is_the_same_for_a_known_and_an_unknown_address(
        client, world, known, django_capture_on_commit_callbacks):
    for_known = add_on_the_page(client, world, "known@example.org", django_capture_on_commit_callbacks)
    for_new = add_on_the_page(client, world, "nobody@example.org", django_capture_on_commit_callbacks)
    said_known = [str(m) for m in for_known.context["messages"]]
    said_new = [str(m) for m in for_new.context["messages"]]
    assert said_known == ["Invitation sent to known@example.org. They join the team as family "
                          "member once they accept."]
    assert [m.replace("known@", "nobody@") for m in said_known] == said_new
    assert "Ownname" not in for_known.text
    assert "quiet-person" not in for_known.text


def test_the_team_page_shows_what_was_typed_until_they_accept(
        client, world, known, django_capture_on_commit_callbacks):
    add_on_the_page(client, world, "known@example.org", django_capture_on_commit_callbacks)
    add_on_the_page(client, world, "nobody@example.org", django_capture_on_commit_callbacks)
    page = client.get(world.team_a.get_absolute_url()).text
    assert "Ownname" not in page
    assert "quiet-person" not in page
    assert member_row(page, "known@example.org") == member_row(page, "nobody@example.org")
    assert "Robin Typed" in member_row(page, "known@example.org")


def test_an_inactive_account_looks_like_any_other_address(
        client, world, known, django_capture_on_commit_callbacks):
    known.is_active = False
    known.save()
    add_on_the_page(client, world, "known@example.org", django_capture_on_commit_callbacks)
    add_on_the_page(client, world, "nobody@example.org", django_capture_on_commit_callbacks)
    page = client.get(world.team_a.get_absolute_url()).text
    assert member_row(page, "known@example.org") == member_row(page, "nobody@example.org")
    assert "not sent yet" not in page


def test_the_api_answers_the_same_for_a_known_and_an_unknown_address(client, world, known):
    client.force_login(world.advisor)
    answers = []
    for email in ("known@example.org", "nobody@example.org"):
        response = client.post("/api/v1/memberships/", {
            "team": world.team_a.pk, "email": email, "first_name": "Robin", "last_name": "Typed",
            "role": "family"}, content_type="application/json")
        assert response.status_code == 201
        answer = response.json()
        answer.pop("id")
        answers.append(answer)
    assert answers[0] == answers[1] == {"team": world.team_a.pk, "user": None, "name": "Robin Typed",
                                        "role": "family", "is_lead": False, "accepted": False}
    listed = client.get(f"/api/v1/teams/{world.team_a.pk}/").json()["members"]
    assert "Account Ownname" not in {member["name"] for member in listed}
    assert known.pk not in {member["user"] for member in listed}


def test_the_duplicate_message_repeats_the_address_as_typed(client, world):
    client.force_login(world.advisor)
    typed = world.member_a.email.upper().replace("@EXAMPLE.ORG", "@example.org")
    response = client.post(reverse("teams:member-add", args=[world.team_a.pk]),
                           {**TYPED, "email": typed})
    assert f"{typed} is already on this team or invited to it." in response.text


# --- The invited person decides --------------------------------------------------------------

def test_an_existing_account_gets_no_access_until_it_accepts(
        client, world, known, mailoutbox, django_capture_on_commit_callbacks):
    add_on_the_page(client, world, "known@example.org", django_capture_on_commit_callbacks)
    assert [message.to for message in mailoutbox] == [["known@example.org"]]
    known.refresh_from_db()
    assert (known.first_name, known.last_name) == ("Account", "Ownname")  # untouched
    client.force_login(known)
    assert client.get(world.team_a.get_absolute_url()).status_code == 404
    invitation = Membership.objects.get(user=known)
    page = client.get(reverse("invitations:list")).text
    assert "Team A" in page
    response = client.post(reverse("invitations:respond", args=[invitation.pk]), {"accept": "1"})
    assert response.url == world.team_a.get_absolute_url()
    assert client.get(world.team_a.get_absolute_url()).status_code == 200
    client.force_login(world.advisor)
    assert "Account Ownname" in client.get(world.team_a.get_absolute_url()).text


def test_the_team_list_points_the_person_to_their_invitations(
        client, world, known, django_capture_on_commit_callbacks):
    add_on_the_page(client, world, "known@example.org", django_capture_on_commit_callbacks)
    client.force_login(known)
    page = client.get(reverse("teams:list")).text
    assert "You are invited to join 1 team." in page
    assert reverse("invitations:list") in page


def test_declining_removes_the_invitation_and_keeps_the_account(
        client, world, known, django_capture_on_commit_callbacks):
    add_on_the_page(client, world, "known@example.org", django_capture_on_commit_callbacks)
    invitation = Membership.objects.get(user=known)
    client.force_login(known)
    response = client.post(reverse("invitations:respond", args=[invitation.pk]), {"decline": "1"})
    assert response.url == reverse("invitations:list")
    assert not Membership.objects.filter(pk=invitation.pk).exists()
    known.refresh_from_db()
    assert known.is_active


def test_nobody_else_answers_an_invitation(client, world, known, django_capture_on_commit_callbacks):
    add_on_the_page(client, world, "known@example.org", django_capture_on_commit_callbacks)
    invitation = Membership.objects.get(user=known)
    for intruder in (world.advisor, world.member_a, world.stranger):
        client.force_login(intruder)
        response = client.post(reverse("invitations:respond", args=[invitation.pk]), {"accept": "1"})
        assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_accepted_membership_is_no_invitation_any_more(client, world):
    client.force_login(world.member_a)
    url = reverse("invitations:respond", args=[world.membership_a.pk])
    assert client.post(url, {"decline": "1"}).status_code == 404
    assert Membership.objects.filter(pk=world.membership_a.pk).exists()


def test_answering_needs_a_post(client, world):
    client.force_login(world.member_a)
    assert client.get(reverse("invitations:respond", args=[world.membership_a.pk])).status_code == 405
