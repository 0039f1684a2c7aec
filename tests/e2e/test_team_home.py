"""The team home on a 360 px phone, where a member opens it first: the to-do list right under
the heading, nothing wider than the screen, axe clean; and the leaders' view on a desktop."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from collaboratives.models import ChangeIdea
from measures.months import add_months, month_start
from pdsa import services as pdsa_services
from pdsa.models import Cycle
from reports import services as report_services
from teams.models import Evaluation
from tests import factories
from tests.e2e.support import NARROW, assert_accessible, log_in, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]
LAST_MONTH = add_months(month_start(timezone.localdate()), -1)


@pytest.fixture
def busy_team(world) -> None:
    """Team A with a month half entered, a report to complete, two open cycles (one left for
    six weeks), a coach's comment, team B's shared result on the same idea and an open
    evaluation."""
    measures = [factories.MeasureFactory(collaborative=world.collaborative, name=name) for name in (
        "Classrooms using visual schedules", "Children with a calm arrival", "Family check-ins",
        "Coaching sessions held", "Teachers trained", "Behavior incidents", "Staff turnover")]
    for index, measure in enumerate(measures[:3]):
        for back in range(12):
            factories.MeasureValueFactory(team=world.team_a, measure=measure,
                                          month=add_months(LAST_MONTH, -back),
                                          numerator=3 + (11 - back) // 2 + index, denominator=12)
    idea = ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")
    plan = {"plan_what": "Try it for a week.", "scale": Cycle.Scale.ONE_CLASSROOM}
    fresh = pdsa_services.cycle_create(team=world.team_a, created_by=world.member_a, change_idea=idea,
                                       title="Picture schedule at arrival", **plan)
    stalled = pdsa_services.cycle_create(team=world.team_a, created_by=world.member_a, change_idea=idea,
                                         title="Feelings chart in the family corner", **plan)
    Cycle.objects.filter(pk=stalled.pk).update(updated_at=timezone.now() - datetime.timedelta(weeks=6))
    pdsa_services.comment_create(cycle=fresh, author=world.coach,
                                 body="Lovely start. Could a parent lead the next cycle?")
    shared = pdsa_services.cycle_create(team=world.team_b, created_by=world.member_b, change_idea=idea,
                                        title="Schedule cards sent home", **plan)
    shared = pdsa_services.cycle_update(cycle=shared, version=shared.version, decision="adapt",
                                        prediction="Families will use them.",
                                        do_what_happened="Sent home with 12 children.",
                                        study_summary="Families used them at bedtime too.",
                                        study_learned="Cards travel well between home and class.")
    for status in ("do", "study", "act", "complete"):
        shared = pdsa_services.cycle_status_move(cycle=shared, status=status, version=shared.version)
    pdsa_services.cycle_share(cycle=shared, shared=True)
    report_services.monthly_report_build(team=world.team_a, month=LAST_MONTH)
    session = factories.PeriodFactory(collaborative=world.collaborative)
    Evaluation.objects.create(period=session, title="Learning Session 1: how was it?", is_open=True)


def _first_section_after_heading(page: Page) -> str:
    return page.locator("xpath=//h1/following::section[1]").get_attribute("aria-labelledby")


def test_it_puts_the_to_do_list_first_on_a_narrow_phone(narrow_page: Page, server_url, world,
                                                        busy_team, tmp_path: Path):
    page = narrow_page
    log_in(page, server_url, world.member_a.username)  # a member lands on their team's home
    expect(page.get_by_role("heading", level=1)).to_have_text("Team A")
    page.screenshot(path=tmp_path / "team-home-360.png", full_page=True)

    assert _first_section_after_heading(page) == "todo-heading"
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    todo = page.get_by_role("region", name="To do this month")
    month = f"{LAST_MONTH:%B}"
    expect(todo).to_contain_text(f"3 of 7 measures entered for {month}")
    expect(todo).to_contain_text("Stalled")
    expect(todo.get_by_role("link", name="Complete the report")).to_be_visible()
    expect(todo.get_by_role("link", name="Answer Learning Session 1: how was it?")).to_be_visible()
    feedback = page.get_by_role("region", name="Recent feedback from coaches")
    expect(feedback).to_contain_text("Could a parent lead the next cycle?")
    worth = page.get_by_role("region", name="Worth a look")
    expect(worth).to_contain_text("Schedule cards sent home")
    # Each measure with data has its small chart; the touch targets of the to-do are finger-sized.
    expect(page.get_by_role("region", name="Our measures").locator("svg.sparkline")).to_have_count(3)
    enter = todo.get_by_role("link", name=f"Enter {month}", exact=True)
    assert enter.bounding_box()["height"] >= 44
    assert_accessible(page)

    enter.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{LAST_MONTH:%B %Y}")
    assert_accessible(page)


def test_it_shows_leaders_the_teams_standing_without_write_buttons(page: Page, server_url, world,
                                                                    busy_team, tmp_path: Path):
    log_in(page, server_url, world.coach.username)
    visit(page, f"{server_url}{world.team_a.get_absolute_url()}")
    page.screenshot(path=tmp_path / "team-home-1280.png", full_page=True)
    status = page.get_by_role("region", name="This month: where the team stands")
    expect(status).to_contain_text(f"3 of 7 measures entered for {LAST_MONTH:%B}")
    expect(status).to_contain_text("Feelings chart in the family corner")
    expect(status.get_by_role("link", name=f"Enter {LAST_MONTH:%B}")).to_have_count(0)
    expect(status.get_by_role("link", name="Continue")).to_have_count(0)
    expect(status.get_by_role("link", name="Complete the report")).to_have_count(0)
    expect(status).not_to_contain_text("how was it?")
