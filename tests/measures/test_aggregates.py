"""The aggregate layer: collaborative figures summed in SQL, cached, and never leaking a
team's numbers to people who do not lead the collaborative — in pages, the API and CSV."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from measures import aggregates
from measures.models import MeasureValue
from measures.months import add_months
from measures.services import Entry, measure_values_record
from tests.factories import MeasureFactory, MeasureValueFactory, StratumFactory, TeamFactory

pytestmark = pytest.mark.django_db
START = datetime.date(2026, 1, 1)


def fill(team, measure, numerators, *, denominator=10, stratum=None):
    for index, numerator in enumerate(numerators):
        if numerator is not None:
            MeasureValueFactory(team=team, measure=measure, stratum=stratum, numerator=numerator,
                                denominator=denominator, month=add_months(START, index))


@pytest.fixture
def third(world):
    return TeamFactory(collaborative=world.collaborative, name="Team C")


@pytest.fixture
def percent(world):
    return MeasureFactory(collaborative=world.collaborative, name="Fidelity", chart_kind="p")


@pytest.fixture
def count(world):
    return MeasureFactory(collaborative=world.collaborative, name="Expulsions", unit="count",
                          denominator_definition="", chart_kind="run", direction="down")


def chart(client, user, measure) -> dict:
    client.force_login(user)
    return client.get(f"/api/v1/measures/{measure.pk}/chart-data/").json()


def page(client, user, measure):
    client.force_login(user)
    return client.get(measure.get_absolute_url())


def export(client, user, measure) -> list[dict]:
    client.force_login(user)
    response = client.get(reverse("measures:figures-export", args=[measure.pk]))
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- A month with one or two reporting teams ---------------------------------------------------

@pytest.fixture
def uneven(world, percent, third):
    """January: team A alone; February: A and B; March: all three (each 20 of 50)."""
    fill(world.team_a, percent, [20, 20, 20], denominator=50)
    fill(world.team_b, percent, [None, 20, 20], denominator=50)
    fill(third, percent, [None, None, 20], denominator=50)
    return percent


@pytest.mark.parametrize("persona", ["member_b", "state_viewer"])
def test_it_never_shows_one_or_two_teams_numbers_as_the_collaboratives_in_the_api(client, world,
                                                                               uneven, persona):
    line = chart(client, getattr(world, persona), uneven)["series"][0]
    assert line["values"] == [None, None, 40.0]
    assert line["hidden_reasons"] == ["few_teams", "few_teams", None]


@pytest.mark.parametrize("persona", ["member_b", "state_viewer"])
def test_it_says_why_a_month_is_missing_on_the_page(client, world, uneven, persona):
    response = page(client, getattr(world, persona), uneven)
    assert response.context["pooled"].values == [None, None, 40.0]
    assert response.text.count("hidden (under 3 teams)") == 2


@pytest.mark.parametrize("persona", ["member_b", "state_viewer"])
def test_it_leaves_the_same_months_out_of_the_csv(client, world, uneven, persona):
    rows = export(client, getattr(world, persona), uneven)
    assert [(row["month"], row["value"], row["hidden"]) for row in rows] == [
        ("2026-01", "", "hidden (under 3 teams)"), ("2026-02", "", "hidden (under 3 teams)"),
        ("2026-03", "40.0", "")]
    assert "numerator" not in rows[0]


def test_it_shows_the_leaders_every_month_with_its_counts(client, world, uneven):
    line = chart(client, world.advisor, uneven)["series"][0]
    assert line["values"] == [40.0, 40.0, 40.0]
    assert line["numerators"] == [20.0, 40.0, 60.0]
    rows = export(client, world.advisor, uneven)
    assert [row["numerator"] for row in rows] == ["20", "40", "60"]


def test_it_tells_how_many_teams_reported_each_month(client, world, uneven):
    assert chart(client, world.state_viewer, uneven)["teams_reporting"] == [1, 2, 3]


# --- Counts from 1 to 9, whatever the kind of measure ------------------------------------------

@pytest.mark.parametrize("persona", ["member_a", "state_viewer"])
def test_it_hides_a_count_measures_total_from_1_to_9(client, world, count, third, persona):
    for team in (world.team_a, world.team_b, third):
        fill(team, count, [1, 5, 0], denominator=None)  # totals 3, 15, 0
    body = chart(client, getattr(world, persona), count)
    assert body["aggregate"] == "total"
    assert body["series"][0]["values"] == [None, 15.0, 0.0]
    assert body["series"][0]["hidden_reasons"] == ["small_count", None, None]
    assert [row["value"] for row in export(client, getattr(world, persona), count)] == ["", "15.0", "0.0"]
    assert "hidden (under 10)" in page(client, getattr(world, persona), count).text


def test_it_hides_a_median_measures_month_when_its_pooled_count_is_small(client, world, third):
    mean = MeasureFactory(collaborative=world.collaborative, name="Contacts", unit="mean",
                          chart_kind="run", denominator_definition="weeks")
    for team, numerators in ((world.team_a, [1, 40]), (world.team_b, [2, 50]), (third, [3, 60])):
        fill(team, mean, numerators, denominator=20)
    body = chart(client, world.state_viewer, mean)
    assert body["aggregate"] == "median"
    assert body["series"][0]["values"] == [None, 2.5]


def test_it_shows_leaders_the_small_totals(client, world, count, third):
    for team in (world.team_a, world.team_b, third):
        fill(team, count, [1, 5], denominator=None)
    assert chart(client, world.advisor, count)["series"][0]["values"] == [3.0, 15.0]


def test_it_draws_no_p_chart_limits_for_people_who_do_not_lead(client, world, uneven):
    state = chart(client, world.state_viewer, uneven)
    assert (state["upper"], state["lower"]) == ([], [])
    advisor = chart(client, world.advisor, uneven)
    assert len(advisor["upper"]) == 3
    assert advisor["upper"][0] is not None


# --- Strata and disparities --------------------------------------------------------------------

@pytest.fixture
def exclusions(world, third):
    """Two groups over three teams and three months: monthly counts too small to show alone,
    a quarter's counts large enough."""
    measure = MeasureFactory(collaborative=world.collaborative, name="Exclusions", unit="rate",
                             chart_kind="u", direction="down", stratification="Race/ethnicity")
    black = StratumFactory(measure=measure, label="Black", order=0)
    white = StratumFactory(measure=measure, label="White", order=1, is_reference=True)
    for team in (world.team_a, world.team_b, third):
        fill(team, measure, [2, 2, 2], denominator=20, stratum=black)
        fill(team, measure, [1, 1, 2], denominator=20, stratum=white)
    return measure


