"""Series, summaries, small-cell suppression and the Plotly figures built from them."""

import datetime
from decimal import Decimal

import pytest

from measures import charts, series
from measures.models import Measure, MeasureValue, Stratum
from measures.months import add_months

START = datetime.date(2025, 1, 1)


def months(count: int) -> list[datetime.date]:
    return [add_months(START, i) for i in range(count)]


def measure(**fields) -> Measure:
    defaults = {"pk": 1, "name": "Fidelity", "unit": "percent", "direction": "up",
                "chart_kind": "run", "denominator_definition": "classrooms", "rate_per": 100}
    return Measure(**{**defaults, **fields})


def line(m: Measure, numerators: list, denominators: list | None = None, label="Team A"):
    denominators = denominators or [10] * len(numerators)
    by_month = {month: (Decimal(n), Decimal(d), "") for month, n, d
                in zip(months(len(numerators)), numerators, denominators, strict=True) if n is not None}
    return series.build_series(m, label, months(len(numerators)), by_month)


def test_it_summarises_a_shift_in_the_direction_of_improvement():
    result = line(measure(), [2, 3, 2, 3, 2, 3, 2, 3, 6, 7, 6, 7, 8, 7])
    assert series.summary(result) == ("6 points above the median from September 2025 to "
                                      "February 2026: a shift — non-random improvement.")


def test_it_calls_a_rise_of_a_lower_is_better_measure_the_wrong_direction():
    result = line(measure(direction="down"), [2, 3, 2, 3, 2, 3, 2, 3, 6, 7, 6, 7, 8, 7])
    assert series.summary(result).endswith("non-random change in the wrong direction.")


def test_it_summarises_a_trend():
    result = line(measure(), [5, 4, 5, 4, 5, 4, 1, 2, 3, 4, 5, 6])
    assert "a trend" in series.summary(result)
    assert "rising" in series.summary(result)


def test_it_says_when_there_is_too_little_data():
    assert "at least 10 are needed" in series.summary(line(measure(), [1, 2, 3]))


def test_it_says_when_there_is_no_signal():
    result = line(measure(), [3, 5, 4, 6, 3, 5, 4, 6, 3, 5, 4, 6])
    assert series.summary(result).startswith("No signal yet")


def test_it_keeps_missing_months_as_gaps():
    result = line(measure(), [3, None, 5])
    assert result.values == [30.0, None, 50.0]


def test_it_scales_p_chart_limits_to_percent():
    result = line(measure(chart_kind="p"), [3, 4, 5, 4, 3, 4, 5, 4, 3, 4])
    upper, lower = result.limits()
    assert result.center == pytest.approx(39.0)
    assert upper[0] == pytest.approx(100 * (0.39 + 3 * (0.39 * 0.61 / 10) ** 0.5))
    assert lower[0] == 0.0  # 39% - 46 points, clipped at 0


def test_it_pools_numerators_and_denominators_for_the_collaborative():
    m = measure(chart_kind="p")
    values = [MeasureValue(team_id=1, month=START, numerator=Decimal(1), denominator=Decimal(4)),
              MeasureValue(team_id=2, month=START, numerator=Decimal(3), denominator=Decimal(4))]
    for value in values:
        value.measure = m
    pooled = series.collaborative_series(m, values)
    assert pooled.values == [50.0]
    assert pooled.extra["team_count"] == 2


def test_it_takes_the_median_of_team_values_for_a_run_chart_measure():
    m = measure(unit="count", denominator_definition="")
    values = [MeasureValue(team_id=t, month=START, numerator=Decimal(n)) for t, n in ((1, 2), (2, 9), (3, 4))]
    for value in values:
        value.measure = m
    assert series.collaborative_series(m, values).values == [4.0]


@pytest.mark.parametrize(("counts", "hidden"), [
    ({"A": 12, "B": 30}, set()),
    ({"A": 3, "B": 30, "C": 15}, {"A", "C"}),  # one small cell: the next smallest goes too
    ({"A": 3, "B": 4, "C": 40}, {"A", "B"}),
    ({"A": 0, "B": 30}, set()),  # zero is not a small cell
    ({"A": 5, "B": None}, {"A"}),
])
def test_it_suppresses_small_cells_so_totals_do_not_reveal_them(counts, hidden):
    kept = series.suppress_small_cells(counts)
    assert {label for label, count in kept.items() if count is None and counts[label] is not None} == hidden


def test_it_escapes_typed_text_everywhere_it_reaches_a_chart():
    m = measure(name="<b>Fidelity</b>", goal=Decimal(80))
    result = line(m, [3, 4], label="<img src=x onerror=alert(1)>")
    result.points[0] = series.Point(result.points[0].month, Decimal(3), Decimal(10), 30.0,
                                    note="<script>x</script>")
    marker = charts.Annotation(START, "<i>LS1</i>", "<a href=x>hover</a>")
    figure = charts.run_chart(result, title="<b>title</b>", annotations=[marker])
    text = repr(figure)
    for raw in ("<img", "<script>", "<a href", "<i>", "<b>"):
        assert raw not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_it_highlights_signal_points_in_their_own_legend_entry():
    figure = charts.run_chart(line(measure(), [2, 3, 2, 3, 2, 3, 2, 3, 6, 7, 6, 7, 8, 7]))
    signal = next(trace for trace in figure["data"] if trace["name"].startswith("Part of a shift"))
    assert signal["marker"]["symbol"] == "diamond"
    assert len(signal["x"]) >= 6


def test_it_draws_the_baseline_median_solid_then_dashed():
    figure = charts.run_chart(line(measure(baseline_length=4), [2, 3, 2, 3, 5, 6, 5, 6]))
    names = [trace["name"] for trace in figure["data"]]
    assert "Median (baseline)" in names
    assert "Median, extended" in names
    extended = figure["data"][names.index("Median, extended")]
    assert extended["line"]["dash"] == "dash"


def test_it_draws_the_goal_and_drops_markers_outside_the_data():
    result = line(measure(goal=Decimal(80)), [3, 4, 5])
    inside = charts.Annotation(months(3)[1], "LS1", "Learning session 1")
    outside = charts.Annotation(add_months(START, 12), "LS3", "Learning session 3")
    figure = charts.run_chart(result, annotations=[inside, outside])
    goal = next(trace for trace in figure["data"] if trace["name"] == "Goal")
    sessions = next(trace for trace in figure["data"] if trace["name"] == "Learning session")
    assert goal["y"] == [80.0, 80.0]
    assert sessions["text"] == ["LS1"]
    assert len(figure["layout"]["shapes"]) == 1


def test_it_draws_one_line_per_group():
    m = measure(stratification="Home language")
    strata = [line(m, [1, 2], label="English"), line(m, [2, 3], label="Spanish")]
    for item, label in zip(strata, ("English", "Spanish"), strict=True):
        item.stratum = Stratum(label=label)
    figure = charts.strata_chart(strata, title="By home language")
    assert [trace["name"] for trace in figure["data"]] == ["English", "Spanish"]
    assert figure["data"][0]["marker"]["symbol"] != figure["data"][1]["marker"]["symbol"]
