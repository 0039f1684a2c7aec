"""The static SVG run chart (the monthly report's PDF): what it draws, and that it is safe to
put in a page."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

from measures import series
from measures.models import Measure
from measures.months import add_months
from measures.svg_charts import run_chart_svg

START = datetime.date(2025, 1, 1)
SVG = "{http://www.w3.org/2000/svg}"
ORANGE = "#b45309"


def measure(**fields) -> Measure:
    defaults = {"pk": 1, "name": "Fidelity", "unit": "percent", "direction": "up",
                "chart_kind": "run", "denominator_definition": "classrooms", "rate_per": 100}
    return Measure(**{**defaults, **fields})


def line(m: Measure, numerators: list, label: str = "Team A") -> series.Series:
    months = [add_months(START, i) for i in range(len(numerators))]
    by_month = {month: (float(n), 10.0, "") for month, n in zip(months, numerators, strict=True)
                if n is not None}
    return series.build_series(m, label, months, by_month)


def drawn(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # also proves the markup is well-formed XML


def texts(svg: str) -> list[str]:
    return [node.text for node in drawn(svg).iter(f"{SVG}text")]


def by_class(svg: str, tag: str, name: str) -> list[ET.Element]:
    return [node for node in drawn(svg).iter(f"{SVG}{tag}") if name in node.get("class", "").split()]


SHIFT = [2, 3, 2, 3, 2, 3, 2, 3, 6, 7, 6, 7, 8, 7]  # the last six points above the median


def test_it_escapes_the_measure_name_everywhere():
    svg = run_chart_svg(line(measure(name="<script>alert(1)</script> & co"), [3, 4, 5]))
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg
    assert drawn(svg).find(f"{SVG}title").text == "<script>alert(1)</script> & co"


def test_it_escapes_the_team_name_in_the_legend():
    svg = run_chart_svg(line(measure(), [3, 4, 5], label='Team "A" <b>'))
    assert "<b>" not in svg
    assert 'Team "A" <b>' in texts(svg)


def test_it_shortens_a_long_team_name_to_keep_the_legend_on_the_chart():
    svg = run_chart_svg(line(measure(), SHIFT, label="Sunrise Early Learning Center of Greater Raleigh"))
    assert "Sunrise Early Learning Center of Greate…" in texts(svg)


def test_it_uses_no_inline_style():
    svg = run_chart_svg(line(measure(chart_kind="p", goal=Decimal("80"), baseline_length=6), SHIFT))
    assert "style" not in svg


def test_it_carries_a_text_alternative():
    svg = drawn(run_chart_svg(line(measure(goal=Decimal("80")), SHIFT)))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "run-chart-1-title run-chart-1-desc"
    desc = svg.find(f"{SVG}desc").text
    assert "a shift — non-random improvement" in desc
    assert "Latest value, February 2026: 70%." in desc
    assert "Goal: 80%." in desc


def test_it_leaves_a_gap_for_a_missing_month():
    svg = run_chart_svg(line(measure(), [3, None, 5, 6]))
    path = by_class(svg, "path", "run-chart-line")[0].get("d")
    assert path.count("M") == 2
    assert path.count("L") == 1
    assert len(by_class(svg, "circle", "run-chart-point")) == 3


def test_it_marks_signal_points_by_shape_and_colour():
    svg = run_chart_svg(line(measure(), SHIFT))
    signals = by_class(svg, "polygon", "run-chart-signal")
    assert len(signals) == 6
    assert {node.get("fill") for node in signals} == {ORANGE}
    assert len(by_class(svg, "circle", "run-chart-point")) == len(SHIFT) - 6
    assert "Shift, trend or outside a limit" in texts(svg)


def test_it_shows_no_signal_marker_when_there_is_none():
    svg = run_chart_svg(line(measure(), [3, 5, 4, 6, 3, 5]))
    assert by_class(svg, "polygon", "run-chart-signal") == []
    assert "Shift, trend or outside a limit" not in texts(svg)


def test_it_draws_and_names_the_goal():
    svg = run_chart_svg(line(measure(goal=Decimal("80")), [3, 4, 5]))
    assert len(by_class(svg, "line", "run-chart-goal")) == 1
    assert "Goal 80%" in texts(svg)


def test_it_draws_no_goal_without_one():
    svg = run_chart_svg(line(measure(), [3, 4, 5]))
    assert by_class(svg, "line", "run-chart-goal") == []


def test_it_draws_control_limits_for_a_control_chart():
    svg = run_chart_svg(line(measure(chart_kind="p"), SHIFT))
    assert len(by_class(svg, "path", "run-chart-limit")) == 2
    assert any(text.startswith("Upper limit") for text in texts(svg))
    assert "Centre 44%" in texts(svg)  # the mean proportion, not the median


def test_it_draws_no_limits_on_a_run_chart():
    svg = run_chart_svg(line(measure(), SHIFT))
    assert by_class(svg, "path", "run-chart-limit") == []
    assert "Median 30%" in texts(svg)


def test_it_dashes_the_centre_line_past_the_baseline():
    svg = run_chart_svg(line(measure(baseline_length=8), SHIFT))
    assert len(by_class(svg, "line", "run-chart-centre")) == 1
    assert by_class(svg, "line", "run-chart-centre-extended")[0].get("stroke-dasharray")
    assert "Centre line extended past the baseline" in texts(svg)


def test_it_names_each_month_and_the_year():
    labels = texts(run_chart_svg(line(measure(), [3, 4, 5, 6, 5, 4])))
    assert [label for label in labels if label in {"Jan", "Feb", "Mar", "Apr", "May", "Jun"}] == [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun"]
    assert "2025" in labels


def test_it_names_fewer_months_when_a_name_a_month_would_crowd():
    labels = texts(run_chart_svg(line(measure(), [3, 4] * 15)))  # January 2025 to June 2027
    assert "Jan" in labels
    assert "Feb" not in labels
    assert {"2025", "2026", "2027"} <= set(labels)


def test_it_labels_the_value_axis_in_the_measures_unit():
    labels = texts(run_chart_svg(line(measure(), [3, 4, 5])))
    assert "Percent" in labels
    assert {"0%", "50%"} <= set(labels)


def test_it_says_when_there_is_no_data():
    svg = run_chart_svg(line(measure(), [None, None]))
    assert "No data yet" in texts(svg)
    assert by_class(svg, "path", "run-chart-line") == []


def test_it_can_leave_the_title_to_a_heading_above():
    svg = run_chart_svg(line(measure(name="Fidelity"), [3, 4, 5]), show_title=False)
    assert "Fidelity" not in texts(svg)
    assert drawn(svg).find(f"{SVG}title").text == "Fidelity"
