"""The chart pages: who sees which series, and the text and table behind every chart."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse

from measures.months import add_months
from tests.factories import MeasureFactory, MeasureValueFactory, StratumFactory, TeamFactory

pytestmark = pytest.mark.django_db
START = datetime.date(2026, 1, 1)


@pytest.fixture
def fidelity(world):
    measure = MeasureFactory(collaborative=world.collaborative, name="Fidelity")
    for i in range(12):
        month = add_months(START, i - 2)
        MeasureValueFactory(team=world.team_a, measure=measure, month=month, numerator=3 + (i > 5) * 3,
                            denominator=8, note="Coach visit" if i == 7 else "")
        MeasureValueFactory(team=world.team_b, measure=measure, month=month, numerator=2, denominator=8)
    return measure


@pytest.fixture
def stratified(world):
    measure = MeasureFactory(collaborative=world.collaborative, name="Exclusions", unit="rate",
                             chart_kind="u", stratification="Race/ethnicity")
    black = StratumFactory(measure=measure, label="Black")
    white = StratumFactory(measure=measure, label="White", is_reference=True)
    MeasureValueFactory(team=world.team_a, measure=measure, stratum=black, numerator=4, denominator=40)
    MeasureValueFactory(team=world.team_a, measure=measure, stratum=white, numerator=30, denominator=90)
    return measure


def test_it_shows_a_member_their_teams_charts_with_summary_table_and_notes(client, world, fidelity):
    client.force_login(world.member_a)
    response = client.get(reverse("reports:team-charts", args=[world.team_a.pk]))
    assert "What it shows:" in response.text
    assert "a shift — non-random improvement" in response.text
    assert "Coach visit" in response.text  # notes reach the table
    assert f'data-figure="chart-{fidelity.pk}"' in response.text
    assert f'id="chart-{fidelity.pk}" type="application/json"' in response.text


def test_it_draws_the_charts_on_the_server_and_loads_plotly_only_on_request(client, world, fidelity):
    client.force_login(world.member_a)
    html = client.get(reverse("reports:team-charts", args=[world.team_a.pk])).text
    assert f'aria-labelledby="chart-{fidelity.pk}-summary"' in html  # the SVG, named by its summary
    assert '<script src="/static/vendor/plotly' not in html
    # charts.js fetches the local bundle and stylesheet when someone explores a chart.
    assert 'data-plotly="/static/vendor/plotly/plotly-basic-4.1.1.min.js"' in html
    assert 'data-plotly-css="/static/vendor/plotly/plotly-4.1.1.css"' in html
    script = (settings.BASE_DIR / "static/js/charts.js").read_text()
    assert '"plotly.js-style-global"' in script
    assert '"no-inline-styles"' in script


def test_it_shows_members_only_the_collaborative_aggregate(client, world, fidelity):
    client.force_login(world.member_a)
    response = client.get(fidelity.get_absolute_url())
    assert "2 teams reporting" in response.text
    assert "Every team" not in response.text
    assert world.team_b.name not in response.text


def test_it_shows_advisors_every_teams_chart(client, world, fidelity):
    client.force_login(world.advisor)
    response = client.get(fidelity.get_absolute_url())
    assert "Every team" in response.text
    # Team A shows a shift, so it comes first; Team B's line is flat.
    lines = response.context["team_page"].object_list
    assert [item.label for item in lines] == ["Team A", "Team B"]
    assert response.context["recent_rows"][1]["values"] == ["25%"] * 6
    assert response.text.count('class="sparkline"') == 2


def test_it_hides_one_teams_groups_from_state_viewers(client, world, stratified):
    client.force_login(world.state_viewer)
    response = client.get(stratified.get_absolute_url())
    cells = [cell for row in response.context["strata_table"] for cell in row["cells"]]
    assert [cell["hidden"] for cell in cells] == ["few_teams", "few_teams"]
    assert "hidden (under 3 teams)" in response.text
    assert "Numerator" not in response.text


def test_it_hides_a_small_group_and_its_complement_from_state_viewers(client, world, stratified):
    black, white = stratified.strata.order_by("label")
    for team in (world.team_b, TeamFactory(collaborative=world.collaborative)):
        MeasureValueFactory(team=team, measure=stratified, stratum=black, numerator=0, denominator=40)
        MeasureValueFactory(team=team, measure=stratified, stratum=white, numerator=30, denominator=90)
    client.force_login(world.state_viewer)
    response = client.get(stratified.get_absolute_url())
    cells = [cell for row in response.context["strata_table"] for cell in row["cells"]]
    assert [cell["hidden"] for cell in cells] == ["small_count", "complement"]  # 4; 90 goes with it
    assert "hidden (under 10)" in response.text


def test_it_shows_advisors_the_same_counts_unsuppressed(client, world, stratified):
    client.force_login(world.advisor)
    response = client.get(stratified.get_absolute_url())
    cells = [cell for row in response.context["strata_table"] for cell in row["cells"]]
    assert [cell["display"] for cell in cells] == ["10.0", "33.3"]
    assert "Compared with White, by quarter" in response.text


def test_it_hides_team_charts_from_other_teams(client, world, fidelity):
    client.force_login(world.member_b)
    assert client.get(reverse("reports:team-charts", args=[world.team_a.pk])).status_code == 404


def test_it_keeps_team_notes_out_of_the_collaborative_chart(client, world, fidelity):
    client.force_login(world.member_b)
    response = client.get(fidelity.get_absolute_url())
    assert "Coach visit" not in response.text


def test_it_blanks_small_pooled_months_for_members_and_state_viewers(client, world):
    measure = MeasureFactory(collaborative=world.collaborative, name="Reviewed", chart_kind="p")
    for team in (world.team_a, world.team_b, TeamFactory(collaborative=world.collaborative)):
        MeasureValueFactory(team=team, measure=measure, month=START, numerator=1, denominator=8)
        MeasureValueFactory(team=team, measure=measure, month=add_months(START, 1),
                            numerator=4, denominator=20)
    for persona in (world.state_viewer, world.member_a):
        client.force_login(persona)
        response = client.get(measure.get_absolute_url())
        assert response.context["pooled"].values == [None, 20.0]
        assert response.context["pooled"].limits() == ([], [])
        assert "hidden (under 10)" in response.text
    client.force_login(world.advisor)
    assert client.get(measure.get_absolute_url()).context["pooled"].values == [12.5, 20.0]


def test_the_pooled_table_puts_the_value_next_to_the_month(client, world, fidelity):
    """On a phone the first two columns are what is on screen: the month and its value."""
    client.force_login(world.advisor)
    page = client.get(fidelity.get_absolute_url()).text
    table = page[page.index("Teams reporting") - 600:]
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table)[:5]
    assert headers == ["Month", "Value", "Teams reporting", "Numerator", "Denominator"]
