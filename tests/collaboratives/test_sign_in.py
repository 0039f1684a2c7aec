"""Sign-in people can manage (issue #11): the email address or the username signs in, the
invitation and the set-password page say which to use, "forgot password" works from the
email address (also for someone invited who never set a password), and a person signed out
for being idle is told so and goes back to where they were."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from django.urls import reverse

from bsc_portal.middleware import LAST_ACTIVE_COOKIE
from collaboratives.auth_backends import axes_username, user_for_sign_in
from collaboratives.services import invitation_send, user_find_or_invite
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

UserModel = get_user_model()
IDLE = datetime.timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES)
T0 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
IDLE_MESSAGE = "You were signed out after 2 hours without activity."


@pytest.fixture
def rosa():
    return factories.UserFactory(username="rosa.diaz", first_name="Rosa",
                                 email="Rosa.Diaz@Example.org")


def sign_in(client: Client, name: str, password: str = PASSWORD, **data: str):
    return client.post(reverse("login"), {"username": name, "password": password, **data})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


# --- Email or username ------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["Rosa.Diaz@Example.org", "rosa.diaz@example.org",
                                   " ROSA.DIAZ@EXAMPLE.ORG "])
def test_it_signs_in_with_the_email_address_in_any_case(client, rosa, typed):
    response = sign_in(client, typed)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(rosa.pk)


def test_it_signs_in_with_the_username(client, rosa):
    response = sign_in(client, "rosa.diaz")
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(rosa.pk)


def test_it_refuses_a_wrong_password_for_the_email(client, rosa):
    response = sign_in(client, "rosa.diaz@example.org", "not-the-password")
    assert response.status_code == 200
    assert "That email or username and password do not match an account." in response.text
    assert signed_in_user_id(client) is None


def test_it_refuses_email_sign_in_when_two_active_accounts_share_the_email(client, rosa):
    # Older data: the profile rules keep emails unique, but they were not always there.
    twin = factories.UserFactory(username="rosa-2", email="rosa.diaz@example.org")
    assert sign_in(client, "rosa.diaz@example.org").status_code == 200
    assert signed_in_user_id(client) is None
    assert sign_in(client, "rosa-2").status_code == 302
    assert signed_in_user_id(client) == str(twin.pk)


def test_it_lets_the_active_account_sign_in_by_an_email_an_inactive_one_shares(client, rosa):
    factories.UserFactory(username="old-rosa", email="rosa.diaz@example.org", is_active=False)
    assert sign_in(client, "rosa.diaz@example.org").status_code == 302
    assert signed_in_user_id(client) == str(rosa.pk)


def test_it_refuses_an_inactive_account_by_email(client, rosa):
    rosa.is_active = False
    rosa.save()
    assert sign_in(client, "rosa.diaz@example.org").status_code == 200
    assert signed_in_user_id(client) is None


def test_it_runs_the_password_hasher_once_for_an_unknown_name(rosa):
    # Like ModelBackend: an unknown account costs a hash too, so timing tells nothing.
    with mock.patch.object(UserModel, "set_password", autospec=True) as hashing:
        assert user_for_sign_in("nobody@example.org") is None
        Client().post(reverse("login"), {"username": "nobody@example.org", "password": "x" * 9})
    assert hashing.call_count == 1


def test_the_sign_in_form_asks_for_email_or_username(client):
    html = client.get(reverse("login")).text
    assert "Email or username" in html
    assert 'autocomplete="username"' in html
    assert 'autocapitalize="none"' in html


# --- Lock-out: email and username count as one person ----------------------------------

def test_it_counts_failures_by_email_and_by_username_together(client, rosa):
    for _attempt in range(3):
        sign_in(client, "ROSA.diaz@example.org", "wrong-password")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 3):
        sign_in(client, "rosa.diaz", "wrong-password")
    assert sign_in(client, "rosa.diaz@example.org").status_code == 429
    assert sign_in(client, "rosa.diaz").status_code == 429
    assert signed_in_user_id(client) is None


def test_a_success_by_email_clears_failures_by_username(client, rosa):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "rosa.diaz", "wrong-password")
    assert sign_in(client, "rosa.diaz@example.org").status_code == 302
    client.post(reverse("logout"))
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "rosa.diaz", "wrong-password")
    assert sign_in(client, "rosa.diaz").status_code == 302


def test_axes_counts_an_email_under_its_account_and_anything_else_as_typed(rf, rosa):
    assert axes_username(rf.post("/"), {"username": "ROSA.DIAZ@example.org"}) == "rosa.diaz"
    assert axes_username(rf.post("/"), {"username": "Rosa.Diaz"}) == "rosa.diaz"
    assert axes_username(rf.post("/"), {"username": "Nobody@Example.org"}) == "nobody@example.org"
    assert axes_username(rf.post("/", {"username": "rosa.diaz@example.org"})) == "rosa.diaz"


# --- The invitation and the set-password page say which to use -------------------------

def test_the_invitation_says_to_sign_in_with_the_email(mailoutbox, world):
    user, _created = user_find_or_invite(email="ana.lopez@example.org", first_name="Ana",
                                         last_name="López", invited_by=world.advisor,
                                         place="Team A", notify=False)
    invitation_send(user=user, inviter=world.advisor, place="Team A")
    body = " ".join(mailoutbox[0].body.split())
    assert ("Sign in with your email address, ana.lopez@example.org "
            f"(or your username, {user.get_username()}).") in body


def test_the_invitation_to_someone_with_a_password_says_it_too(mailoutbox, rosa):
    invitation_send(user=rosa, inviter=None, place="Team A")
    body = " ".join(mailoutbox[0].body.split())
    assert "Sign in with your email address, Rosa.Diaz@Example.org (or your username, rosa.diaz)." in body


def _invitation_page(client: Client, user) -> str:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    link = reverse("invitation-accept", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user)})
    return client.get(link)["Location"]  # Django moves the token into the session


def test_the_set_password_page_names_the_email_and_signs_the_person_in(client, world):
    invited, _created = user_find_or_invite(email="ana.lopez@example.org", first_name="Ana",
                                            last_name="López", invited_by=world.advisor,
                                            place="Team A", notify=False)
    page = _invitation_page(client, invited)
    html = client.get(page).text
    assert "You will sign in with your email address" in html
    assert "ana.lopez@example.org" in html
    passphrase = "a walk in the park with the kids"
    response = client.post(page, {"new_password1": passphrase, "new_password2": passphrase})
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(invited.pk)
    assert client.get(reverse("home")).status_code in (200, 302)  # still signed in
    assert signed_in_user_id(client) == str(invited.pk)
    client.post(reverse("logout"))
    assert sign_in(client, "ANA.LOPEZ@example.org", passphrase).status_code == 302


# --- Forgot password, from the email address --------------------------------------------

def test_the_reset_page_speaks_plainly(client):
    html = client.get(reverse("password_reset")).text
    assert "Type the email address you sign in with." in html
    assert "Email address" in html


def test_it_sends_a_reset_link_to_someone_invited_who_never_set_a_password(client, mailoutbox):
    invited = factories.UserFactory(username="parent", email="parent@example.org")
    invited.set_unusable_password()
    invited.save()
    response = client.post(reverse("password_reset"), {"email": "Parent@Example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    body = " ".join(mailoutbox[0].body.split())
    assert "sign in with your email address, parent@example.org, (or your username, parent)" in body
    link = next(line for line in mailoutbox[0].body.splitlines() if "/reset/" in line)
    page = client.get(link.strip())["Location"]
    passphrase = "our family reads at bedtime"
    assert client.post(page, {"new_password1": passphrase, "new_password2": passphrase}).status_code == 302
    assert sign_in(Client(), "parent@example.org", passphrase).status_code == 302


def test_it_gives_an_unknown_email_the_same_answer_as_a_known_one(client, rosa, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": "rosa.diaz@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [message.to for message in mailoutbox] == [["Rosa.Diaz@Example.org"]]
    done = client.get(unknown["Location"]).text
    assert "If an account uses that address" in done


def test_it_sends_no_reset_link_to_an_inactive_account(client, rosa, mailoutbox):
    rosa.is_active = False
    rosa.save()
    client.post(reverse("password_reset"), {"email": "rosa.diaz@example.org"})
    assert mailoutbox == []


def test_the_reset_email_for_a_shared_address_names_the_username_only(client, rosa, mailoutbox):
    factories.UserFactory(username="rosa-2", email="rosa.diaz@example.org")
    client.post(reverse("password_reset"), {"email": "rosa.diaz@example.org"})
    bodies = sorted(" ".join(message.body.split()) for message in mailoutbox)
    assert len(bodies) == 2
    assert all("sign in with your username" in body for body in bodies)
    assert not any("your email address" in body for body in bodies)


# --- Signed out after being idle ---------------------------------------------------------

@contextmanager
def at(moment: datetime.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def signed_in(client, world):
    """member-a, signed in through the form at T0, as a browser would."""
    with at(T0):
        assert sign_in(client, "member-a").status_code == 302
    return client


def test_it_says_why_and_returns_to_the_page_after_an_idle_sign_out(signed_in):
    page = reverse("teams:list")
    with at(T0 + IDLE + datetime.timedelta(seconds=1)):
        refused = signed_in.get(page)
        assert refused["Location"] == f"{reverse('login')}?next={page}"
        html = signed_in.get(refused["Location"]).text
        assert IDLE_MESSAGE in html
        assert "Sign in to go back to where you were." in html
        assert 'role="status"' in html
        back = sign_in(signed_in, "member-a", next=page)
    assert back["Location"] == page


def test_a_form_sent_after_an_idle_sign_out_returns_to_its_page(signed_in):
    page = reverse("profile")
    with at(T0 + IDLE + datetime.timedelta(seconds=1)):
        refused = signed_in.post(page, {"first_name": "Lost"}, HTTP_REFERER=f"http://testserver{page}")
        assert refused.status_code == 302
        assert refused["Location"] == f"{reverse('login')}?next={page}"
        assert IDLE_MESSAGE in signed_in.get(refused["Location"]).text
        assert sign_in(signed_in, "member-a", next=page)["Location"] == page


def test_a_post_only_action_after_an_idle_sign_out_returns_to_the_page_it_was_on(signed_in, world):
    cycle_page = reverse("teams:list")
    action = reverse("pdsa:cycle-status", kwargs={"pk": 1})
    with at(T0 + IDLE + datetime.timedelta(seconds=1)):
        refused = signed_in.post(action, HTTP_REFERER=f"http://testserver{cycle_page}?tab=open")
    assert refused["Location"] == f"{reverse('login')}?next=/teams/%3Ftab%3Dopen"


@pytest.mark.parametrize("referer", [None, "https://elsewhere.example.com/x/"])
def test_a_post_without_a_page_of_ours_to_return_to_keeps_djangos_next(signed_in, referer):
    action = reverse("pdsa:cycle-status", kwargs={"pk": 1})
    extra = {"HTTP_REFERER": referer} if referer else {}
    with at(T0 + IDLE + datetime.timedelta(seconds=1)):
        refused = signed_in.post(action, **extra)
    assert refused["Location"] == f"{reverse('login')}?next={action}"


def test_it_says_nothing_of_idleness_after_signing_out(signed_in):
    with at(T0 + datetime.timedelta(minutes=5)):
        signed_in.post(reverse("logout"))
    with at(T0 + IDLE + datetime.timedelta(minutes=5)):
        assert IDLE_MESSAGE not in signed_in.get(reverse("login")).text


def test_it_says_nothing_of_idleness_on_a_first_visit(client, world):
    html = client.get(reverse("login")).text
    assert "without activity" not in html
    assert LAST_ACTIVE_COOKIE not in client.cookies


def test_it_says_nothing_of_idleness_while_the_session_was_in_use(signed_in):
    # Signed in at T0, used at T0 + 90 min: at T0 + 2.5 h the session is still live.
    with at(T0 + datetime.timedelta(minutes=90)):
        assert signed_in.get(reverse("teams:list")).status_code == 200
    with at(T0 + datetime.timedelta(minutes=150)):
        assert signed_in.get(reverse("teams:list")).status_code == 200
