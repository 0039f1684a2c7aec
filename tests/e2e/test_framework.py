"""An advisor builds the driver diagram through the pages and sees it drawn on the
collaborative's page; on a phone the diagram is also a readable nested list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from collaboratives import services
from tests.e2e.support import assert_accessible, field, log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def add(page: Page, heading: str, title: str, links: list[str] = ()) -> None:
    form = page.get_by_role("form", name=heading)
    field(form, "Title").fill(title)
    for link in links:
        form.get_by_label(link).check()
    form.get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{title}” saved.")
    assert_accessible(page)


def test_it_lets_an_advisor_build_the_driver_diagram(page: Page, server_url, world):
    log_in(page, server_url, world.advisor.username)
    page.goto(f"{server_url}{world.collaborative.get_absolute_url()}")
    expect(page.locator("#driver-diagram")).to_contain_text("No driver diagram yet.")
    assert_accessible(page)

    page.get_by_role("link", name="Edit the driver diagram").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change framework")
    assert_accessible(page)
    add(page, "Add a primary driver", "Supportive classroom environments")
    add(page, "Add a secondary driver", "Predictable routines",
        ["Supportive classroom environments"])
    add(page, "Add a change idea", "Visual schedules", ["Predictable routines"])

    # Editing keeps the links; the edit page is checked too.
    page.get_by_role("link", name="Edit Visual schedules").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit change idea")
    assert_accessible(page)
    expect(page.get_by_label("Predictable routines")).to_be_checked()
    field(page, "Description").fill("A picture schedule at children's eye level.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("“Visual schedules” saved.")
    expect(page.locator("#change-ideas")).to_contain_text("Serves: Predictable routines")
    assert_accessible(page)

    # A driver something depends on is not removed, and the message says what depends on it.
    page.get_by_role("link", name="Remove Predictable routines").click()
    assert_accessible(page)
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "1 change idea serves this secondary driver: “Visual schedules”")
    assert_accessible(page)

    page.get_by_role("link", name="See the diagram").click()
    diagram = page.locator("svg.driver-diagram-svg")
    for title in ("Supportive classroom environments", "Predictable routines", "Visual schedules"):
        expect(diagram).to_contain_text(title)
    expect(diagram.locator("path")).to_have_count(3)
    assert_accessible(page)


@pytest.fixture
def diagram(world) -> None:
    c = world.collaborative
    relationships = services.primary_driver_create(collaborative=c,
                                                   title="Nurturing, responsive relationships")
    systems = services.primary_driver_create(collaborative=c, title="Program-wide systems")
    wellbeing = services.secondary_driver_create(collaborative=c, title="Staff well-being",
                                                 primary_drivers=[relationships, systems])
    services.change_idea_create(collaborative=c, title="Reflective supervision",
                                secondary_drivers=[wellbeing])


def test_it_reads_the_diagram_to_a_member_as_a_nested_list(page: Page, server_url, world, diagram):
    log_in(page, server_url, world.member_a.username)
    page.goto(f"{server_url}{world.collaborative.get_absolute_url()}")
    assert_accessible(page)
    # The picture is hidden from assistive technology; the list carries the diagram, with
    # the shared secondary driver under both primary drivers.
    expect(page.locator("svg.driver-diagram-svg")).to_have_attribute("aria-hidden", "true")
    tree = page.locator("ul.driver-tree")
    expect(tree.get_by_text("Secondary driver: Staff well-being")).to_have_count(2)
    expect(tree.get_by_text("Change idea: Reflective supervision")).to_have_count(2)
    page.get_by_role("link", name="Drivers and change ideas in detail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change framework")
    expect(page.get_by_role("button", name="Move down Nurturing, responsive relationships")).to_have_count(0)
    assert_accessible(page)


def test_it_shows_the_list_on_a_phone(phone_page: Page, server_url, world, diagram):
    log_in(phone_page, server_url, world.member_a.username)
    phone_page.goto(f"{server_url}{world.collaborative.get_absolute_url()}")
    assert_accessible(phone_page)
    expect(phone_page.locator("ul.driver-tree")).to_be_visible()
    # Below 576 px the picture gives way to its list: its text would be too small to read.
    expect(phone_page.locator("svg.driver-diagram-svg")).to_be_hidden()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
