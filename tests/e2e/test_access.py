"""Another team's page is not a member's to know about."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import assert_accessible, log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_it_shows_member_b_the_not_found_page_for_team_a(page: Page, server_url, world):
    log_in(page, server_url, world.member_b.username)

    response = page.goto(f"{server_url}{world.team_a.get_absolute_url()}")

    assert response is not None
    assert response.status == 404
    expect(page).to_have_title("Page not found · BSC Portal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("main")).not_to_contain_text("Team A")
    expect(page.get_by_role("link", name="Go to your home page")).to_be_visible()
    assert_accessible(page)