def test_it_compares_groups_by_quarter_where_months_are_too_small(client, world, exclusions):
    body = chart(client, world.state_viewer, exclusions)
    strata = {line["label"]: line for line in body["strata"]}
    assert strata["White"]["values"] == [None, None, None]  # 3, 3 and 6 children a month
    disparity = body["disparity"]
    assert disparity["quarters"] == ["2026-01"]
    assert disparity["ratios"]["Black"] == [pytest.approx(18 / 12)]  # 18 of 180 against 12 of 180
    assert disparity["summary"] == ("In Q1 2026 the widest gap: Black at 1.5 times the rate of White "
                                    "(1.0 means no gap).")


def test_it_does_not_call_a_group_with_no_events_the_widest_gap(client, world, third):
    measure = MeasureFactory(collaborative=world.collaborative, name="Expelled", unit="rate",
                             chart_kind="u", direction="down", stratification="Race/ethnicity")
    black = StratumFactory(measure=measure, label="Black", order=0)
    white = StratumFactory(measure=measure, label="White", order=1, is_reference=True)
    for team in (world.team_a, world.team_b, third):
        fill(team, measure, [0, 0, 0], denominator=20, stratum=black)
        fill(team, measure, [4, 4, 4], denominator=20, stratum=white)
    summary = chart(client, world.advisor, measure)["disparity"]["summary"]
    assert summary == "In Q1 2026 no group fared worse than White."


def test_it_names_the_month_of_the_latest_group_values_it_reports(client, world, exclusions):
    response = page(client, world.advisor, exclusions)
    assert response.context["strata_summary"].startswith(
        "Exclusions by Race/ethnicity in March 2026: Black 10.0; White 10.0")


