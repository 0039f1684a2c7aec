"""PDSA cycles in the browser: a member logs a quick cycle on a phone and carries it to
*adopt*, a coach comments, another team sees it only once it is shared, and the spread view
counts it. Every page is checked with axe; the watcher fails on CSP reports."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from collaboratives.models import ChangeIdea
from pdsa.models import Cycle
from tests.e2e.support import assert_accessible, field, log_in, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "/tmp")
TITLE = "Picture schedule at arrival"


@pytest.fixture
def idea(world) -> ChangeIdea:
    ChangeIdea.objects.create(collaborative=world.collaborative, title="Feelings check-in")
    return ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")


def _click(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("load")
    assert_accessible(page)


def test_it_carries_a_quick_cycle_to_adopt_and_shares_it(phone_page: Page, page: Page,
                                                         server_url, world, idea):
    phone = phone_page
    log_in(phone, server_url, "member-a")
    visit(phone, f"{server_url}{world.team_a.get_absolute_url()}")
    phone.get_by_role("link", name="PDSA cycles").click()
    assert_accessible(phone)
    phone.get_by_role("link", name="Log a new cycle").click()
    assert_accessible(phone)
    field(phone, "Name of the test").fill(TITLE)
    field(phone, "Change idea tested").select_option(label="Visual schedules")
    field(phone, "What do you predict?").fill("Fewer children will ask what comes next.")
    field(phone, "What will you do?").fill("Post a picture schedule at the door.")
    phone.screenshot(path=f"{SCREENSHOTS}/pdsa-quick-entry-phone.png", full_page=True)
    _click(phone, "Save the plan")
    expect(phone.get_by_role("heading", level=1)).to_have_text(TITLE)
    cycle = Cycle.objects.get(title=TITLE)
    assert cycle.lead == world.member_a

    # Another team does not see the cycle while it is private.
    page.set_default_timeout(10_000)
    log_in(page, server_url, "member-b")
    response = page.goto(f"{server_url}{cycle.get_absolute_url()}")
    assert response.status == 404
    assert_accessible(page)

    # The member fills in Do, Study and Act on the phone and walks the cycle to Complete.
    phone.get_by_role("link", name="Edit the worksheet").click()
    assert_accessible(phone)
    field(phone, "What happened").fill("Children looked at it on most mornings.")
    field(phone, "Date done").fill("2026-05-14")
    field(phone, "Results compared with the prediction").fill("Better than predicted.")
    field(phone, "Decision").select_option(label="Adopt")
    _click(phone, "Save the worksheet")
    for status in ("Do", "Study", "Act", "Complete"):
        _click(phone, f"Move on to {status}")
    expect(phone.get_by_text("Decision: Adopt").first).to_be_visible()
    _click(phone, "Share with the collaborative")
    expect(phone.get_by_role("status").first).to_contain_text("Shared with the collaborative")
    phone.screenshot(path=f"{SCREENSHOTS}/pdsa-cycle-detail-phone.png", full_page=True)

    # Now team B reads it, and the spread view counts it.
    visit(page, f"{server_url}{cycle.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("heading", name="Comments")).to_have_count(0)
    page.screenshot(path=f"{SCREENSHOTS}/pdsa-cycle-detail-desktop.png", full_page=True)
    visit(page, f"{server_url}/collaboratives/{world.collaborative.pk}/spread/")
    row = page.get_by_role("row").filter(has_text="Visual schedules")
    expect(row.get_by_role("cell")).to_have_text(["1", "1", "0", "0", "Educator: 1"])
    expect(row.get_by_role("link", name=f"Team A, cycle 1: {TITLE}")).to_be_visible()


def test_it_lets_a_coach_comment_and_the_team_read_it(page: Page, server_url, world, idea):
    from pdsa import services

    cycle = services.cycle_create(team=world.team_a, created_by=world.member_a, change_idea=idea,
                                  title=TITLE, prediction="Calmer mornings")
    log_in(page, server_url, "coach")
    visit(page, f"{server_url}{cycle.get_absolute_url()}")
    expect(page.get_by_role("link", name="Edit the worksheet")).to_have_count(0)
    field(page, "Your comment").fill("Could the aide update it at nap time?")
    _click(page, "Post the comment")
    expect(page.get_by_text("Could the aide update it at nap time?")).to_be_visible()
    expect(page.get_by_role("heading", name="1 comment")).to_be_visible()
