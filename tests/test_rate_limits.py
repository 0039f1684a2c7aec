"""Rate limits: the API's throttles, failed API authentication per address, sign-in lock-out.

Rates are lowered per test through settings (bsc_portal.throttling reads them at each call);
the cache that counts is emptied before each test (tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from bsc_portal.security_log import client_address
from collaboratives.tokens import api_token_create
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/teams/"
BAD_TOKEN = {"HTTP_AUTHORIZATION": "Token not-a-real-token"}


@pytest.fixture
def rates(settings):
    """Set some API throttle rates for one test, e.g. ``rates(user_burst="5/min")``."""
    def set_rates(**changes: str | None) -> None:
        framework = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {**framework, "DEFAULT_THROTTLE_RATES": {
            **framework["DEFAULT_THROTTLE_RATES"], **changes}}
    return set_rates


def statuses(client, count: int, path: str = TEAMS, **headers: str) -> list[int]:
    return [client.get(path, **headers).status_code for _ in range(count)]


# --- Signed-in callers: a burst rate and a sustained rate, per user --------------------

def test_it_answers_429_after_the_burst_rate(client, world, rates):
    rates(user_burst="5/min")
    client.force_login(world.member_a)
    assert statuses(client, 5) == [200] * 5
    response = client.get(TEAMS)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"]


def test_it_answers_429_after_the_sustained_rate(client, world, rates):
    rates(user_burst="100/min", user="3/hour")
    client.force_login(world.member_a)
    assert statuses(client, 4) == [200, 200, 200, 429]


def test_it_counts_each_user_on_their_own(client, world, rates):
    rates(user_burst="2/min")
    client.force_login(world.member_a)
    assert statuses(client, 3) == [200, 200, 429]
    client.force_login(world.member_b)
    assert client.get(TEAMS).status_code == 200


def test_it_throttles_a_token_like_a_session(client, world, rates):
    rates(user_burst="2/min")
    _token, key = api_token_create(user=world.member_a, name="script")
    assert statuses(client, 3, HTTP_AUTHORIZATION=f"Token {key}") == [200, 200, 429]


def test_it_allows_a_script_a_sensible_default_rate():
    # 300 reads in 6 s must meet a 429, yet a script paging through a large collaborative
    # (hundreds of pages) must get through within the hour.
    configured = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    burst, _sep, burst_period = configured["user_burst"].partition("/")
    hourly, _sep, hourly_period = configured["user"].partition("/")
    assert burst_period.startswith("m")
    assert 60 <= int(burst) < 300
    assert hourly_period.startswith("h")
    assert int(hourly) >= 1000


# --- Failed or missing authentication, per address --------------------------------------

def test_it_refuses_an_address_after_repeated_invalid_tokens(client, world):
    answers = statuses(client, 100, **BAD_TOKEN)
    first_refusal = answers.index(429)
    assert first_refusal <= 50
    assert set(answers[:first_refusal]) == {401}
    assert set(answers[first_refusal:]) == {429}


def test_it_says_when_the_address_may_try_again(client, world, rates):
    rates(auth_failure="3/hour")
    statuses(client, 3, **BAD_TOKEN)
    response = client.get(TEAMS, **BAD_TOKEN)
    assert response.status_code == 429
    assert 3500 < int(response["Retry-After"]) <= 3600
    assert "without valid credentials" in response.json()["detail"]
    assert response["Content-Type"] == "application/json"


def test_it_refuses_a_right_token_too_while_the_address_is_refused(client, world, rates):
    # Otherwise the one right guess among many would stand out.
    rates(auth_failure="3/hour")
    _token, key = api_token_create(user=world.member_a, name="script")
    statuses(client, 3, **BAD_TOKEN)
    assert client.get(TEAMS, HTTP_AUTHORIZATION=f"Token {key}").status_code == 429


def test_it_counts_calls_without_credentials(client, world, rates):
    rates(auth_failure="3/hour")
    assert statuses(client, 4) == [401, 401, 401, 429]


def test_it_counts_each_address_on_its_own(client, world, rates):
    rates(auth_failure="2/hour")
    statuses(client, 3, **BAD_TOKEN)
    assert client.get(TEAMS, REMOTE_ADDR="192.0.2.7", **BAD_TOKEN).status_code == 401


def test_it_cannot_be_dodged_with_a_forged_forwarded_for(client, world, rates):
    rates(auth_failure="2/hour")
    answers = [client.get(TEAMS, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}", **BAD_TOKEN).status_code
               for n in range(4)]
    assert answers == [401, 401, 429, 429]


def test_it_lets_people_signed_in_by_session_through(client, world, rates):
    # Colleagues behind the same address keep working while a script there is refused.
    rates(auth_failure="2/hour")
    statuses(client, 3, **BAD_TOKEN)
    client.force_login(world.member_a)
    assert client.get(TEAMS).status_code == 200


def test_it_reads_the_address_from_the_trusted_proxy_only(settings):
    settings.BSC_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1",
                                   HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4")
    assert client_address(request) == "198.51.100.4"
    settings.BSC_TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"


# --- Sign-in: per account and address, and per address across accounts -----------------

def sign_in(client, username: str, password: str = "wrong", **extra: str):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_it_locks_an_address_out_after_failures_across_many_accounts(client, world):
    # Four guesses each never trip the per-account limit (five); twenty in all lock the address.
    assert settings.AXES_FAILURE_LIMIT > 4
    answers = [sign_in(client, f"guess-{account}").status_code
               for account in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT // 4) for _guess in range(4)]
    assert answers[-1] == 429
    assert set(answers[:-1]) == {200}
    response = sign_in(client, "member-a", PASSWORD)
    assert response.status_code == 429
    assert "from your network" in response.text
    assert "_auth_user_id" not in client.session


def test_it_keeps_other_addresses_signing_in(client, world, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    for account in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT // 4):
        for _guess in range(4):
            sign_in(client, f"guess-{account}")
    assert sign_in(client, "member-a", PASSWORD, REMOTE_ADDR="192.0.2.50").status_code == 302


def test_it_does_not_lock_the_address_below_its_limit(client, world, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    for account in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT // 4 - 1):
        for _guess in range(4):
            sign_in(client, f"guess-{account}")
    assert sign_in(client, "member-a", PASSWORD).status_code == 302


def test_it_says_when_to_try_again_after_a_lockout(client, world):
    for _guess in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "member-a")
    response = sign_in(client, "member-a", PASSWORD)
    cool_off_minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= cool_off_minutes * 60
    assert f"in {cool_off_minutes} minutes." in response.text
    assert "this account" in response.text


def test_it_keeps_a_lock_from_being_extended_by_attempts_during_it(client, world):
    for _guess in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "member-a")
    first = int(sign_in(client, "member-a")["Retry-After"])
    second = int(sign_in(client, "member-a")["Retry-After"])
    assert second <= first


def test_it_counts_failures_for_accounts_that_exist_or_not_alike(client, world):
    factories.UserFactory(username="real-person")
    for _guess in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "real-person")
    assert sign_in(client, "real-person", PASSWORD).status_code == 429
