"""Monthly data and run charts in the browser: entering a month, importing a CSV, and the
plotly charts drawn from it under the strict CSP (the watcher fails a test on any report)."""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from measures.models import Measure, MeasureValue
from measures.months import add_months, month_start
from tests import factories
from tests.e2e.support import NARROW, PageWatcher, assert_accessible, field, log_in, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PERCENT = "Classrooms using Pyramid practices"
COUNT = "Family conversations"
STRATIFIED = "Exclusionary discipline rate"
GROUPS = ["Black", "Hispanic/Latino", "White", "Asian", "Multiracial or other"]
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "/tmp")


@dataclass
class Measures:
    percent: Measure
    count: Measure
    this_month: datetime.date

    def month(self, back: int) -> datetime.date:
        return add_months(self.this_month, -back)


@pytest.fixture
def measures(world) -> Measures:
    """A p-chart percent measure and a plain count, with three earlier months of the
    percent measure for Team A (60%, 70%, 60%) so its chart already has a line."""
    this_month = month_start(timezone.localdate())
    # Whatever today is, it falls inside the collaborative, so this month is expected.
    collaborative = world.collaborative
    collaborative.start_date = add_months(this_month, -6)
    collaborative.end_date = add_months(this_month, 6) - datetime.timedelta(days=1)
    collaborative.save()
    percent = factories.MeasureFactory(collaborative=collaborative, name=PERCENT, order=0)
    count = factories.MeasureFactory(
        collaborative=collaborative, name=COUNT, order=1, unit=Measure.Unit.COUNT,
        chart_kind=Measure.ChartKind.RUN, denominator_definition="",
        numerator_definition="Conversations with families about their child's week",
        operational_definition="Every conversation of five minutes or more, logged daily.",
    )
    for back, numerator in ((3, 6), (2, 7), (1, 6)):
        factories.MeasureValueFactory(team=world.team_a, measure=percent, numerator=numerator,
                                      denominator=10, month=add_months(this_month, -back))
    return Measures(percent, count, this_month)


def _charts_drawn(page: Page) -> None:
    """Every chart is drawn by the server; exploring them all has plotly draw each one."""
    expect(page.locator(".chart").first).to_be_visible()
    expect(page.locator(".chart:not(:has(.chart-svg))")).to_have_count(0)
    # The SVG shows before charts.js has run: wait for it rather than race it.
    page.wait_for_function("() => typeof window.bscExploreCharts === 'function'")
    page.evaluate("() => window.bscExploreCharts()")
    expect(page.locator(".chart:not(:has(.main-svg))")).to_have_count(0)


def _visit_charts(page: Page) -> None:
    _charts_drawn(page)
    assert_accessible(page)


def _points(chart: Locator) -> Locator:
    """The markers plotly drew for the chart's first trace (the measure's own line)."""
    return chart.locator(".scatterlayer .trace").first.locator(".points path")


def _plotted_values(page: Page, figure_id: str) -> list:
    return page.evaluate(
        "id => document.querySelector(`[data-figure='${id}']`).data[0].y", figure_id)


