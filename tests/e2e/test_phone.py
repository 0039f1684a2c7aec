"""On a phone, where many educators and family members will use the portal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.support import assert_accessible, log_in, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_it_collapses_the_navbar_on_a_phone_and_the_toggler_opens_it(
    phone_page: Page, server_url, world
):
    page = phone_page
    log_in(page, server_url, world.member_a.username)
    expect(page).to_have_url(f"{server_url}{world.team_a.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team A")

    navigation = page.get_by_role("navigation", name="Main")
    toggler = navigation.get_by_role("button", name="Show navigation")
    teams_link = navigation.get_by_role("link", name="Teams")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(teams_link).to_be_hidden()

    toggler.click()

    # Only Bootstrap's JavaScript (served locally, allowed by the CSP) opens the menu.
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(teams_link).to_be_visible()
    assert page.evaluate("typeof window.bootstrap") == "object"
    assert_accessible(page)

    teams_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    assert_accessible(page)


def test_it_keeps_an_advisors_pages_accessible_on_a_phone(phone_page: Page, server_url, world):
    page = phone_page
    log_in(page, server_url, world.advisor.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort dashboard")
    assert_accessible(page)
    visit(page, f"{server_url}{world.collaborative.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Growing Together")

    page.get_by_role("link", name="Team A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team A")
    assert_accessible(page)

    page.get_by_role("link", name="Add a member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a member")
    assert_accessible(page)


def _hidden_table_width(page: Page) -> int:
    """How many pixels of the page's widest table sit off-screen, behind a sideways scroll."""
    return page.evaluate("""() => Math.max(0, ...[...document.querySelectorAll(".table-responsive")]
        .map(box => box.scrollWidth - box.clientWidth))""")


def test_it_fits_the_tables_on_a_phone_without_sideways_scrolling(
    phone_page: Page, server_url, world
):
    page = phone_page
    factories.TeamFactory(collaborative=world.collaborative,
                          name="Little Sprouts Family Child Care Network")
    log_in(page, server_url, world.advisor.username)
    visit(page, f"{server_url}{world.collaborative.get_absolute_url()}")
    hidden = {"collaborative": _hidden_table_width(page)}
    for name, path in (("collaboratives", "/collaboratives/"), ("teams", "/teams/")):
        visit(page, f"{server_url}{path}")
        hidden[name] = _hidden_table_width(page)

    assert hidden == {"collaborative": 0, "collaboratives": 0, "teams": 0}
