"""Password rules per OWASP ASVS 2.1 (issue #10, Accounts), on every form where a person
chooses a password: accepting an invitation, changing it, and resetting it by email."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from collaboratives.profile import MaximumLengthValidator
from tests import factories

pytestmark = pytest.mark.django_db

PASSPHRASE_64 = "my grandmother's garden had seven apple trees and one old swing!"
assert len(PASSPHRASE_64) == 64

REFUSED = [
    pytest.param("Tq7#zpa", "This password is too short. It must contain at least 8 characters.",
                 id="shorter-than-8"),
    pytest.param("qwertyuiop", "This password is too common.", id="common"),
    pytest.param("bernadette1", "The password is too similar to the first name.",
                 id="like-the-name"),
    pytest.param("8605193274", "This password is entirely numeric.", id="numeric-only"),
    pytest.param("Long passphrase, " * 8, "It must contain at most 128 characters.",
                 id="over-128"),
]
ACCEPTED = [
    pytest.param(PASSPHRASE_64, id="passphrase-of-64"),
    pytest.param((PASSPHRASE_64 * 2)[:128], id="passphrase-of-128"),
]


@pytest.fixture
def person():
    return factories.UserFactory(username="rosa-diaz", first_name="Bernadette",
                                 last_name="Okonkwo", email="rosa.diaz@example.org")


def emailed_link(client: Client, url_name: str, user) -> str:
    """The set-password page behind an emailed link (Django moves the token into the
    session and redirects)."""
    link = reverse(url_name, kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                                     "token": default_token_generator.make_token(user)})
    return client.get(link)["Location"]


def choose(form: str, user, password: str):
    client = Client()
    if form == "change":
        client.force_login(user)
        return client.post(reverse("password_change"), {
            "old_password": factories.PASSWORD, "new_password1": password,
            "new_password2": password})
    if form == "invitation":
        user.set_unusable_password()  # how an invited person's account starts
        user.save()
        url = emailed_link(client, "invitation-accept", user)
    else:
        url = emailed_link(client, "password_reset_confirm", user)
    return client.post(url, {"new_password1": password, "new_password2": password})


FORMS = ["invitation", "change", "reset"]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("password", "message"), REFUSED)
def test_it_refuses_a_weak_or_overlong_password(person, form, password, message):
    response = choose(form, person, password)
    assert response.status_code == 200
    assert message in response.text
    assert not get_user_model().objects.get(pk=person.pk).check_password(password)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("password", ACCEPTED)
def test_it_accepts_a_long_passphrase(person, form, password):
    response = choose(form, person, password)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(password)


@pytest.mark.parametrize("form", ["change", "reset"])
def test_it_caps_no_password_field_below_128(person, form):
    client = Client()
    if form == "change":
        client.force_login(person)
        page = client.get(reverse("password_change")).text
    else:
        page = client.get(emailed_link(client, "password_reset_confirm", person)).text
    assert 'type="password"' in page
    assert "maxlength" not in page.split('type="password"', 1)[1].split(">", 1)[0]
    assert "up to 128 characters" in page  # the rules are listed where the password is chosen


def test_it_configures_the_asvs_rules():
    rules = {rule["NAME"].rsplit(".", 1)[1]: rule.get("OPTIONS", {})
             for rule in settings.AUTH_PASSWORD_VALIDATORS}
    assert rules["MinimumLengthValidator"]["min_length"] >= 8
    assert rules["MaximumLengthValidator"]["max_length"] >= 64
    assert {"UserAttributeSimilarityValidator", "CommonPasswordValidator",
            "NumericPasswordValidator"} <= set(rules)


def test_the_maximum_counts_characters_not_bytes():
    MaximumLengthValidator(8).validate("ñandú-ÿø")  # 8 characters, 12 bytes: allowed
