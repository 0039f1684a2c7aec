"""PDSA cycles in the browser: a member logs a quick cycle on a 360 px phone and carries it
stage by stage to *adopt* (counting the taps), a coach comments, another team sees it only
once it is shared, and the spread view counts it. Every page is checked with axe; the watcher
fails on CSP reports."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from collaboratives.models import ChangeIdea
from pdsa.models import Cycle
from tests.e2e.support import NARROW, assert_accessible, field, log_in, visit

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


class Taps:
    """Counts what a person taps to move along (links and buttons) and the choices they make
    in forms (a select, a radio button); typing is not counted."""

    def __init__(self, page: Page) -> None:
        self.page, self.moves, self.choices = page, 0, 0

    def link(self, name: str) -> None:
        self.page.get_by_role("link", name=name, exact=True).first.click()
        self._arrived()

    def button(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()
        self._arrived()

    def choose(self, name: str) -> None:
        self.page.get_by_text(name, exact=True).click()  # the big radio button's label
        self.choices += 1

    def _arrived(self) -> None:
        self.moves += 1
        self.page.wait_for_load_state("load")
        assert_fits_a_phone(self.page)
        assert_accessible(self.page)


def assert_fits_a_phone(page: Page) -> None:
    """No sideways scroll, and every button, stepper link and choice at least 44 px high."""
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], page.url
    small = page.evaluate("""() => [...document.querySelectorAll(
        'main .btn:not([hidden]), .stage-step > a, .stage-help summary, .stage-more summary')]
        .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
        .map(e => e.textContent.trim())""")
    assert small == [], f"{page.url}: targets under 44 px: {small}"


def test_it_takes_a_quick_plan_to_a_decision_stage_by_stage_on_a_phone(
        narrow_page: Page, page: Page, server_url, world, idea):
    phone = narrow_page
    log_in(phone, server_url, "member-a")
    visit(phone, f"{server_url}{world.team_a.get_absolute_url()}")
    taps = Taps(phone)
    taps.link("PDSA cycles")
    taps.link("Log a new cycle")
    field(phone, "Name of the test").fill(TITLE)
    field(phone, "Change idea tested").select_option(label="Visual schedules")
    taps.choices += 1
    field(phone, "What do you predict?").fill("Fewer children will ask what comes next.")
    field(phone, "What will you do?").fill("Post a picture schedule at the door.")
    phone.screenshot(path=f"{SCREENSHOTS}/pdsa-quick-entry-phone.png", full_page=True)
    taps.button("Save the plan")
    expect(phone.get_by_role("heading", level=1)).to_have_text(TITLE)
    cycle = Cycle.objects.get(title=TITLE)
    assert (cycle.lead, cycle.status, cycle.scale) == (world.member_a, "plan", "")

    # Another team does not see the cycle while it is private.
    page.set_default_timeout(10_000)
    log_in(page, server_url, "member-b")
    response = page.goto(f"{server_url}{cycle.get_absolute_url()}")
    assert response.status == 404
    assert_accessible(page)

    # Plan: the page opens at the stage, which asks who the test involves.
    expect(phone.get_by_role("heading", name="Stage 1 of 4: Plan")).to_be_visible()
    expect(phone.locator('[aria-current="step"]')).to_contain_text("Plan")
    phone.get_by_text("What to write here").click()
    expect(phone.get_by_text("Small is good: one child, one day.", exact=False)).to_be_visible()
    taps.choose("One child or family")
    phone.screenshot(path=f"{SCREENSHOTS}/pdsa-stage-plan-360.png", full_page=True)
    taps.button("Save and move on to Do")

    # Do: saving without what happened is refused, and the page moves to that field (a
    # detour, not counted).
    expect(phone.get_by_role("heading", name="Stage 2 of 4: Do")).to_be_visible()
    _click(phone, "Save and move on to Study")
    expect(phone.get_by_text("Do needs what happened")).to_be_visible()
    assert phone.evaluate("document.activeElement.id") == "id_do_what_happened"
    phone.screenshot(path=f"{SCREENSHOTS}/pdsa-stage-do-error-360.png", full_page=True)
    assert Cycle.objects.get(pk=cycle.pk).status == "do"
    phone.keyboard.type("Children looked at it on most mornings.")
    taps.button("Save and move on to Study")

    # Study and Act.
    field(phone, "How did the results compare with your prediction?").fill("Better than predicted.")
    field(phone, "What did you learn?").fill("Pictures work better than words at arrival.")
    taps.button("Save and move on to Act")
    taps.choose("Keep it as it is (adopt)")
    phone.screenshot(path=f"{SCREENSHOTS}/pdsa-stage-act-360.png", full_page=True)
    taps.button("Save and finish the cycle")
    expect(phone.get_by_role("status").first).to_contain_text(
        "Cycle finished. Your decision: Keep it as it is (adopt).")
    cycle.refresh_from_db()
    assert (cycle.status, cycle.decision, cycle.scale) == ("complete", "adopt", "one_child")
    # From the team page: 7 taps to move along, plus 3 choices (change idea, scale, decision).
    assert (taps.moves, taps.choices) == (7, 3)
    print(f"PDSA quick plan to a decision: {taps.moves} taps + {taps.choices} choices + typing")

    # Back to Plan from the stepper to edit it; the cycle stays complete.
    taps.link("Stage 1: Plan (done)")
    field(phone, "When?").fill("Every morning at 8")
    taps.button("Save changes to Plan")
    assert Cycle.objects.get(pk=cycle.pk).plan_when == "Every morning at 8"
    taps.button("Share with the collaborative")
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


def test_it_keeps_the_whole_worksheet_for_printing(narrow_page: Page, server_url, world, idea):
    from pdsa import services

    cycle = services.cycle_create(team=world.team_a, created_by=world.member_a, change_idea=idea,
                                  title=TITLE, prediction="Calmer mornings")
    log_in(narrow_page, server_url, "member-a")
    visit(narrow_page, f"{server_url}{cycle.get_absolute_url()}")
    narrow_page.get_by_role("link", name="See the whole worksheet (or print it)").click()
    assert_accessible(narrow_page)
    assert_fits_a_phone(narrow_page)
    for heading in ("Plan", "Do", "Study", "Act"):
        expect(narrow_page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(narrow_page.get_by_role("button", name="Print the worksheet")).to_be_visible()
    narrow_page.emulate_media(media="print")
    expect(narrow_page.locator(".stage-stepper")).to_be_hidden()
    narrow_page.emulate_media(media="screen")


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
