"""API tokens (issue #10, hole 2): named, hashed, expiring; a person sees, makes and revokes
their own on the profile page; a new password or deactivation revokes them all, and
deactivation signs the person out everywhere."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from collaboratives.models import ApiToken
from collaboratives.tokens import TOKENS_PER_PERSON, api_token_create
from tests import factories

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/teams/"
PROFILE = "/accounts/profile/"
CREATE = "/accounts/profile/tokens/"
NEW_PASSWORD = "a-brand-new-passphrase-2027"


def revoke_url(token: ApiToken) -> str:
    return f"/accounts/profile/tokens/{token.pk}/revoke/"


def api(key: str, path: str = TEAMS):
    return Client().get(path, HTTP_AUTHORIZATION=f"Token {key}")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The key and the API ------------------------------------------------------------------

def test_it_accepts_a_fresh_token_as_its_person(world):
    _token, key = api_token_create(user=world.member_a, name="laptop script")
    response = api(key)
    assert response.status_code == 200
    assert {team["id"] for team in response.json()["results"]} == {world.team_a.pk}


def test_it_stores_only_the_sha256_of_the_key(world):
    token, key = api_token_create(user=world.member_a, name="laptop script")
    stored = ApiToken.objects.values_list(flat=True).get(pk=token.pk)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert stored == token.pk


def test_it_gives_every_token_an_expiry_of_api_token_days_by_default(world, settings):
    settings.API_TOKEN_DAYS = 30
    token, _key = api_token_create(user=world.member_a, name="laptop script")
    assert token.expires - token.created == datetime.timedelta(days=30)


def test_it_keeps_who_made_and_revoked_a_token_but_not_its_hash(world):
    token, _key = api_token_create(user=world.member_a, name="laptop script")
    signed_in(world.member_a).post(revoke_url(token))
    assert list(ApiToken.history.values_list("history_type", flat=True)) == ["-", "+"]
    assert not hasattr(ApiToken.history.model, "key_hash")


def test_it_refuses_an_expired_token_401_like_a_bad_one(world):
    token, key = api_token_create(user=world.member_a, name="laptop script")
    past = timezone.now() - datetime.timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(created=past - datetime.timedelta(days=90),
                                                expires=past)
    expired, bad = api(key), api("bsc_not-a-real-key")
    assert (expired.status_code, expired["WWW-Authenticate"]) == (401, "Token")
    assert expired.json() == bad.json()


def test_it_refuses_the_token_of_a_deactivated_person(world):
    _token, key = api_token_create(user=world.member_a, name="laptop script")
    # Even if the row outlived the deactivation (a queryset update skips the signal).
    type(world.member_a).objects.filter(pk=world.member_a.pk).update(is_active=False)
    assert api(key).status_code == 401


def test_it_notes_when_a_token_was_last_used_at_most_once_a_minute(world):
    token, key = api_token_create(user=world.member_a, name="laptop script")
    assert token.last_used is None
    api(key)
    first = ApiToken.objects.get(pk=token.pk).last_used
    assert first is not None
    api(key)
    assert ApiToken.objects.get(pk=token.pk).last_used == first
    ApiToken.objects.filter(pk=token.pk).update(last_used=first - datetime.timedelta(minutes=2))
    api(key)
    assert ApiToken.objects.get(pk=token.pk).last_used > first


def test_it_no_longer_knows_drf_authtoken_keys():
    assert not apps.is_installed("rest_framework.authtoken")


def test_it_refuses_more_days_than_api_token_days(world, settings):
    settings.API_TOKEN_DAYS = 90
    with pytest.raises(Exception, match="from 1 to 90 days"):
        api_token_create(user=world.member_a, name="long", days=91)
    assert not ApiToken.objects.exists()


# --- The profile page ---------------------------------------------------------------------

def test_it_lists_the_persons_tokens_but_never_a_key(world):
    _token, key = api_token_create(user=world.member_a, name="laptop script")
    api_token_create(user=world.member_b, name="someone else's")
    page = signed_in(world.member_a).get(PROFILE).text
    assert "laptop script" in page
    assert "someone else" not in page
    assert key not in page
    assert "Never" in page  # not used yet


def test_it_makes_a_token_and_shows_its_key_this_once(world):
    client = signed_in(world.member_a)
    response = client.post(CREATE, {"name": "laptop script", "days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=world.member_a)
    key = response.context["new_key"]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert f'value="{key}"' in response.text
    assert "shown only this once" in response.text
    assert "This field is required." not in response.text  # the other sections are as they were
    assert token.expires - token.created == datetime.timedelta(days=30)
    assert key not in client.get(PROFILE).text
    assert api(key).status_code == 200


def test_it_sends_the_profile_with_no_store(world):
    assert "no-store" in signed_in(world.member_a).get(PROFILE)["Cache-Control"]


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "days": "30"}, "This field is required."),
    ({"name": "laptop\nscript", "days": "30"}, "Keep this on one line"),
    ({"name": "x", "days": "91"}, "less than or equal to 90"),
    ({"name": "x", "days": "0"}, "greater than or equal to 1"),
    ({"name": "taken", "days": "30"}, "You already have a token with this name."),
])
def test_it_refuses_a_bad_token_form_and_makes_nothing(world, settings, data, message):
    settings.API_TOKEN_DAYS = 90
    api_token_create(user=world.member_a, name="taken")
    response = signed_in(world.member_a).post(CREATE, data)
    assert message in response.text
    assert "new_key" not in response.context or not response.context["new_key"]
    assert ApiToken.objects.count() == 1


def test_it_caps_how_many_tokens_a_person_holds(world):
    for number in range(TOKENS_PER_PERSON):
        api_token_create(user=world.member_a, name=f"script {number}")
    response = signed_in(world.member_a).post(CREATE, {"name": "one more", "days": "30"})
    assert "the most one person may have" in response.text
    assert ApiToken.objects.count() == TOKENS_PER_PERSON


def test_it_revokes_a_token_from_the_profile(world):
    token, key = api_token_create(user=world.member_a, name="laptop script")
    _kept, kept_key = api_token_create(user=world.member_a, name="server")
    response = signed_in(world.member_a).post(revoke_url(token), follow=True)
    assert "is revoked" in response.text
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert api(key).status_code == 401
    assert api(kept_key).status_code == 200


def test_it_answers_404_for_another_persons_token(world):
    token, key = api_token_create(user=world.member_b, name="theirs")
    response = signed_in(world.member_a).post(revoke_url(token))
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert api(key).status_code == 200


@pytest.mark.parametrize("url", [CREATE, "/accounts/profile/tokens/1/revoke/"])
def test_it_takes_only_posts(world, url):
    assert signed_in(world.member_a).get(url).status_code == 405


@pytest.mark.parametrize("url", [CREATE, "/accounts/profile/tokens/1/revoke/"])
def test_it_sends_an_anonymous_visitor_to_sign_in(client, url):
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_checks_csrf_on_making_and_revoking(world):
    token, _key = api_token_create(user=world.member_a, name="laptop script")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member_a)
    assert client.post(CREATE, {"name": "forged", "days": "30"}).status_code == 403
    assert client.post(revoke_url(token)).status_code == 403
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["laptop script"]


def test_it_labels_the_table_and_each_revoke_button(world):
    api_token_create(user=world.member_a, name="laptop script")
    page = signed_in(world.member_a).get(PROFILE).text
    assert "<caption>" in page
    assert '<th scope="col">' in page
    assert "Revoke<span class=\"visually-hidden\"> “laptop script”</span>" in page
    assert 'for="id_name"' in page
    assert 'for="id_days"' in page


def test_it_reads_the_tokens_in_one_query_however_many(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(world.member_a)
    counts = []
    for tokens in (1, 6):
        while ApiToken.objects.count() < tokens:
            api_token_create(user=world.member_a, name=f"script {ApiToken.objects.count()}")
        client.get(PROFILE)  # the session's refresh stamp is written at most once a minute
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PROFILE).text.count("Revoke<span") == tokens
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- What revokes them all ------------------------------------------------------------------

def test_a_password_change_revokes_every_token_and_keeps_only_this_session(world):
    api_token_create(user=world.member_a, name="laptop script")
    here, elsewhere = signed_in(world.member_a), signed_in(world.member_a)
    response = here.post(reverse("password_change"), {
        "old_password": factories.PASSWORD, "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert here.get(PROFILE).status_code == 200
    assert elsewhere.get(PROFILE).status_code == 302  # the other session ended


def test_a_password_reset_revokes_every_token(world):
    _token, key = api_token_create(user=world.member_a, name="laptop script")
    uid = urlsafe_base64_encode(force_bytes(world.member_a.pk))
    link = reverse("password_reset_confirm", kwargs={
        "uidb64": uid, "token": default_token_generator.make_token(world.member_a)})
    client = Client()
    form_url = client.get(link)["Location"]  # Django moves the token into the session
    response = client.post(form_url, {"new_password1": NEW_PASSWORD,
                                      "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert api(key).status_code == 401


def test_a_password_set_anywhere_revokes_every_token(world):
    api_token_create(user=world.member_a, name="laptop script")
    world.member_a.set_password(NEW_PASSWORD)
    world.member_a.save()
    assert not ApiToken.objects.exists()


def test_a_rehash_at_sign_in_or_signing_in_keeps_the_tokens(world):
    api_token_create(user=world.member_a, name="laptop script")
    # What check_password() does when the hasher changed: same password, a new hash.
    world.member_a.password = make_password(factories.PASSWORD)
    world.member_a.save(update_fields=["password"])
    signing_in = Client().post(reverse("login"), {"username": "member-a",
                                                 "password": factories.PASSWORD})
    assert signing_in.status_code == 302
    world.member_a.first_name = "Renamed"
    world.member_a.save()
    assert ApiToken.objects.count() == 1


def test_deactivation_revokes_every_token_and_ends_every_session(world):
    _token, key = api_token_create(user=world.member_a, name="laptop script")
    phone, laptop, other = (signed_in(world.member_a), signed_in(world.member_a),
                            signed_in(world.member_b))
    world.member_a.is_active = False
    world.member_a.save()
    assert not ApiToken.objects.filter(user=world.member_a).exists()
    owners = [Session.objects.get(pk=session.session_key).get_decoded().get(SESSION_KEY)
              for session in Session.objects.all()]
    assert owners == [str(world.member_b.pk)]
    assert phone.get(PROFILE).status_code == 302
    assert laptop.get(PROFILE).status_code == 302
    assert other.get(PROFILE).status_code == 200
    assert api(key).status_code == 401


def test_deactivation_in_the_admin_ends_the_persons_sessions(world):
    admin = factories.UserFactory(username="site-admin", is_staff=True, is_superuser=True)
    victim = signed_in(world.member_a)
    api_token_create(user=world.member_a, name="laptop script")
    user = world.member_a
    data = {"username": user.username, "first_name": user.first_name,
            "last_name": user.last_name, "email": user.email, "is_active": "",
            "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
            "last_login_0": "", "last_login_1": "", "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "00:00:00"}
    response = signed_in(admin).post(f"/admin/auth/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()
    assert victim.get(PROFILE).status_code == 302


# --- manage.py create_api_token ----------------------------------------------------------------

def test_the_command_prints_the_key_once_and_stores_its_hash(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "member-a", "--name", "cron job", "--days", "7",
                 stdout=out, stderr=err)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=world.member_a, name="cron job")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.expires - token.created == datetime.timedelta(days=7)
    assert "shown only now" in err.getvalue()
    assert api(key).status_code == 200


@pytest.mark.parametrize(("args", "message"), [
    (["nobody", "--name", "x"], "There is no user 'nobody'"),
    (["member-a", "--name", "x", "--days", "0"], "from 1 to"),
])
def test_the_command_refuses_bad_input(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()
