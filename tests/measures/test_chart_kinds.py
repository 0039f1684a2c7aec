"""The chart a measure is drawn with: rare-event charts (c, g, t) from monthly values, Laney's
p' and u' charts, the switch of a pooled p or u line to p' or u' when its denominators are
large, and the measure form's guide."""

import datetime
import math

import pytest
from django.urls import reverse

from measures import aggregates, charts, series, summaries
from measures.forms import MeasureForm
from measures.models import Measure
from measures.months import add_months
from tests.factories import MeasureFactory, MeasureValueFactory, TeamFactory

START = datetime.date(2026, 1, 1)
WIDENED = "Laney p′ chart: limits widened for the large pooled denominators"


def months(count: int) -> list[datetime.date]:
    return [add_months(START, i) for i in range(count)]


def measure(**fields) -> Measure:
    defaults = {"pk": 1, "name": "Expulsions", "unit": "count", "direction": "down",
                "chart_kind": "c", "denominator_definition": "", "rate_per": 100}
    return Measure(**{**defaults, **fields})


def line(m: Measure, numerators: list, denominators: list | None = None, **kwargs) -> series.Series:
    denominators = denominators or [None] * len(numerators)
    by_month = {month: (float(n), None if d is None else float(d), "") for month, n, d
                in zip(months(len(numerators)), numerators, denominators, strict=True) if n is not None}
    return series.build_series(m, "Team A", months(len(numerators)), by_month, **kwargs)


# --- Rare events from monthly values ---------------------------------------------------------

def test_a_c_chart_measure_charts_its_monthly_counts():
    result = line(measure(), [2, 0, 3, 1, 4, 2, 12, 1, 0, 3])
    upper, lower = result.limits()
    assert result.center == pytest.approx(2.8)
    assert upper[0] == pytest.approx(2.8 + 3 * math.sqrt(2.8))
    assert lower[0] == 0.0
    assert result.signal_indices == {6}


def test_a_g_chart_measure_draws_and_names_the_median_as_its_centre():
    result = line(measure(chart_kind="g"), [10, 25, 3, 40, 7, 15, 60, 2, 30, 300])
    assert result.center == 20.0
    assert result.center_is_median
    figure = charts.run_chart(result)
    assert "Median" in [trace["name"] for trace in figure["data"]]
    assert summaries.summary(result).startswith("1 point outside the control limits")


def test_a_t_chart_measure_with_a_time_of_zero_falls_back_to_a_run_chart():
    result = line(measure(chart_kind="t"), [5, 0, 8, 9])
    assert result.control is None
    assert result.center == pytest.approx(6.5)  # the median


def test_a_t_chart_measure_back_transforms_its_centre():
    days = [5, 12, 30, 8, 20, 45, 3, 15]
    result = line(measure(chart_kind="t"), days)
    assert result.center == pytest.approx((sum(d ** (1 / 3.6) for d in days) / 8) ** 3.6)


def test_a_p_prime_measure_shows_its_laney_limits_in_percent():
    m = measure(chart_kind="pp", unit="percent", denominator_definition="children")
    result = line(m, [1200, 1350, 1100, 1500, 1250, 1400], [10_000] * 6)
    upper, _lower = result.limits()
    assert result.center == pytest.approx(13.0)
    assert upper[0] == pytest.approx(19.383, abs=0.001)  # 100 x (0.13 + 3 · 0.003363 · 6.326)
    names = {trace["name"] for trace in charts.run_chart(result)["data"]}
    assert "Laney p′ limits" in names
    assert summaries.chart_note(result) == ""  # the measure's own kind: nothing was switched


def test_a_u_prime_measure_shows_its_limits_per_rate_unit():
    m = measure(chart_kind="up", unit="rate", denominator_definition="child-days", rate_per=1000)
    result = line(m, [30, 52, 18, 75, 40], [1000, 2000, 800, 2500, 1600])
    assert result.center == pytest.approx(1000 * 215 / 7900)
    assert result.values == pytest.approx([30, 26, 22.5, 30, 25])


# --- The switch of a pooled line --------------------------------------------------------------

@pytest.mark.parametrize(
    ("kind", "denominators", "expected"),
    [
        ("p", [1000, 1000, 1000], "p"),  # on average 1,000: not more than the rule
        ("p", [900, 1200, None, 1000], "pp"),  # 1,033 on average; a month without data not counted
        ("u", [5000, 6000], "up"),
        ("u", [10, 20], "u"),
        ("run", [5000, 6000], "run"),
        ("xmr", [5000, 6000], "xmr"),
    ],
)
def test_a_pooled_line_is_drawn_as_laney_when_its_denominators_average_more_than_1000(
        kind, denominators, expected):
    m = measure(chart_kind=kind, unit="rate" if kind == "u" else "percent", denominator_definition="children")
    assert series.pooled_chart_kind(m, denominators) == expected


