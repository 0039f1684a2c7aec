"""The aggregate layer's figures for dashboards: funnel plots, the share of teams improving,
and tables of counts — complete for those who lead, under the small-cell rules for others."""

import datetime
import math

import pytest

from measures import aggregates
from measures.models import Measure
from tests.factories import MeasureFactory, MeasureValueFactory, TeamFactory

pytestmark = pytest.mark.django_db
MONTH = datetime.date(2026, 5, 1)


@pytest.fixture
def measure(world):
    return MeasureFactory(collaborative=world.collaborative, name="Fidelity", unit="percent", chart_kind="p",
                          type=Measure.Type.OUTCOME)


def teams_with(world, rows):
    """One team per row, named Team 00, Team 01…"""
    return [TeamFactory(collaborative=world.collaborative, name=f"Team {index:02}")
            for index in range(len(rows))]


def value(team, measure, numerator, denominator, month=MONTH):
    MeasureValueFactory(team=team, measure=measure, month=month, numerator=numerator, denominator=denominator)


# --- count_table ----------------------------------------------------------------------------

def test_it_hides_counts_from_1_to_9_and_a_complement_in_the_row():
    table = aggregates.count_table({"q1": {"adopt": 4, "adapt": 30, "abandon": 12, "total": 46}}, full=False)
    row = table["q1"]
    assert row["adopt"].value is None
    assert row["adopt"].hidden
    # 46 - 30 - 12 would give the 4 back: the next smallest goes with it.
    assert row["abandon"].value is None
    assert row["abandon"].hidden
    assert row["adapt"].value == 30
    assert row["total"].value == 46


def test_it_shows_zero_and_hides_a_small_total():
    row = aggregates.count_table({"q": {"adopt": 0, "adapt": 3, "abandon": 4, "total": 7}},
                                 full=False)["q"]
    assert row["adopt"].value == 0  # two small cells already hide each other; 0 hides nothing
    assert row["total"].value is None
    assert (row["adapt"].value, row["abandon"].value) == (None, None)


def test_it_never_takes_a_zero_as_the_complement():
    row = aggregates.count_table({"q": {"adopt": 40, "adapt": 0, "abandon": 2, "total": 42}},
                                 full=False)["q"]
    # Hiding the 0 with the 2 would leave 42 - 40 = 2 for the two of them.
    assert (row["abandon"].value, row["adapt"].value, row["adopt"].value) == (None, 0, None)
    assert row["total"].value == 42


def test_it_shows_every_count_to_those_who_lead():
    row = aggregates.count_table({"q": {"adopt": 4, "total": 4}}, full=True)["q"]
    assert (row["adopt"].value, row["total"].value) == (4, 4)


def test_it_shows_a_mean_only_over_enough_people():
    assert not aggregates.mean_shown(9, full=False)
    assert aggregates.mean_shown(10, full=False)
    assert aggregates.mean_shown(2, full=True)


# --- Funnel plot ----------------------------------------------------------------------------

def test_it_draws_each_team_against_the_pooled_rate_with_binomial_limits(world, measure):
    rows = [(20, 100), (45, 100), (30, 60), (10, 40)]
    for team, (numerator, denominator) in zip(teams_with(world, rows), rows, strict=True):
        value(team, measure, numerator, denominator)
    funnel = aggregates.compute_figures(measure, full=True).funnel
    pooled = 105 / 300
    assert funnel.month == MONTH
    assert funnel.centre == pytest.approx(100 * pooled)
    # At n = 100 the 99.8% limits are p ± 3.09 sqrt(p(1-p)/100).
    at_100 = next(row for row in funnel.limits if row[0] == 100)
    width = 3.090232 * math.sqrt(pooled * (1 - pooled) / 100)
    assert at_100[1] == pytest.approx(100 * (pooled - width))
    assert at_100[4] == pytest.approx(100 * (pooled + width))
    by_value = {round(point.value): point for point in funnel.points}
    assert by_value[20].outside == "worse"  # 20% at n=100: below 35% - 14.7
    assert by_value[45].outside == ""  # inside
    assert {point.label for point in funnel.points} == {"Team 00", "Team 01", "Team 02", "Team 03"}
    assert "0 better, 1 worse" in funnel.summary


def test_it_leaves_off_small_counts_and_names_nobody_for_others(world, measure):
    rows = [(20, 100), (45, 100), (30, 60), (5, 40)]
    for team, (numerator, denominator) in zip(teams_with(world, rows), rows, strict=True):
        value(team, measure, numerator, denominator)
    funnel = aggregates.compute_figures(measure, full=False).funnel
    assert len(funnel.points) == 3
    assert funnel.hidden == 1
    assert all(point.label == "" and point.team_id is None for point in funnel.points)
    assert all(point.value != pytest.approx(12.5) for point in funnel.points)
    assert "1 team is left off" in funnel.summary


def test_it_draws_no_funnel_for_others_when_too_few_teams_remain(world, measure):
    rows = [(20, 100), (5, 100), (3, 60)]
    for team, (numerator, denominator) in zip(teams_with(world, rows), rows, strict=True):
        value(team, measure, numerator, denominator)
    assert aggregates.compute_figures(measure, full=False).funnel is None
    assert aggregates.compute_figures(measure, full=True).funnel is not None


def test_it_uses_the_latest_month_enough_teams_reported(world, measure):
    teams = teams_with(world, [(0, 0)] * 3)
    for team in teams:
        value(team, measure, 20, 50)
    value(teams[0], measure, 25, 50, month=datetime.date(2026, 6, 1))  # one team only
    assert aggregates.compute_figures(measure, full=True).funnel.month == MONTH


def test_it_has_no_funnel_for_a_count(world):
    count = MeasureFactory(collaborative=world.collaborative, unit="count", denominator_definition="",
                           chart_kind="run")
    for team in teams_with(world, [(0, 0)] * 3):
        MeasureValueFactory(team=team, measure=count, month=MONTH, numerator=12, denominator=None)
    assert aggregates.compute_figures(count, full=True).funnel is None


# --- Teams improving ------------------------------------------------------------------------

def test_it_counts_teams_whose_own_line_shows_improvement(world, measure):
    teams = teams_with(world, [(0, 0)] * 3)
    start = datetime.date(2025, 1, 1)
    from measures.months import add_months
    for month in range(20):
        rising = 10 + (month >= 10) * 30  # a clear step up after ten months
        value(teams[0], measure, rising, 100, month=add_months(start, month))
        value(teams[1], measure, 20 + month % 3, 100, month=add_months(start, month))
        value(teams[2], measure, 20 + (month * 7) % 5, 100, month=add_months(start, month))
    improving = aggregates.compute_figures(measure, full=False).improving
    assert (improving.teams, improving.of) == (1, 3)


def test_it_does_not_say_how_many_improve_among_too_few_teams(world, measure):
    value(world.team_a, measure, 20, 100)
    value(world.team_b, measure, 20, 100)
    assert aggregates.compute_figures(measure, full=False).improving is None
    assert aggregates.compute_figures(measure, full=True).improving.of == 2


def test_it_pools_the_centre_over_the_teams_drawn_for_others(world, measure):
    rows = [(20, 100), (45, 100), (30, 60), (4, 40)]
    for team, (numerator, denominator) in zip(teams_with(world, rows), rows, strict=True):
        value(team, measure, numerator, denominator)
    assert aggregates.compute_figures(measure, full=False).funnel.centre == pytest.approx(100 * 95 / 260)
    assert aggregates.compute_figures(measure, full=True).funnel.centre == pytest.approx(100 * 99 / 300)
