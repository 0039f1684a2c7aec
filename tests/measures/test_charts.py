"""Series, summaries, the small-cell rules and the figures built from them."""

import datetime
from decimal import Decimal

import pytest

from measures import charts, privacy, series, sparklines, summaries
from measures.models import Measure, Stratum
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
    by_month = {month: (float(n), float(d), "") for month, n, d
                in zip(months(len(numerators)), numerators, denominators, strict=True) if n is not None}
    return series.build_series(m, label, months(len(numerators)), by_month)


def test_it_summarises_a_shift_in_the_direction_of_improvement():
    result = line(measure(), [2, 3, 2, 3, 2, 3, 2, 3, 6, 7, 6, 7, 8, 7])
    assert summaries.summary(result) == ("6 points above the median from September 2025 to "
                                      "February 2026: a shift — non-random improvement.")


def test_it_calls_a_rise_of_a_lower_is_better_measure_the_wrong_direction():
    result = line(measure(direction="down"), [2, 3, 2, 3, 2, 3, 2, 3, 6, 7, 6, 7, 8, 7])
    assert summaries.summary(result).endswith("non-random change in the wrong direction.")


def test_it_summarises_a_trend():
    result = line(measure(), [5, 4, 5, 4, 5, 4, 1, 2, 3, 4, 5, 6])
    assert "a trend" in summaries.summary(result)
    assert "rising" in summaries.summary(result)


def test_it_says_when_there_is_too_little_data():
    assert "at least 10 are needed" in summaries.summary(line(measure(), [1, 2, 3]))


def test_it_says_when_there_is_no_signal():
    result = line(measure(), [3, 5, 4, 6, 3, 5, 4, 6, 3, 5, 4, 6])
    assert summaries.summary(result).startswith("No signal yet")


def test_it_keeps_missing_months_as_gaps():
    result = line(measure(), [3, None, 5])
    assert result.values == [30.0, None, 50.0]


def test_it_scales_p_chart_limits_to_percent():
    result = line(measure(chart_kind="p"), [3, 4, 5, 4, 3, 4, 5, 4, 3, 4])
    upper, lower = result.limits()
    assert result.center == pytest.approx(39.0)
    assert upper[0] == pytest.approx(100 * (0.39 + 3 * (0.39 * 0.61 / 10) ** 0.5))
    assert lower[0] == 0.0  # 39% - 46 points, clipped at 0


@pytest.mark.parametrize(("counts", "hidden"), [
    ({"A": 12, "B": 30}, set()),
    ({"A": 3, "B": 30, "C": 15}, {"A", "C"}),  # one small cell: the next smallest goes too
    ({"A": 3, "B": 4, "C": 40}, {"A", "B"}),
    ({"A": 0, "B": 30}, set()),  # zero is not a small cell
    ({"A": 5, "B": None}, {"A"}),
    # Not the zero beside it: hidden 5 and 0 would add up to the small count.
    ({"A": 5, "B": 0, "C": 40}, {"A", "C"}),
])
def test_it_suppresses_small_cells_so_totals_do_not_reveal_them(counts, hidden):
    cells = {label: privacy.Cell(count, 100.0, 5) for label, count in counts.items()}
    reasons = privacy.group_reasons(cells, min_teams=3)
    assert {label for label, reason in reasons.items() if reason} == hidden


def test_it_hides_a_figure_fewer_than_the_minimum_of_teams_contributed_to():
    assert privacy.cell_reason(privacy.Cell(50.0, 100.0, 2), min_teams=3) == privacy.FEW_TEAMS
    assert privacy.cell_reason(privacy.Cell(50.0, 100.0, 3), min_teams=3) is None


def test_it_hides_a_small_denominator_too():
    assert privacy.cell_reason(privacy.Cell(0.0, 7.0, 4), min_teams=3) == privacy.SMALL_COUNT


def test_it_escapes_typed_text_everywhere_it_reaches_a_chart():
    m = measure(name="<b>Fidelity</b>", goal=Decimal(80))
    result = line(m, [3, 4], label="<img src=x onerror=alert(1)>")
    result.points[0] = series.Point(result.points[0].month, 3.0, 10.0, 30.0, note="<script>x</script>")
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


def test_it_splits_the_baseline_at_the_month_of_the_last_baseline_point():
    # Baseline of 4 with February and March missing: January, April, May and June set the
    # median, so the solid line runs to June (index 5), not to April (index 3).
    result = line(measure(baseline_length=4), [2, None, None, 3, 2, 3, 5, 6, 5, 6])
    figure = charts.run_chart(result)
    baseline = next(trace for trace in figure["data"] if trace["name"] == "Median (baseline)")
    assert baseline["x"][-1] == months(10)[5].isoformat()
    assert result.center == 25.0  # percent: 2, 3, 2 and 3 of 10


def test_it_draws_no_baseline_split_when_the_baseline_is_every_point():
    figure = charts.run_chart(line(measure(baseline_length=12), [2, 3, 2, 3]))
    assert [t["name"] for t in figure["data"] if t["name"].startswith("Median")] == ["Median"]


def test_it_treats_a_baseline_of_zero_as_every_month_instead_of_failing():
    result = line(measure(baseline_length=0, chart_kind="p"), [2, 3, 2, 3, 5, 6])
    assert result.center == pytest.approx(35.0)
    assert charts.run_chart(result)["data"]


def test_it_draws_a_sparkline_with_gaps_and_signal_points():
    result = line(measure(), [2, 3, 2, 3, 2, 3, 2, 3, None, 7, 6, 7, 8, 7, 8])
    svg = str(sparklines.sparkline(result))
    assert svg.count(" M") + svg.count('"M') == 2  # the missing month breaks the line
    assert svg.count('class="spark-signal"') == len(result.signal_indices - {8})
    assert 'aria-hidden="true"' in svg


def test_it_gives_every_series_a_making_data_count_status():
    result = line(measure(goal=Decimal(90)), [2, 3, 2, 3, 2, 3, 2, 3, 6, 7, 6, 7, 8, 7])
    assert result.status.variation_icon == "improvement_high"
    words = summaries.status_words(result)
    assert words["variation"] == "Special cause: improvement (higher)"
    assert words["assurance"] == "Will consistently miss the goal"
