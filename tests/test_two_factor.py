"""Two-factor sign-in: an authenticator app with recovery codes, available to everyone and
required of advisors, state viewers and staff when BSC_REQUIRE_2FA_FOR_LEADERS is on."""

from __future__ import annotations

import base64

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from collaboratives import two_factor
from collaboratives.two_factor_middleware import TwoFactorMiddleware
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SETUP_URL = "/accounts/two-factor/"
VERIFY_URL = "/accounts/two-factor/verify/"


@pytest.fixture(autouse=True)
def _no_wait_after_a_wrong_code(settings) -> None:
    # django-otp makes a device wait 1 s, 2 s, 4 s … after each wrong code; tests do not wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice) -> str:
    """The code the person's app shows now. Each code is accepted once (replays are
    refused), so a test that signs in again gets a fresh one, as if 30 s went by."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                drift=device.drift)
    return f"{code:06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


def with_app(user) -> tuple[TOTPDevice, list[str]]:
    """Two-factor sign-in turned on for ``user`` through the services; the recovery codes."""
    pending = two_factor.two_factor_start(user=user)
    return two_factor.two_factor_confirm(user=user, code=code_for(pending))


def sign_in(client, user, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def sign_in_with_code(client, user, device: TOTPDevice) -> None:
    sign_in(client, user)
    assert client.post(VERIFY_URL, {"code": code_for(device)}).status_code == 302


# --- Setting it up -------------------------------------------------------------------------

def test_it_is_offered_on_the_profile_page(client, world):
    client.force_login(world.member_a)
    page = client.get(reverse("profile")).text
    assert f'href="{SETUP_URL}">Set up two-factor sign-in</a>' in page


def test_it_sets_up_an_authenticator_app_with_a_real_code(client, world):
    client.force_login(world.member_a)
    assert "Set up two-factor sign-in" in client.get(SETUP_URL).text

    assert client.post(reverse("two-factor-start"))["Location"] == SETUP_URL
    page = client.get(SETUP_URL).text
    pending = TOTPDevice.objects.get(user=world.member_a, confirmed=False)
    secret = base64.b32encode(pending.bin_key).decode().rstrip("=")
    assert secret[:4] + " " + secret[4:8] in page  # typed by people who cannot scan
    assert 'src="data:image/svg+xml' in page
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page

    response = client.post(SETUP_URL, {"code": code_for(pending)})

    assert response["Location"] == reverse("two-factor-recovery-codes")
    pending.refresh_from_db()
    assert pending.confirmed
    codes_page = client.get(response["Location"]).text
    tokens = StaticToken.objects.filter(device__user=world.member_a)
    assert tokens.count() == 10
    assert all(two_factor.format_recovery_code(token.token) in codes_page for token in tokens)
    # Shown once only.
    assert client.get(reverse("two-factor-recovery-codes"))["Location"] == SETUP_URL
    # The session that set it up is verified and goes on as before.
    assert client.get(world.team_a.get_absolute_url()).status_code == 200


def test_it_refuses_a_wrong_code_at_set_up(client, world):
    client.force_login(world.member_a)
    client.post(reverse("two-factor-start"))
    pending = TOTPDevice.objects.get(user=world.member_a)

    response = client.post(SETUP_URL, {"code": wrong_code_for(pending)})

    assert response.status_code == 200
    assert "That code is not right" in response.text
    pending.refresh_from_db()
    assert not pending.confirmed
    assert not StaticToken.objects.filter(device__user=world.member_a).exists()


# --- Signing in ----------------------------------------------------------------------------

def test_it_asks_for_the_code_after_the_password(client, world):
    device, _codes = with_app(world.member_a)
    team_url = world.team_a.get_absolute_url()

    response = sign_in(client, world.member_a)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == f"{VERIFY_URL}?next=%2F"

    response = client.post(VERIFY_URL, {"code": code_for(device), "next": team_url})

    assert response["Location"] == team_url
    assert client.get(team_url).status_code == 200


def test_it_refuses_a_wrong_code(client, world):
    device, _codes = with_app(world.member_a)
    sign_in(client, world.member_a)

    response = client.post(VERIFY_URL, {"code": wrong_code_for(device)})

    assert response.status_code == 200
    assert "That code did not work" in response.text
    assert client.get(world.team_a.get_absolute_url())["Location"].startswith(VERIFY_URL)
    # It counts as a failed sign-in for the lock-out.
    assert AccessAttempt.objects.get(username="member-a").failures_since_start == 1


def test_it_sends_a_session_back_to_sign_in_after_too_many_wrong_codes(client, world, settings):
    settings.BSC_TWO_FACTOR_MAX_FAILURES = 3
    device, _codes = with_app(world.member_a)
    sign_in(client, world.member_a)

    responses = [client.post(VERIFY_URL, {"code": wrong_code_for(device)}) for _try in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 302]
    assert responses[-1]["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_it_locks_the_account_after_as_many_wrong_codes_as_passwords(client, world):
    device, _codes = with_app(world.member_a)
    sign_in(client, world.member_a)
    for _try in range(settings.AXES_FAILURE_LIMIT):
        client.post(VERIFY_URL, {"code": wrong_code_for(device)})

    response = sign_in(client, world.member_a)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_accepts_a_recovery_code_once(client, world):
    _device, codes = with_app(world.member_a)
    sign_in(client, world.member_a)

    response = client.post(VERIFY_URL, {"recovery_code": two_factor.format_recovery_code(codes[0])})

    assert response.status_code == 302
    assert client.get(world.team_a.get_absolute_url()).status_code == 200
    assert two_factor.recovery_codes_left(world.member_a) == 9
    client.post(reverse("logout"))
    sign_in(client, world.member_a)
    response = client.post(VERIFY_URL, {"recovery_code": codes[0]})
    assert response.status_code == 200
    assert client.get(world.team_a.get_absolute_url())["Location"].startswith(VERIFY_URL)


def test_it_keeps_a_half_signed_in_session_off_every_page(client, world):
    with_app(world.advisor)
    sign_in(client, world.advisor)
    team_url = world.team_a.get_absolute_url()

    assert client.get(team_url)["Location"] == f"{VERIFY_URL}?next={team_url.replace('/', '%2F')}"
    assert client.get(reverse("profile"))["Location"].startswith(VERIFY_URL)
    assert client.get(SETUP_URL)["Location"].startswith(VERIFY_URL)
    assert client.get("/admin/")["Location"].startswith(VERIFY_URL)
    assert client.get("/api/v1/teams/").status_code == 403
    assert client.get(VERIFY_URL).status_code == 200
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_it_leaves_people_without_an_app_alone_at_no_query(client, world, django_assert_num_queries):
    client.force_login(world.member_a)
    request = RequestFactory().get("/")
    request.session = client.session
    request.session.keys()  # loaded before counting, as SessionMiddleware would have
    with django_assert_num_queries(0):
        assert TwoFactorMiddleware._owed(request) is None


# --- Required for leaders ------------------------------------------------------------------

def test_it_makes_an_advisor_set_it_up_first_when_required(client, world, settings):
    settings.BSC_REQUIRE_2FA_FOR_LEADERS = True
    response = sign_in(client, world.advisor)

    assert client.get(response["Location"])["Location"] == SETUP_URL
    assert client.get(world.team_a.get_absolute_url())["Location"] == SETUP_URL
    page = client.get(SETUP_URL).text
    assert "Your role in the portal requires two-factor sign-in" in page

    client.post(reverse("two-factor-start"))
    pending = TOTPDevice.objects.get(user=world.advisor)
    client.post(SETUP_URL, {"code": code_for(pending)})
    assert client.get(world.team_a.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("persona", ["state_viewer", "staff"])
def test_it_requires_it_of_state_viewers_and_staff(client, world, settings, persona):
    settings.BSC_REQUIRE_2FA_FOR_LEADERS = True
    user = factories.UserFactory(is_staff=True) if persona == "staff" else world.state_viewer
    sign_in(client, user)
    assert client.get("/")["Location"] == SETUP_URL


def test_it_does_not_require_it_of_a_team_member(client, world, settings):
    settings.BSC_REQUIRE_2FA_FOR_LEADERS = True
    sign_in(client, world.member_a)
    assert client.get(world.team_a.get_absolute_url()).status_code == 200


def test_it_does_not_require_it_when_the_setting_is_off(client, world):
    sign_in(client, world.advisor)
    assert client.get(world.collaborative.get_absolute_url()).status_code == 200


# --- Recovery codes and turning it off -----------------------------------------------------

def test_it_makes_new_recovery_codes_and_the_old_ones_stop_working(client, world):
    device, old_codes = with_app(world.member_a)
    sign_in_with_code(client, world.member_a, device)

    response = client.post(reverse("two-factor-recovery-codes"))

    assert response["Location"] == reverse("two-factor-recovery-codes")
    tokens = set(StaticToken.objects.filter(device__user=world.member_a).values_list("token", flat=True))
    assert len(tokens) == 10
    assert not tokens & set(old_codes)


def test_it_turns_off_only_with_the_password(client, world):
    device, _codes = with_app(world.member_a)
    sign_in_with_code(client, world.member_a, device)
    url = reverse("two-factor-disable")

    response = client.post(url, {"password": "not-my-password"})
    assert response.status_code == 200
    assert "That is not your password." in response.text
    assert two_factor.two_factor_enabled(world.member_a)

    assert client.post(url, {"password": PASSWORD})["Location"] == SETUP_URL
    assert not two_factor.two_factor_enabled(world.member_a)
    assert not StaticToken.objects.filter(device__user=world.member_a).exists()
    client.post(reverse("logout"))
    sign_in(client, world.member_a)
    assert client.get(world.team_a.get_absolute_url()).status_code == 200


def test_it_keeps_it_on_when_the_role_requires_it(client, world, settings):
    device, _codes = with_app(world.advisor)
    sign_in_with_code(client, world.advisor, device)
    settings.BSC_REQUIRE_2FA_FOR_LEADERS = True

    response = client.post(reverse("two-factor-disable"), {"password": PASSWORD})

    assert response["Location"] == SETUP_URL
    assert two_factor.two_factor_enabled(world.advisor)
