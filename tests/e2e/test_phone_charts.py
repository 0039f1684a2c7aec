"""Charts, data tables and the driver diagram on a 360 px phone: the legend below the plot and
whole, marker labels inside the plot, wide tables scrolling inside a focusable region with a
cue, no sideways scroll on the page, and the driver diagram as its list."""

from __future__ import annotations

import datetime
import os

import pytest
from playwright.sync_api import Page, expect

from collaboratives import services
from measures.models import Measure
from tests import factories
from tests.e2e.support import NARROW, assert_accessible, log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "/tmp")
GROUPS = ["Black", "Hispanic/Latino", "White", "Asian", "Multiracial or other"]
MONTHS = [(2026, m) for m in range(1, 10)]


@pytest.fixture
def charted(world) -> Measure:
    """A stratified rate with nine months for Team A (so its run chart has a signal, a goal,
    limits and two learning-session markers) — the chart with the most legend items."""
    collaborative = world.collaborative
    for number, month in ((1, 2), (2, 6)):
        factories.PeriodFactory(collaborative=collaborative, number=number,
                                start_date=datetime.date(2026, month, 1),
                                end_date=datetime.date(2026, month, 1))
    measure = factories.MeasureFactory(
        collaborative=collaborative, name="Exclusionary discipline rate", order=0,
        unit=Measure.Unit.PERCENT, chart_kind=Measure.ChartKind.P, goal=90,
        stratification="Child's race/ethnicity")
    strata = [factories.StratumFactory(measure=measure, label=label, order=order,
                                       is_reference=order == 2)
              for order, label in enumerate(GROUPS)]
    for index, (year, month) in enumerate(MONTHS):
        when = datetime.date(year, month, 1)
        factories.MeasureValueFactory(team=world.team_a, measure=measure, month=when,
                                      numerator=40 + 6 * index, denominator=100)
        for offset, stratum in enumerate(strata):
            factories.MeasureValueFactory(team=world.team_a, measure=measure, month=when,
                                          stratum=stratum, numerator=8 + index + offset,
                                          denominator=20)
    return measure


def _charts_drawn(page: Page) -> None:
    """The server's drawings first, then plotly's once every chart is explored."""
    expect(page.locator(".chart").first).to_be_visible()
    expect(page.locator(".chart:not(:has(.chart-svg))")).to_have_count(0)
    page.wait_for_function("() => typeof window.bscExploreCharts === 'function'")
    page.evaluate("() => window.bscExploreCharts()")
    expect(page.locator(".chart:not(:has(.main-svg))")).to_have_count(0)


def _open_every_table(page: Page) -> None:
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def _check_charts(page: Page) -> None:
    """Every drawn chart: the legend has no scroll box and every item of it, and every text
    label (LS1, LS2 …), lies inside the chart's own box."""
    problems = page.evaluate("""() => {
        const out = [];
        document.querySelectorAll('.chart.js-plotly-plot').forEach(chart => {
            const box = chart.querySelector('.main-svg').getBoundingClientRect();
            const inside = r => r.width === 0 || (r.left >= box.left - 1 && r.right <= box.right + 1
                && r.top >= box.top - 1 && r.bottom <= box.bottom + 1);
            const bar = chart.querySelector('.legend .scrollbar');
            if (bar && bar.getBoundingClientRect().height > 0) {
                out.push(chart.dataset.figure + ': the legend scrolls');
            }
            chart.querySelectorAll('.legend .traces').forEach(item => {
                if (!inside(item.getBoundingClientRect())) {
                    out.push(chart.dataset.figure + ': legend item cut: ' + item.textContent);
                }
            });
            chart.querySelectorAll('.textpoint text, .gtitle, .annotation-text').forEach(text => {
                if (!inside(text.getBoundingClientRect())) {
                    out.push(chart.dataset.figure + ': label cut: ' + text.textContent);
                }
            });
        });
        return out;
    }""")
    assert problems == []


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def _wide_tables_are_regions(page: Page) -> None:
    """Every table box that scrolls sideways can be reached by keyboard and is named."""
    boxes = page.evaluate("""() => [...document.querySelectorAll('.table-responsive')]
        .filter(box => box.scrollWidth > box.clientWidth && box.offsetParent !== null)
        .map(box => [box.tabIndex, box.getAttribute('role'), box.getAttribute('aria-label')])""")
    for tab_index, role, label in boxes:
        assert (tab_index, role) == (0, "region")
        assert label


