"""An advisor sets up a collaborative through the forms, as they would in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from teams.models import Organization, Team
from tests.e2e.support import assert_accessible, field, log_in, visit

DUPLICATE_NAME = "A team with this name is already in this collaborative."

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_it_lets_an_advisor_set_up_a_collaborative_through_the_forms(
    page: Page, server_url, world
):
    log_in(page, server_url, world.advisor.username)

    # The collaborative.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Collaboratives").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collaboratives")
    assert_accessible(page)
    page.get_by_role("link", name="New collaborative").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New collaborative")
    assert_accessible(page)
    field(page, "Name").fill("Ready Families")
    field(page, "Topic").fill("Family engagement")
    field(page, "State").select_option("VA")
    field(page, "Status").select_option("active")
    field(page, "Start date").fill("2026-09-01")
    field(page, "End date").fill("2027-06-30")
    field(page, "Aim statement").fill("By June 2027, every family hears from us weekly.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ready Families")
    expect(page.get_by_role("status")).to_contain_text("Collaborative created.")
    expect(page.get_by_role("main")).to_contain_text("Family engagement · Virginia")
    assert_accessible(page)

    # A period of its timeline.
    page.get_by_role("link", name="Add a period", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add to the timeline")
    assert_accessible(page)
    field(page, "Kind").select_option("learning_session")
    field(page, "Number").fill("1")
    field(page, "Start date").fill("2026-10-15")
    field(page, "End date").fill("2026-10-16")
    field(page, "Contact hours").fill("12")
    field(page, "Location").fill("Richmond")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Learning session 1 saved.")
    timeline = page.locator("#timeline")
    expect(timeline.locator("ol.timeline li")).to_have_count(1)
    expect(timeline).to_contain_text("Learning session 1")
    expect(timeline).to_contain_text("Oct. 15, 2026 – Oct. 16, 2026 · 12.0 h · Richmond")
    assert_accessible(page)

    # A team, for a new organization.
    page.get_by_role("link", name="Add a team", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a team")
    assert_accessible(page)
    field(page, "Team name").fill("Sunrise Early Learning")
    field(page, "New organization name").fill("Sunrise Early Learning Center")
    field(page, "Kind of program").select_option("head_start")
    field(page, "Child care subsidy (CCDF)").check()
    field(page, "CACFP").check()
    field(page, "City").fill("Norfolk")
    expect(field(page, "State")).to_have_value("VA")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sunrise Early Learning")
    expect(page.get_by_role("status").first).to_contain_text("Team created.")
    expect(page.get_by_role("main")).to_contain_text(
        "Head Start / Early Head Start · Norfolk, VA · Child care subsidy (CCDF), CACFP"
    )
    assert_accessible(page)

    # A member of the team.
    page.get_by_role("link", name="Add a member", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a member")
    assert_accessible(page)
    field(page, "First name").fill("Rosa")
    field(page, "Last name").fill("Parks-Lee")
    field(page, "Email").fill("rosa@example.org")
    field(page, "Role on the team").select_option("educator")
    page.get_by_role("button", name="Add member", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sunrise Early Learning")
    expect(page.get_by_role("status").first).to_contain_text(
        "Invitation sent to rosa@example.org. They join the team as educator once they accept."
    )
    members = page.get_by_role("region", name="1 member")
    expect(members.get_by_role("listitem")).to_have_count(1)
    expect(members.get_by_role("listitem")).to_contain_text("Rosa Parks-Lee")
    expect(members.get_by_role("listitem")).to_contain_text("Educator")
    assert_accessible(page)

    # And the collaborative's page lists the team.
    page.get_by_role("link", name="Ready Families").click()
    teams = page.get_by_role("table", name="Teams in this collaborative")
    expect(teams.get_by_role("rowheader").get_by_role("link")).to_have_text(["Sunrise Early Learning"])
    assert_accessible(page)


def test_it_refuses_a_duplicate_team_name_on_its_field_and_creates_nothing(
    page: Page, server_url, world
):
    teams_before, organizations_before = Team.objects.count(), Organization.objects.count()
    log_in(page, server_url, world.advisor.username)
    visit(page, f"{server_url}{world.collaborative.get_absolute_url()}")
    page.get_by_role("link", name="Add a team", exact=True).click()
    assert_accessible(page)

    field(page, "Team name").fill("Team A")
    field(page, "New organization name").fill("Another Program")
    field(page, "Kind of program").select_option("child_care_center")
    field(page, "City").fill("Durham")
    page.get_by_role("button", name="Create team").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Add a team")
    name = field(page, "Team name")
    expect(name).to_have_value("Team A")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(re.compile(re.escape(DUPLICATE_NAME)))
    expect(field(page, "New organization name")).to_have_value("Another Program")
    assert_accessible(page)
    assert (Team.objects.count(), Organization.objects.count()) == (
        teams_before, organizations_before
    )
