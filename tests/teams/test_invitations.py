"""Names are one line, and the email telling someone they were added to a team is never a
500 nor lost (issue #10, item 5; the escaped "&" of item 9)."""

from __future__ import annotations

import contextlib
import smtplib

import pytest
from celery.exceptions import Retry
from django.core.mail import BadHeaderError
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from collaboratives.forms import CollaborativeForm
from collaboratives.tasks import MAIL_RETRY
from collaboratives.validators import validate_one_line
from pdsa.validators import validate_one_line as pdsa_validate_one_line
from teams.forms import OrganizationForm, TeamCreateForm, TeamForm
from teams.models import MemberRole, Membership
from teams.services import membership_add, pending_invitation_ids
from teams.tasks import send_membership_invitation, send_pending_invitations
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PERSON = {"first_name": "Lena", "last_name": "Park", "email": "lena@example.org",
              "role": "family", "is_lead": ""}
BROKEN_NAMES = ["Team\nA", "Team\r\nBcc: x@example.org", "Tab\there", "Line\u2028separator"]


@pytest.fixture(autouse=True)
def _eager_celery(settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True


class FailingBackend(EmailBackend):
    """A mail server that refuses the first ``failures`` messages, then accepts (locmem)."""

    failures = 0
    error: type[Exception] = smtplib.SMTPServerDisconnected
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise type(self).error("mail server gone")
        return super().send_messages(messages)


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    FailingBackend.calls, FailingBackend.failures = 0, 10**6
    FailingBackend.error = smtplib.SMTPServerDisconnected
    yield FailingBackend
    FailingBackend.calls, FailingBackend.failures = 0, 0


def add_through_the_page(client, world, capture, **changes):
    client.force_login(world.advisor)
    with capture(execute=True):
        return client.post(reverse("teams:member-add", args=[world.team_a.pk]), {**NEW_PERSON, **changes})


# --- Names are one line ----------------------------------------------------------------------

def test_the_one_line_rule_lives_in_the_lowest_layer_and_pdsa_keeps_its_name():
    assert pdsa_validate_one_line is validate_one_line


@pytest.mark.parametrize("name", BROKEN_NAMES)
def test_the_team_form_refuses_a_name_on_two_lines(world, name):
    form = TeamCreateForm({"name": name, "organization": world.team_a.organization_id},
                          state=world.collaborative.state)
    assert not form.is_valid()
    assert "one line" in form.errors["name"][0]


def test_the_team_edit_page_refuses_a_line_break_and_changes_nothing(client, world):
    client.force_login(world.advisor)
    organization = world.team_a.organization
    response = client.post(reverse("teams:update", args=[world.team_a.pk]), {
        "name": "Team\nA2", "org-name": organization.name, "org-kind": organization.kind,
        "org-city": organization.city, "org-state": organization.state,
    })
    assert response.status_code == 200
    assert "one line" in response.text
    world.team_a.refresh_from_db()
    assert world.team_a.name == "Team A"


def test_the_organization_and_collaborative_forms_refuse_it_too(world):
    organization = OrganizationForm({"name": "Little\nOaks", "kind": "head_start", "city": "Durham",
                                     "state": "NC"})
    assert not organization.is_valid()
    assert "one line" in organization.errors["name"][0]
    collaborative = CollaborativeForm({"name": "Growing\nTogether", "topic": "SEL", "state": "NC",
                                       "status": "planning", "start_date": "2027-01-01",
                                       "end_date": "2027-12-31"})
    assert not collaborative.is_valid()
    assert "one line" in collaborative.errors["name"][0]
    assert not TeamForm({"name": "A\nB"}, instance=world.team_a).is_valid()


def test_the_api_refuses_a_team_name_on_two_lines(client, world):
    client.force_login(world.advisor)
    organization = factories.OrganizationFactory(name="Little Oaks", state="NC")
    response = client.post("/api/v1/teams/", {
        "name": "Little\nOaks", "collaborative": world.collaborative.pk,
        "organization_id": organization.pk}, content_type="application/json")
    assert response.status_code == 400
    assert "one line" in response.json()["name"][0]
    response = client.patch(f"/api/v1/teams/{world.team_a.pk}/", {"name": "A\nB"},
                            content_type="application/json")
    assert response.status_code == 400
    world.team_a.refresh_from_db()
    assert world.team_a.name == "Team A"


def test_the_api_refuses_a_collaborative_name_on_two_lines(client, world):
    client.force_login(world.advisor)
    response = client.patch(f"/api/v1/collaboratives/{world.collaborative.pk}/",
                            {"name": "Growing\r\nTogether"}, content_type="application/json")
    assert response.status_code == 400
    assert "one line" in response.json()["name"][0]


def test_the_model_refuses_it_so_the_admin_does(world):
    world.team_a.name = "Team\nA"
    with pytest.raises(Exception, match="one line"):
        world.team_a.full_clean()


# --- The invitation email ----------------------------------------------------------------------

def test_the_subject_keeps_an_ampersand(world, mailoutbox, django_capture_on_commit_callbacks):
    world.team_a.name = "Kids & Families"
    world.team_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        membership_add(team=world.team_a, email="rosa@example.org", first_name="Rosa",
                       last_name="Diaz", role=MemberRole.FAMILY, is_lead=False,
                       invited_by=world.advisor)
    assert mailoutbox[0].subject == "You were added to Kids & Families on BSC Portal"


def test_a_sent_invitation_is_no_longer_pending(client, world, mailoutbox,
                                                django_capture_on_commit_callbacks):
    response = add_through_the_page(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert not Membership.objects.get(user__email="lena@example.org").invitation_pending
    assert "not sent yet" not in client.get(world.team_a.get_absolute_url()).text


@pytest.mark.parametrize("error", [smtplib.SMTPServerDisconnected, BadHeaderError])
def test_a_failing_mail_server_is_no_500_and_the_page_says_the_invitation_is_pending(
    client, world, failing_mail, error, django_capture_on_commit_callbacks, caplog,
):
    failing_mail.error = error
    response = add_through_the_page(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="lena@example.org")
    assert membership.invitation_pending
    page = client.get(world.team_a.get_absolute_url()).text
    assert "invitation email not sent yet" in page
    assert "lena@example.org" not in caplog.text  # logged without personal data


def test_an_smtp_error_is_retried_with_back_off(client, world, failing_mail,
                                                django_capture_on_commit_callbacks):
    add_through_the_page(client, world, django_capture_on_commit_callbacks)
    assert failing_mail.calls == 1
    membership = Membership.objects.get(user__email="lena@example.org")
    # What the worker does with the task once its back-off has passed: still failing, retry.
    with pytest.raises(Retry):
        send_membership_invitation.apply(kwargs={"membership_id": membership.pk})
    assert failing_mail.calls == 2
    assert send_membership_invitation.max_retries == MAIL_RETRY["max_retries"]
    assert send_membership_invitation.retry_backoff
    assert send_membership_invitation.acks_late


def test_a_retry_that_gets_through_sends_it_once(client, world, failing_mail, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    failing_mail.failures = 2
    add_through_the_page(client, world, django_capture_on_commit_callbacks)
    membership = Membership.objects.get(user__email="lena@example.org")
    for _attempt in range(2):  # the worker's retries, after their back-off
        with contextlib.suppress(Retry):
            send_membership_invitation.apply(kwargs={"membership_id": membership.pk})
    assert failing_mail.calls == 3
    assert [message.to for message in mailoutbox] == [["lena@example.org"]]
    membership.refresh_from_db()
    assert not membership.invitation_pending


def test_the_api_answers_201_when_the_mail_server_fails(client, world, failing_mail,
                                                        django_capture_on_commit_callbacks):
    client.force_login(world.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/memberships/", {
            "team": world.team_a.pk, "email": "rosa@example.org", "first_name": "Rosa",
            "last_name": "Diaz", "role": "family"}, content_type="application/json")
    assert response.status_code == 201
    assert Membership.objects.get(user__email="rosa@example.org").invitation_pending


def test_the_email_goes_out_once_even_if_the_task_runs_twice(world, mailoutbox,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        membership = membership_add(team=world.team_a, email="rosa@example.org", first_name="Rosa",
                                    last_name="Diaz", role=MemberRole.FAMILY, is_lead=False,
                                    invited_by=world.advisor)
    assert len(queued) == 1
    queued[0]()
    queued[0]()  # redelivered
    send_membership_invitation.delay(membership_id=membership.pk)
    assert len(mailoutbox) == 1


def test_the_sweep_sends_what_the_broker_never_got_once_it_is_back(world, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down: never queued
        membership = membership_add(team=world.team_a, email="rosa@example.org", first_name="Rosa",
                                    last_name="Diaz", role=MemberRole.FAMILY, is_lead=False,
                                    invited_by=world.advisor)
    assert pending_invitation_ids() == [membership.pk]
    assert send_pending_invitations.delay().get() == 1
    assert send_pending_invitations.delay().get() == 0
    assert len(mailoutbox) == 1


def test_people_added_before_are_not_pending(world, client):
    assert not world.membership_a.invitation_pending
    client.force_login(world.advisor)
    assert "not sent yet" not in client.get(world.team_a.get_absolute_url()).text
