"""The dashboards in the browser: the advisor lands on the cohort dashboard and filters it,
the state viewer lands on the state dashboard and reads a funnel plot, both at desktop and
phone widths; axe runs on every page and the watcher fails on CSP reports."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from collaboratives.models import ChangeIdea
from measures.models import Measure
from measures.months import add_months, month_start
from pdsa.models import Cycle
from reports.models import MonthlyReport
from tests import factories
from tests.e2e.support import assert_accessible, log_in, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]
DUE = add_months(month_start(timezone.localdate()), -1)


@pytest.fixture
def cohort(world):
    """Five teams with a year of an outcome measure, scores and cycles."""
    measure = factories.MeasureFactory(collaborative=world.collaborative, name="Classrooms with fidelity",
                                       type=Measure.Type.OUTCOME, goal=80)
    idea = ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")
    teams = [world.team_a, world.team_b, *(factories.TeamFactory(collaborative=world.collaborative,
                                                                  name=f"Program {n}") for n in range(3))]
    for index, team in enumerate(teams):
        for back in range(12):
            factories.MeasureValueFactory(team=team, measure=measure, month=add_months(DUE, -back),
                                          numerator=10 + index * 3 + (back < 4) * 8, denominator=40)
        MonthlyReport.objects.create(team=team, month=DUE, self_score="2.5", advisor_score="2.0",
                                     status=MonthlyReport.Status.REVIEWED)
        Cycle.objects.create(team=team, change_idea=idea, title=f"Schedule test {index}", is_shared=True,
                             status=Cycle.Status.COMPLETE, study_summary="Fewer questions",
                             decision=Cycle.Decision.ADOPT, completed_at=timezone.now())
    return measure


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_the_advisor_lands_on_the_cohort_dashboard_and_finds_who_needs_a_call(page: Page, server_url, world,
                                                                              cohort):
    log_in(page, server_url, "advisor")
    visit(page, f"{server_url}/")
    expect(page.get_by_role("heading", name="Cohort dashboard")).to_be_visible()
    expect(page.get_by_role("heading", name="Outcome measures against the shared aim")).to_be_visible()
    expect(page.get_by_text("Today:")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Not cross-role: 5").click()
    expect(page.get_by_role("row", name="Program 0")).to_be_visible()
    assert_accessible(page)


def test_the_cohort_dashboard_reads_on_a_phone(phone_page: Page, server_url, world, cohort):
    log_in(phone_page, server_url, "advisor")
    visit(phone_page, f"{server_url}/collaboratives/{world.collaborative.pk}/dashboard/")
    expect(phone_page.get_by_role("region", name="Teams", exact=True)).to_be_visible()
    no_sideways_scroll(phone_page)
    assert_accessible(phone_page)


def test_the_state_viewer_lands_on_the_state_dashboard(page: Page, phone_page: Page, server_url, world,
                                                       cohort):
    log_in(page, server_url, "state-viewer-login")
    visit(page, f"{server_url}/")
    expect(page.get_by_role("heading", name="North Carolina: collaboratives at a glance")).to_be_visible()
    funnel = page.locator(f'[data-figure="funnel-{cohort.pk}"]')
    expect(funnel.locator(".chart-svg-wide")).to_be_visible()  # drawn by the server
    funnel.get_by_role("img").first.click()  # a click on the drawing brings plotly's
    expect(funnel.locator(".main-svg").first).to_be_visible()
    expect(page.get_by_text("Program 0")).to_have_count(0)
    assert_accessible(page)
    log_in(phone_page, server_url, "state-viewer-login")
    visit(phone_page, f"{server_url}/state/")
    no_sideways_scroll(phone_page)
    assert_accessible(phone_page)


@pytest.fixture(autouse=True)
def _state_viewer_login(world):
    world.state_viewer.username = "state-viewer-login"
    world.state_viewer.save()