def test_it_fits_the_run_charts_and_tables_on_a_360_pixel_phone(
    narrow_page: Page, server_url, world, charted
):
    page = narrow_page
    log_in(page, server_url, world.member_a.username)
    page.goto(f"{server_url}/teams/{world.team_a.pk}/charts/")
    _charts_drawn(page)
    page.screenshot(path=f"{SCREENSHOTS}/phone-charts-360-closed.png", full_page=True)
    assert page.locator(".chart").count() >= 3
    _check_charts(page)
    _no_sideways_scroll(page)
    _open_every_table(page)
    page.screenshot(path=f"{SCREENSHOTS}/phone-charts-360.png", full_page=True)
    # The value column of the month table is on screen, not behind a sideways scroll.
    table = page.get_by_role("table", name=charted.name)
    value = table.get_by_role("columnheader", name="Value").bounding_box()
    assert value is not None
    assert value["x"] + value["width"] <= NARROW["width"]
    _wide_tables_are_regions(page)
    _no_sideways_scroll(page)
    assert_accessible(page)


def test_it_draws_light_charts_at_load_and_plotly_only_when_asked(
    narrow_page: Page, server_url, world, charted
):
    page = narrow_page
    plotly_requests: list[str] = []
    page.on("request", lambda request: plotly_requests.append(request.url)
            if "plotly" in request.url else None)
    log_in(page, server_url, world.member_a.username)
    page.goto(f"{server_url}/teams/{world.team_a.pk}/charts/")
    section = page.locator(f"#chart-{charted.pk}-section")
    chart = section.locator(f"[data-figure='chart-{charted.pk}']")
    drawing = chart.locator(".chart-svg-narrow")  # the phone's drawing shows
    expect(drawing).to_be_visible()
    summary = section.locator(f"#chart-{charted.pk}-summary").text_content()
    expect(drawing).to_have_accessible_name(summary)  # named by its one-sentence summary
    expect(chart.locator(".chart-svg-wide")).to_be_hidden()
    expect(chart.locator(".chart-legend").get_by_text("Goal")).to_be_visible()
    section.get_by_text("How to read this chart").click()
    expect(section.get_by_text("A shift is 6 or more points in a row")).to_be_visible()
    _no_sideways_scroll(page)
    assert_accessible(page)
    assert plotly_requests == []

    section.get_by_role("button", name="Explore this chart").first.click()
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(chart.locator(".chart-svg")).to_have_count(0)
    expect(section.get_by_role("button", name="Explore this chart")).to_have_count(2)  # strata
    expect(chart).to_be_focused()
    assert any(url.endswith(".js") for url in plotly_requests)
    # Only the chart asked for: the others stay the server's drawings.
    assert page.locator(".js-plotly-plot").count() == 1
    _check_charts(page)
    page.screenshot(path=f"{SCREENSHOTS}/phone-charts-360-explored.png", full_page=True)
    assert_accessible(page)


def test_it_fits_the_measure_page_on_a_360_pixel_phone(
    narrow_page: Page, server_url, world, charted
):
    page = narrow_page
    log_in(page, server_url, world.advisor.username)
    page.goto(f"{server_url}{charted.get_absolute_url()}")
    _charts_drawn(page)
    _check_charts(page)
    _open_every_table(page)
    page.screenshot(path=f"{SCREENSHOTS}/phone-measure-360.png", full_page=True)
    _wide_tables_are_regions(page)
    _no_sideways_scroll(page)
    assert_accessible(page)


def test_it_shows_the_driver_diagram_as_its_list_on_a_360_pixel_phone(
    narrow_page: Page, server_url, world
):
    primary = services.primary_driver_create(collaborative=world.collaborative,
                                             title="Relationships with families")
    secondary = services.secondary_driver_create(
        collaborative=world.collaborative, title="Two-way communication",
        primary_drivers=[primary])
    services.change_idea_create(collaborative=world.collaborative,
                                title="Weekly photo note home", secondary_drivers=[secondary])
    page = narrow_page
    log_in(page, server_url, world.advisor.username)
    page.goto(f"{server_url}{world.collaborative.get_absolute_url()}")
    expect(page.locator(".driver-diagram-svg")).to_be_hidden()
    expect(page.locator(".driver-diagram-list").get_by_text("Weekly photo note home")).to_be_visible()
    _wide_tables_are_regions(page)
    _no_sideways_scroll(page)
    page.screenshot(path=f"{SCREENSHOTS}/phone-collaborative-360.png", full_page=True)
    assert_accessible(page)