def test_it_lets_a_member_enter_a_month_on_a_phone_and_the_run_chart_gains_the_point(
    phone_page: Page, server_url, world, measures: Measures
):
    page = phone_page
    month = measures.this_month
    figure_id = f"chart-{measures.percent.pk}"
    log_in(page, server_url, world.member_a.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Team A")

    # Before: three points on the percent measure's chart.
    page.get_by_role("link", name="Run charts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Run charts")
    _visit_charts(page)
    chart = page.locator(f"[data-figure='{figure_id}']")
    expect(_points(chart)).to_have_count(3)
    assert _plotted_values(page, figure_id) == [60, 70, 60]
    expect(page.locator(".modebar")).to_have_count(0)

    # Enter this month.
    page.get_by_role("link", name="Team A").click()
    assert_accessible(page)
    page.get_by_role("link", name="Monthly data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly data")
    assert_accessible(page)
    page.get_by_role("link", name=f"Enter {month:%B}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{month:%B %Y}")
    assert_accessible(page)
    percent = page.get_by_role("group", name=PERCENT)
    # Last month's numbers sit under the fields they help with, as their descriptions.
    expect(percent.get_by_label("Numerator")).to_have_accessible_description("Last month: 6 of 10")
    expect(percent.get_by_label("Denominator")).to_have_accessible_description("Last month: 6 of 10")
    percent.get_by_label("Numerator").fill("5")
    percent.get_by_label("Denominator").fill("10")
    percent.get_by_text("Add a note (optional)").click()
    percent.get_by_label("Note").fill("Two coaching visits")
    page.get_by_role("group", name=COUNT).get_by_label("Count").fill("14")
    page.get_by_role("button", name="Save month").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly data")
    expect(page.get_by_role("status")).to_have_text(f"{month:%B %Y} saved (2 values changed).")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=f"{month:%B %Y}"))
    expect(row.get_by_role("cell").first).to_have_text("✓ complete")
    assert_accessible(page)
    saved = MeasureValue.objects.filter(team=world.team_a, month=month)
    assert sorted(saved.values_list("measure__name", "numerator", "denominator")) == [
        (PERCENT, 5, 10), (COUNT, 14, None)]

    # After: the point is in the data table and on the chart.
    page.get_by_role("link", name="Run charts").click()
    _visit_charts(page)  # the open data table is checked by its own test below
    section = page.get_by_role("region", name=re.compile(PERCENT))
    section.get_by_text(f"Data table: {PERCENT}").click()
    table = section.get_by_role("table", name=PERCENT)
    expect(table).to_be_visible()
    new_row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=f"{month:%b %Y}"))
    expect(new_row).to_contain_text("50%")
    expect(new_row).to_contain_text("Two coaching visits")
    expect(_points(chart)).to_have_count(4)
    assert _plotted_values(page, figure_id) == [60, 70, 60, 50]
    expect(chart).to_have_accessible_name(re.compile("4 months of data"))  # its summary


def test_it_refuses_a_numerator_above_the_denominator_on_its_field_and_saves_nothing(
    page: Page, server_url, world, measures: Measures
):
    values_before = MeasureValue.objects.count()
    month = measures.this_month
    log_in(page, server_url, world.member_a.username)
    visit(page, f"{server_url}/teams/{world.team_a.pk}/data/{month:%Y-%m}/")

    percent = page.get_by_role("group", name=PERCENT)
    percent.get_by_label("Numerator").fill("12")
    percent.get_by_label("Denominator").fill("10")
    page.get_by_role("group", name=COUNT).get_by_label("Count").fill("3")
    page.get_by_role("button", name="Save month").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text(
        "Nothing was saved. Please fix the values marked below.")
    expect(page).to_have_title(re.compile(r"^Error: "))
    numerator = page.get_by_role("group", name=PERCENT).get_by_label("Numerator")
    # The page has moved to the first field with an error.
    expect(numerator).to_be_focused()
    expect(numerator).to_have_value("12")
    expect(numerator).to_have_attribute("aria-invalid", "true")
    expect(numerator).to_have_accessible_description(
        "The numerator (12) cannot be more than the denominator (10) for a percentage. "
        "Last month: 6 of 10")
    page.get_by_role("group", name=COUNT).get_by_label("Count").focus()
    summary.get_by_role("link", name=re.compile(f"^{PERCENT}: The numerator")).click()
    expect(numerator).to_be_focused()
    expect(page.get_by_role("group", name=PERCENT).get_by_label("Denominator")).not_to_have_attribute(
        "aria-invalid", "true")
    expect(page.get_by_role("group", name=COUNT).get_by_label("Count")).to_have_value("3")
    assert_accessible(page)
    assert MeasureValue.objects.count() == values_before


