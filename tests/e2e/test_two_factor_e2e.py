"""Two-factor sign-in on a 360 px phone: a member sets up an authenticator app from their
profile (typing the key, as people without a second camera do), keeps the recovery codes,
and next time signs in with password then code. Every page is axe-clean, within the CSP
(the QR code is a data: image) and no wider than the screen."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.e2e.support import assert_accessible, field, log_in, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def _code_from(secret: str) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key):06d}"


def test_it_sets_up_two_factor_sign_in_and_asks_for_the_code_next_time(
    narrow_page: Page, server_url, world, tmp_path: Path
):
    page = narrow_page
    log_in(page, server_url, world.member_a.username)
    visit(page, f"{server_url}/accounts/profile/")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    assert_accessible(page)
    page.get_by_role("button", name="Set up two-factor sign-in").click()

    expect(page.get_by_role("img", name="QR code to add the BSC Portal to an authenticator app")
           ).to_be_visible()
    assert_accessible(page)
    _fits(page)
    page.screenshot(path=tmp_path / "two-factor-setup-360.png", full_page=True)
    secret = page.locator("#two-factor-secret").inner_text()
    field(page, "Six-digit code").fill(_code_from(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    assert_accessible(page)
    _fits(page)
    page.get_by_role("link", name="I have kept my codes").click()
    expect(page.get_by_text("You have 10 unused recovery codes.")).to_be_visible()
    assert_accessible(page)

    # Next time: password, then the code. (A code is accepted once; the app shows a new one
    # every 30 s, which the test stands in for by forgetting the one used.)
    page.context.clear_cookies()
    TOTPDevice.objects.filter(user=world.member_a).update(last_t=-1)
    log_in(page, server_url, world.member_a.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    _fits(page)
    code = field(page, "Six-digit code")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    code.fill(_code_from(secret))
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(f"{server_url}{world.team_a.get_absolute_url()}")
    assert_accessible(page)
