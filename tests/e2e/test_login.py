"""Signing in sends each person to where their work is."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import log_in

pytestmark = pytest.mark.e2e


def test_it_sends_an_advisor_with_one_collaborative_to_its_dashboard(page: Page, server_url, world):
    log_in(page, server_url, world.advisor.username)

    expect(page).to_have_url(f"{server_url}/collaboratives/{world.collaborative.pk}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort dashboard")


def test_it_sends_a_team_member_to_their_team(page: Page, server_url, world):
    log_in(page, server_url, world.member_a.username)

    expect(page).to_have_url(f"{server_url}{world.team_a.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team A")


def test_it_sends_a_state_viewer_to_the_state_dashboard(page: Page, server_url, world):
    log_in(page, server_url, world.state_viewer.username)

    expect(page).to_have_url(f"{server_url}/state/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "North Carolina: collaboratives at a glance")


def test_it_tells_a_stranger_they_are_not_part_of_any_collaborative(
    page: Page, server_url, world
):
    log_in(page, server_url, world.stranger.username)

    expect(page).to_have_url(f"{server_url}/")
    expect(page.get_by_role("main")).to_contain_text(
        "You are not part of any collaborative yet."
    )