def test_a_switched_line_says_so_and_names_its_limits():
    m = measure(chart_kind="p", unit="percent", denominator_definition="children")
    result = line(m, [1200, 1350, 1100, 1500, 1250, 1400, 1300, 1200, 1350, 1250], [10_000] * 10,
                  chart_kind="pp")
    assert result.kind == "pp"
    assert result.widened_for_pooling
    assert summaries.summary(result).endswith(
        f"{WIDENED} (on average more than 1,000 a month).")
    assert "Laney p′ limits" in {trace["name"] for trace in charts.run_chart(result)["data"]}


def test_a_switched_line_stays_laney_when_months_are_hidden():
    m = measure(chart_kind="p", unit="percent", denominator_definition="children")
    result = line(m, [1200, 1350, 1100, 1500, 1250, 1400], [10_000] * 6, chart_kind="pp")
    hidden = series.reanalysed(result, {0: "few_teams"}, limits_shown=False)
    assert hidden.kind == "pp"
    assert hidden.limits() == ([], [])
    assert hidden.center == pytest.approx(100 * 6600 / 50_000)  # pooled over the months left


def test_a_c_chart_line_stays_a_c_chart_when_months_are_hidden():
    result = line(measure(), [12, 20, 15, 30, 18])
    hidden = series.reanalysed(result, {1: "small_count"})
    assert hidden.kind == "c"
    assert hidden.center == pytest.approx(75 / 4)
    upper, _lower = hidden.limits()
    assert upper[0] == pytest.approx(75 / 4 + 3 * math.sqrt(75 / 4))


# --- Collaborative figures --------------------------------------------------------------------

def _fill(teams, measure_, numerator, denominator, count=10):
    for team in teams:
        for index in range(count):
            MeasureValueFactory(team=team, measure=measure_, month=add_months(START, index),
                                numerator=numerator + (index % 3) * 7, denominator=denominator)


@pytest.fixture
def three_teams(world):
    return [world.team_a, world.team_b, TeamFactory(collaborative=world.collaborative, name="Team C")]


@pytest.mark.django_db
def test_large_pooled_denominators_draw_the_collaborative_line_as_p_prime(world, three_teams):
    fidelity = MeasureFactory(collaborative=world.collaborative, name="Welcomed", chart_kind="p")
    _fill(three_teams, fidelity, 200, 400)  # 1,200 a month pooled
    figures = aggregates.measure_figures(fidelity, world.advisor)
    assert figures.collaborative.kind == "pp"
    assert WIDENED in figures.summary
    assert figures.collaborative.limits()[0]  # leaders see the (Laney) limits
    public = aggregates.public_figures(fidelity)
    assert public.collaborative.kind == "pp"
    assert WIDENED in public.summary  # the state dashboard shows this summary
    assert public.collaborative.limits() == ([], [])  # limits would reveal the denominators
    assert {line.summary.count(WIDENED) for line in figures.teams} == {0}  # teams keep their p chart


@pytest.mark.django_db
def test_small_pooled_denominators_keep_the_p_chart(world, three_teams):
    fidelity = MeasureFactory(collaborative=world.collaborative, name="Welcomed", chart_kind="p")
    _fill(three_teams, fidelity, 100, 300)  # 900 a month pooled
    figures = aggregates.measure_figures(fidelity, world.advisor)
    assert figures.collaborative.kind == "p"
    assert WIDENED not in figures.summary


@pytest.mark.django_db
def test_the_measure_page_says_the_collaborative_line_is_laney(client, world, three_teams):
    fidelity = MeasureFactory(collaborative=world.collaborative, name="Welcomed", chart_kind="p")
    _fill(three_teams, fidelity, 200, 400)
    client.force_login(world.state_viewer)
    assert WIDENED in client.get(fidelity.get_absolute_url()).text


@pytest.mark.django_db
def test_a_c_chart_measure_adds_the_teams_counts_and_hides_small_totals(world, three_teams):
    expulsions = MeasureFactory(collaborative=world.collaborative, name="Expulsions", unit="count",
                                denominator_definition="", chart_kind="c", direction="down")
    for index, counts in enumerate([(4, 5, 6), (1, 2, 3), (5, 5, 5)]):
        for team, count in zip(three_teams, counts, strict=True):
            MeasureValueFactory(team=team, measure=expulsions, month=add_months(START, index),
                                numerator=count, denominator=None)
    assert aggregates.aggregate_kind(expulsions) == aggregates.TOTAL
    full = aggregates.measure_figures(expulsions, world.advisor).collaborative
    assert full.values == [15, 6, 15]
    assert full.center == pytest.approx(12)
    public = aggregates.public_figures(expulsions).collaborative
    assert public.values == [15, None, 15]  # a total of 6 is a small count
    assert public.kind == "c"
    assert public.limits()[0] == pytest.approx([15 + 3 * math.sqrt(15), None, 15 + 3 * math.sqrt(15)])


