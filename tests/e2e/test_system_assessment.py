"""The system assessment in a real browser: the matrix at desktop and phone widths, axe-clean,
and an offering added through the form with its quadrant shown before saving."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from reports.demo.pd_offerings import seed_pd_offerings
from tests.e2e.support import NARROW, assert_accessible, field, log_in, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]



def test_it_draws_the_matrix_with_its_table_at_desktop_width(page: Page, server_url, world):
    seed_pd_offerings()
    log_in(page, server_url, world.state_viewer.username)
    visit(page, f"{server_url}/state/system/")

    expect(page.get_by_role("heading", level=1)).to_have_text("System assessment: North Carolina")
    matrix = page.get_by_role("img", name="Professional Development Matrix for North Carolina")
    expect(matrix).to_be_visible()
    expect(page.locator("#pd-thin")).to_contain_text("Q3 and Q4 are thin")
    offerings = page.get_by_role("region", name="Professional-development offerings in North Carolina")
    rows = offerings.locator("tbody tr")
    expect(rows).to_have_count(10)  # nine offerings and the BSC collaborative
    expect(page.locator(".pd-dot")).to_have_count(10)
    expect(page.locator(".pd-dot rect")).to_have_count(1)  # the BSC: a square
    for name in ("Q1", "Q2", "Q3", "Q4"):
        expect(matrix.locator("text.pd-code", has_text=name)).to_have_count(1)
    assert matrix.bounding_box()["width"] > 600


def test_it_fits_a_360_pixel_phone(page: Page, server_url, world):
    seed_pd_offerings()
    page.set_viewport_size(NARROW)
    log_in(page, server_url, world.state_viewer.username)
    visit(page, f"{server_url}/state/system/")

    matrix = page.get_by_role("img", name="Professional Development Matrix for North Carolina")
    box = matrix.bounding_box()
    assert 0 < box["width"] <= NARROW["width"]
    # The page does not scroll sideways; the wide table scrolls in its own labelled region.
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    region = page.get_by_role("region", name="Professional-development offerings in North Carolina")
    region.focus()
    expect(region).to_be_focused()
    add = page.get_by_role("link", name="Add an offering")
    assert add.bounding_box()["height"] >= 44


def test_it_adds_an_offering_and_shows_its_quadrant_before_saving(page: Page, server_url, world):
    log_in(page, server_url, world.state_viewer.username)
    visit(page, f"{server_url}/state/system/")
    page.get_by_role("link", name="Add an offering").click()
    assert_accessible(page)

    hint = page.locator(".quadrant-hint")
    expect(hint.locator(".hint-none")).to_be_visible()
    expect(hint.locator(".hint-q3")).to_be_hidden()
    field(page, "Name").fill("Program-wide practice-based coaching")
    field(page, "Provider").fill("NC Child Care Resource & Referral Council")
    page.get_by_label("4 · Whole programs or teams who work together").check()
    page.get_by_label("3 · Mostly putting knowledge into practice").check()
    expect(hint.locator(".hint-q3")).to_be_visible()
    expect(hint.locator(".hint-none")).to_be_hidden()
    page.get_by_label("1 · Knowledge gain: coursework, workshops, credit hours").check()
    expect(hint.locator(".hint-q4")).to_be_visible()
    expect(hint.locator(".hint-q3")).to_be_hidden()
    page.get_by_label("4 · Transfer to practice: coaching, feedback on the job").check()
    field(page, "Programs reached a year").fill("12")
    page.get_by_role("button", name="Save").click()
    assert_accessible(page)

    expect(page.get_by_role("status")).to_contain_text("saved in Q3 Organizational coaching")
    row = page.locator("tbody tr", has_text="Program-wide practice-based coaching")
    expect(row).to_contain_text("Q3 Organizational coaching")