def test_it_rejects_a_csv_with_a_bad_line_saving_nothing_then_imports_the_fixed_file(
    page: Page, server_url, world, measures: Measures, tmp_path: Path
):
    values_before = MeasureValue.objects.count()
    month = f"{measures.this_month:%Y-%m}"
    last_month = f"{measures.month(1):%Y-%m}"
    lines = [
        "month,measure,group,numerator,denominator,note",
        f"{month},{PERCENT},,8,10,",
        f"{month},{COUNT},,twelve,,",
        f"{last_month},{COUNT},,9,,Snow week",
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log_in(page, server_url, world.member_a.username)
    visit(page, f"{server_url}/teams/{world.team_a.pk}/data/")
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import monthly data from a CSV file")
    assert_accessible(page)

    field(page, "CSV file").set_input_files(bad)
    page.get_by_role("button", name="Check and import").click()

    expect(page.get_by_role("heading", name="1 problem")).to_be_visible()
    expect(field(page, "CSV file")).to_have_accessible_description(
        re.compile("Nothing was saved: fix the problems listed below and upload again."))
    problems = page.get_by_role("table", name="Problems found in the file")
    expect(problems.get_by_role("row")).to_have_count(2)
    expect(problems.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(
        ["3", "numerator", "“twelve” is not a number."])
    assert_accessible(page)
    assert MeasureValue.objects.count() == values_before

    lines[2] = f"{month},{COUNT},,12,,"
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    field(page, "CSV file").set_input_files(fixed)
    page.get_by_role("button", name="Check and import").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly data")
    expect(page.get_by_role("status")).to_have_text("Import saved: 3 values written.")
    assert_accessible(page)
    assert MeasureValue.objects.count() == values_before + 3
    assert set(MeasureValue.objects.filter(team=world.team_a, measure=measures.count)
               .values_list("month", "numerator", "note")) == {
        (measures.this_month, 12, ""), (measures.month(1), 9, "Snow week")}


def test_it_shows_the_advisor_every_teams_chart_and_a_state_viewer_only_the_pooled_one(
    page: Page, watcher: PageWatcher, server_url, world, measures: Measures
):
    third = factories.TeamFactory(collaborative=world.collaborative, name="Team C")
    for back, numerator in ((3, 5), (2, 6), (1, 8)):
        for team in (world.team_b, third):
            factories.MeasureValueFactory(team=team, measure=measures.percent, numerator=numerator,
                                          denominator=10, month=measures.month(back))
    url = f"{server_url}{measures.percent.get_absolute_url()}"

    log_in(page, server_url, world.advisor.username)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(PERCENT)
    _visit_charts(page)
    pooled = page.get_by_role("region", name="The collaborative (3 teams reporting)")
    expect(_points(pooled.locator("[data-figure='pooled-chart']"))).to_have_count(3)
    every_team = page.get_by_role("region", name="Every team")
    expect(every_team.locator("svg.sparkline")).to_have_count(3)
    expect(every_team.get_by_role("list", name="Teams").get_by_role("listitem")).to_have_count(3)
    # A team's full chart is one click away.
    expect(every_team.get_by_role("link", name="Team A")).to_have_attribute(
        "href", re.compile(rf"/teams/{world.team_a.pk}/charts/#chart-{measures.percent.pk}-section$"))
    expect(pooled.get_by_role("columnheader", name="Numerator", include_hidden=True)).to_have_count(1)
    expect(page.locator(".modebar")).to_have_count(0)
    assert watcher.csp_messages == []

    page.context.clear_cookies()
    log_in(page, server_url, world.state_viewer.username)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(PERCENT)
    _visit_charts(page)
    pooled = page.get_by_role("region", name="The collaborative (3 teams reporting)")
    expect(_points(pooled.locator("[data-figure='pooled-chart']"))).to_have_count(3)
    expect(page.get_by_role("heading", name="Every team")).to_have_count(0)
    expect(page.locator("svg.sparkline")).to_have_count(0)
    # Counts are a leader's to see; the state sees rates only.
    expect(pooled.get_by_role("columnheader", name="Numerator", include_hidden=True)).to_have_count(0)
    assert watcher.csp_messages == []


def test_it_keeps_an_open_data_table_reachable_by_keyboard_on_a_phone(
    phone_page: Page, server_url, world, measures: Measures
):
    page = phone_page
    log_in(page, server_url, world.member_a.username)
    page.get_by_role("link", name="Run charts").click()
    _charts_drawn(page)
    page.get_by_text(f"Data table: {PERCENT}").click()
    expect(page.get_by_role("table", name=PERCENT)).to_be_visible()
    assert_accessible(page)


def _fits_the_width(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def test_it_takes_a_stratified_month_as_one_table_on_a_360_pixel_phone(
    narrow_page: Page, server_url, world, measures: Measures
):
    """The demo's stratified rate, in its own words: a wrong total is refused on its field
    (the page moves there, nothing saved), the right one saves, and the month is done."""
    page = narrow_page
    stratified = factories.MeasureFactory(
        collaborative=world.collaborative, name=STRATIFIED, order=2, unit=Measure.Unit.RATE,
        chart_kind=Measure.ChartKind.U, stratification="Child's race/ethnicity",
        numerator_label="Exclusion events", denominator_label="Children enrolled on the 15th")
    for order, label in enumerate(GROUPS):
        factories.StratumFactory(measure=stratified, label=label, order=order)
    month = measures.this_month
    log_in(page, server_url, world.member_a.username)
    visit(page, f"{server_url}/teams/{world.team_a.pk}/data/")
    page.get_by_role("link", name=f"Enter {month:%B}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{month:%B %Y}")
    help_text = page.locator("details", has=page.locator("summary", has_text="How to fill this in"))
    help_text.locator("summary").click()
    expect(help_text.get_by_text("Type the numbers you counted, not a percentage")).to_be_visible()
    months = page.get_by_role("navigation", name="Recent months")
    expect(months.get_by_role("link", name=re.compile(f"^{measures.month(1):%B}"))).to_contain_text(
        "1 of 3 entered")
    expect(months.locator("[aria-current=page]")).to_contain_text("not yet")
    assert_accessible(page)
    _fits_the_width(page)

    table = page.get_by_role("table", name=f"{STRATIFIED}: one line per group")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Child's race/ethnicity", "Exclusion events", "Children enrolled on the 15th"])
    for group, events, enrolled in zip(GROUPS, ["1", "2", "0", "0", "0"], ["10", "12", "9", "5", "3"],
                                       strict=True):
        table.get_by_label(f"{group}: Exclusion events").fill(events)
        table.get_by_label(f"{group}: Children enrolled on the 15th").fill(enrolled)
    total = table.get_by_label("Total: Children enrolled on the 15th")
    expect(total).to_have_accessible_description("Groups add up to 39")
    total.fill("41")
    page.screenshot(path=f"{SCREENSHOTS}/data-entry-stratified-360.png", full_page=True)
    page.get_by_role("button", name="Save month").click()

    expect(page.get_by_role("alert").get_by_role("link")).to_have_text(
        [f"{STRATIFIED} — total: The groups add up to 39, not the total 41. Check each group’s "
         "Children enrolled on the 15th, or leave the total empty."])
    expect(total).to_be_focused()
    expect(total).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    _fits_the_width(page)
    page.screenshot(path=f"{SCREENSHOTS}/data-entry-error-360.png", full_page=True)
    assert not MeasureValue.objects.filter(month=month).exists()

    table.get_by_label("Asian: Children enrolled on the 15th").fill("7")
    expect(total).to_have_accessible_description(re.compile("Groups add up to 41"))
    page.get_by_role("group", name=PERCENT).get_by_label("Numerator").fill("5")
    page.get_by_role("group", name=PERCENT).get_by_label("Denominator").fill("10")
    page.get_by_role("group", name=COUNT).get_by_label("Count").fill("14")
    page.get_by_role("button", name="Save month").click()

    expect(page.get_by_role("status")).to_have_text(f"{month:%B %Y} saved (7 values changed).")
    assert_accessible(page)
    # This month is done: the next month offered is an earlier one still missing values.
    expect(page.get_by_role("link", name=f"Enter {month:%B}", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name=f"Enter {measures.month(1):%B}", exact=True)).to_be_visible()
    assert MeasureValue.objects.filter(month=month, measure=stratified).count() == 5