@pytest.mark.django_db
def test_g_and_t_measures_take_the_median_of_the_teams(world):
    for kind in ("g", "t"):
        days = MeasureFactory(collaborative=world.collaborative, unit="count", denominator_definition="",
                              chart_kind=kind, direction="up")
        assert aggregates.aggregate_kind(days) == aggregates.MEDIAN


# --- The measure form -----------------------------------------------------------------------

def _form_data(**changes) -> dict:
    data = {"name": "Expulsions", "type": "outcome",
            "operational_definition": "Children expelled this month.",
            "numerator_definition": "Expulsions", "denominator_definition": "",
            "unit": "count", "rate_per": 100, "direction": "down", "chart_kind": "c",
            "order": 0, "baseline_length": "", "goal": "", "stratification": "",
            "strata": "", "reference": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("kind", ["c", "g", "t"])
def test_the_form_takes_a_rare_event_chart_of_a_plain_count(kind):
    assert MeasureForm(_form_data(chart_kind=kind)).is_valid()


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"chart_kind": "c", "unit": "percent"}, "chart_kind", "chart_unit_mismatch"),
        ({"chart_kind": "g", "denominator_definition": "Children"}, "denominator_definition",
         "denominator_not_used"),
        ({"chart_kind": "pp", "unit": "rate", "denominator_definition": "Children"}, "chart_kind",
         "chart_unit_mismatch"),
        ({"chart_kind": "up", "unit": "rate"}, "denominator_definition", "denominator_required"),
    ],
)
def test_the_form_refuses_a_chart_that_does_not_fit_the_data(changes, field, code):
    form = MeasureForm(_form_data(**changes))
    assert not form.is_valid()
    assert form.has_error(field, code)


def test_the_form_takes_a_laney_chart_with_its_unit_and_denominator():
    data = _form_data(chart_kind="pp", unit="percent", denominator_definition="Children")
    assert MeasureForm(data).is_valid()


@pytest.mark.django_db
def test_the_measure_form_page_says_which_chart_suits_which_data(client, world):
    client.force_login(world.advisor)
    html = client.get(reverse("measures:create", args=[world.collaborative.pk])).text
    assert "Which chart suits your data?" in html
    assert "more than 1,000 a month" in html
    assert "c chart (counts of rare events)" in html  # the choice, in plain words


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "unit", "denominator", "numbers"), [
    ("c", "count", "", [3, 0, 12, 4, 5, 2]),
    ("g", "count", "", [30, 12, 45, 60, 8, 25]),
    ("t", "count", "", [30, 0, 45, 60, 8, 25]),  # a 0 leaves the t chart a run chart
    ("pp", "percent", "Children", [20, 25, 22, 30, 18, 24]),
    ("up", "rate", "Child-days", [20, 25, 22, 30, 18, 24]),
])
def test_every_page_and_the_api_draw_the_new_kinds(client, world, three_teams, kind, unit, denominator,
                                                    numbers):
    m = MeasureFactory(collaborative=world.collaborative, unit=unit, denominator_definition=denominator,
                       chart_kind=kind)
    for team in three_teams:
        for index, number in enumerate(numbers):
            MeasureValueFactory(team=team, measure=m, month=add_months(START, index), numerator=number,
                                denominator=100 if denominator else None)
    for user in (world.advisor, world.state_viewer, world.member_a):
        client.force_login(user)
        assert client.get(m.get_absolute_url()).status_code == 200
        body = client.get(f"/api/v1/measures/{m.pk}/chart-data/").json()
        assert body["measure"]["chart_kind"] == kind
        assert body["summary"]
    client.force_login(world.member_a)
    assert client.get(reverse("reports:team-charts", args=[world.team_a.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"chart_kind": "c", "unit": "percent"}, "chart_kind", "chart_unit_mismatch"),
        ({"chart_kind": "t", "unit": "count", "denominator_definition": "Days"},
         "denominator_definition", "denominator_not_used"),
        ({"chart_kind": "pp", "unit": "rate", "denominator_definition": "Children"}, "chart_kind",
         "chart_unit_mismatch"),
        ({"chart_kind": "up", "unit": "rate", "denominator_definition": ""},
         "denominator_definition", "denominator_required"),
    ],
)
def test_the_service_refuses_what_the_form_refuses_and_saves_nothing(world, changes, field, code):
    # The API saves through measure_save, not the form.
    from django.core.exceptions import ValidationError

    from measures.services import measure_save

    measure = Measure(collaborative=world.collaborative)
    fields = {"name": "Expulsions", "type": "outcome", "unit": "count", "chart_kind": "run",
              "direction": "down", "operational_definition": "Children expelled",
              "numerator_definition": "Expulsions", "denominator_definition": "", **changes}
    with pytest.raises(ValidationError) as refused:
        measure_save(measure=measure, **fields)
    assert [error.code for error in refused.value.error_dict[field]] == [code]
    assert not Measure.objects.filter(name="Expulsions").exists()
