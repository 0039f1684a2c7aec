"""The chart pages: who sees which series, and the text and table behind every chart."""

import datetime

import pytest
from django.urls import reverse

from measures.months import add_months
from tests.factories import MeasureFactory, MeasureValueFactory, StratumFactory

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


def test_it_loads_the_local_plotly_bundle_and_its_stylesheet(client, world, fidelity):
    client.force_login(world.member_a)
    html = client.get(reverse("reports:team-charts", args=[world.team_a.pk])).text
    assert "/static/vendor/plotly/plotly-basic-4.1.1.min.js" in html
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in html


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
    assert [item["series"].label for item in response.context["team_lines"]] == ["Team A", "Team B"]
    assert response.context["recent_rows"][1] == {"label": "Team B", "values": ["25%"] * 6}


def test_it_hides_small_counts_from_state_viewers(client, world, stratified):
    client.force_login(world.state_viewer)
    response = client.get(stratified.get_absolute_url())
    cells = [cell for row in response.context["strata_table"] for cell in row["cells"]]
    assert [cell["suppressed"] for cell in cells] == [True, True]  # 4 is small; 30 goes with it
    assert "&lt;&nbsp;10" in response.text
    assert "Numerator" not in response.text


def test_it_shows_advisors_the_same_counts_unsuppressed(client, world, stratified):
    client.force_login(world.advisor)
    response = client.get(stratified.get_absolute_url())
    cells = [cell for row in response.context["strata_table"] for cell in row["cells"]]
    assert [cell["display"] for cell in cells] == ["10.0", "33.3"]
    assert "Compared with White" in response.text


def test_it_hides_team_charts_from_other_teams(client, world, fidelity):
    client.force_login(world.member_b)
    assert client.get(reverse("reports:team-charts", args=[world.team_a.pk])).status_code == 404


def test_it_keeps_team_notes_out_of_the_collaborative_chart(client, world, fidelity):
    client.force_login(world.member_b)
    response = client.get(fidelity.get_absolute_url())
    assert "Coach visit" not in response.text


def test_it_blanks_small_pooled_months_for_members_and_state_viewers(client, world):
    measure = MeasureFactory(collaborative=world.collaborative, name="Reviewed", chart_kind="p")
    MeasureValueFactory(team=world.team_a, measure=measure, month=START, numerator=3, denominator=8)
    MeasureValueFactory(team=world.team_a, measure=measure, month=add_months(START, 1),
                        numerator=12, denominator=20)
    client.force_login(world.state_viewer)
    pooled = client.get(measure.get_absolute_url()).context["pooled"]
    assert pooled.values == [None, 60.0]
    assert pooled.limits()[0][0] is None
    client.force_login(world.advisor)
    assert client.get(measure.get_absolute_url()).context["pooled"].values == [37.5, 60.0]