# --- Reads, cache and freshness ---------------------------------------------------------------

def test_it_never_makes_a_model_instance_per_value(world, uneven):
    made = []

    def count_values(sender, **kwargs):
        made.append(sender)

    post_init.connect(count_values, sender=MeasureValue)
    try:
        figures = aggregates.compute_figures(uneven, full=True)
    finally:
        post_init.disconnect(count_values, sender=MeasureValue)
    assert made == []
    assert len(figures.teams) == 3


def test_it_serves_a_second_read_from_the_cache(world, uneven):
    aggregates.measure_figures(uneven, world.advisor)
    with CaptureQueriesContext(connection) as queries:
        aggregates.measure_figures(uneven, world.advisor)
    assert not [q for q in queries.captured_queries if "measurevalue" in q["sql"]]


def test_it_shows_a_saved_value_at_once(client, world, uneven):
    assert page(client, world.advisor, uneven).context["pooled"].values == [40.0, 40.0, 40.0]
    measure_values_record(team=world.team_b, month=START, entered_by=world.member_b,
                          entries=[Entry(uneven, None, Decimal(50), Decimal(50))])
    assert page(client, world.advisor, uneven).context["pooled"].values == [70.0, 40.0, 40.0]


def test_it_shows_a_renamed_team_at_once(client, world, uneven, third):
    page(client, world.advisor, uneven)
    third.name = "Team Renamed"
    third.save()
    labels = [line.label for line in page(client, world.advisor, uneven).context["team_page"]]
    assert "Team Renamed" in labels


def test_it_keeps_leaders_and_others_apart_in_the_cache(client, world, uneven):
    assert page(client, world.advisor, uneven).context["pooled"].values[0] == 40.0
    assert page(client, world.state_viewer, uneven).context["pooled"].values[0] is None


# --- Every team on one screen ---------------------------------------------------------------------

def test_it_puts_teams_with_a_signal_first_and_filters_them(client, world, percent, third):
    fill(world.team_a, percent, [3, 3, 3, 3, 3, 3, 3, 3, 3, 9, 9, 9, 9, 9, 9, 9, 9, 9])
    fill(world.team_b, percent, [5, 4] * 9)
    fill(third, percent, [5, 4] * 9)
    response = page(client, world.advisor, percent)
    assert next(iter(response.context["team_page"])).label == "Team A"
    client.force_login(world.advisor)
    filtered = client.get(percent.get_absolute_url(), {"signal": "1"})
    assert [line.label for line in filtered.context["team_page"]] == ["Team A"]
    named = client.get(percent.get_absolute_url(), {"q": "team c"})
    assert [line.label for line in named.context["team_page"]] == ["Team C"]


def test_it_pages_the_teams_so_the_page_stays_small(client, world, percent):
    for index in range(30):
        fill(TeamFactory(collaborative=world.collaborative, name=f"Program {index:02}"), percent, [5, 4])
    response = page(client, world.advisor, percent)
    assert len(response.context["team_page"].object_list) == 24
    assert response.text.count('class="sparkline"') == 24
    client.force_login(world.advisor)
    second = client.get(percent.get_absolute_url(), {"page": 2})
    assert len(second.context["team_page"].object_list) == 6


def test_it_analyses_again_only_the_team_whose_numbers_changed(world, uneven, third, monkeypatch):
    aggregates.measure_figures(uneven, world.advisor)
    analysed = []
    real = aggregates._team_line
    monkeypatch.setattr(aggregates, "_team_line",
                        lambda measure, months, team, counts, *rest: analysed.append(team) or real(
                            measure, months, team, counts, *rest))
    MeasureValueFactory(team=third, measure=uneven, month=START, numerator=30, denominator=50)
    figures = aggregates.measure_figures(uneven, world.advisor)
    assert analysed == [third.pk]
    assert {line.label: line.values[0] for line in figures.teams}["Team C"] == 60.0


def test_it_keeps_sentences_in_the_readers_language_apart(world, uneven):
    with translation.override("en"):
        english = aggregates._cache_key(uneven, True)
    with translation.override("es"):
        spanish = aggregates._cache_key(uneven, True)
    assert english != spanish
