"""The server-drawn SVG of any Plotly figure dict (measures.figure_svg): every figure builder's
output draws, text is escaped once, gaps break lines, bars, shapes and annotations show."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils.html import escape

from measures import charts, series
from measures.figure_svg import figure_svg
from measures.models import Measure
from measures.months import add_months
from pdsa import leadership
from reports.charts import score_chart

START = datetime.date(2025, 1, 1)
SVG = "{http://www.w3.org/2000/svg}"


def measure(**fields) -> Measure:
    defaults = {"pk": 1, "name": "Fidelity", "unit": "percent", "direction": "up",
                "chart_kind": "run", "denominator_definition": "classrooms", "rate_per": 100,
                "goal": Decimal("80")}
    return Measure(**{**defaults, **fields})


def line(m: Measure, numerators: list, label: str = "Team A") -> series.Series:
    months = [add_months(START, i) for i in range(len(numerators))]
    by_month = {month: (float(n), 10.0, "") for month, n in zip(months, numerators, strict=True)
                if n is not None}
    return series.build_series(m, label, months, by_month)


def drawings(html: str) -> list[ET.Element]:
    """Each <svg> of the output, parsed (which also proves it well-formed XML)."""
    svgs = re.findall(r"<svg xmlns.*?</svg>", html, flags=re.S)
    return [ET.fromstring(svg) for svg in svgs]


def texts(html: str) -> list[str]:
    return [node.text for svg in drawings(html) for node in svg.iter(f"{SVG}text")]


SHIFT = [2, 3, 2, 3, 2, 3, 2, 3, 6, 7, 6, 7, 8, 7]


def test_it_draws_a_run_chart_with_its_markers_for_phone_and_wide_screens():
    annotations = [charts.Annotation(add_months(START, 2), "LS1", "Learning session 1"),
                   charts.Annotation(add_months(START, 5), "Cycle", "Adopted", kind="pdsa")]
    html = figure_svg(charts.run_chart(line(measure(), SHIFT), annotations=annotations),
                      title_id="c1-summary")
    narrow, wide = drawings(html)
    assert "chart-svg-narrow" in narrow.get("class")
    assert "chart-svg-wide" in wide.get("class")
    for svg in (narrow, wide):
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == "c1-summary"
        assert svg.get("width") == "100%"
        assert svg.get("viewBox").startswith("0 0 ")
    assert "LS1" in texts(html)
    assert "Percent" in texts(html)
    assert any(label and label.endswith("%") for label in texts(html))
    # The legend is a list under the drawings, with the goal and the signal points in it.
    legend = html[html.index('<ul class="chart-legend'):]
    assert "Goal" in legend
    assert "Median" in legend
    assert "Learning session" in legend


def test_it_thins_the_month_labels_on_a_phone():
    html = figure_svg(charts.run_chart(line(measure(), [5] * 24)), title_id="s")
    narrow, wide = drawings(html)
    months = re.compile(r"[A-Z][a-z]{2} \d{4}")

    def count(svg: ET.Element) -> int:
        return sum(1 for node in svg.iter(f"{SVG}text") if months.fullmatch(node.text or ""))

    assert 0 < count(narrow) <= 4 < count(wide) <= 12


def test_it_breaks_the_line_at_a_missing_month():
    figure = {"data": [{"type": "scatter", "mode": "lines", "name": "A",
                        "x": ["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"],
                        "y": [1, 2, None, 4]}], "layout": {}}
    svg = drawings(figure_svg(figure, title_id="s"))[0]
    path = next(node for node in svg.iter(f"{SVG}path") if node.get("fill") == "none"
                and node.get("stroke") == "#1f5f8b")
    assert path.get("d").count("M") == 2
    assert path.get("d").count("L") == 1


def test_it_escapes_text_once_and_never_lets_markup_through():
    hostile = '<script>alert(1)</script> & "co"'
    ours = charts.run_chart(line(measure(), [3, 4, 5], label=hostile), title=hostile)
    ours["layout"]["annotations"] = [{"x": "2025-02-01", "y": 4, "text": escape(hostile),
                                      "showarrow": False}]
    html = figure_svg(ours, title_id='x" onload="alert(1)')
    assert "<script>" not in html
    assert 'onload="' not in html
    # The builders escape for plotly; drawn here it reads as typed, not as &amp;lt;.
    assert "&amp;lt;" not in html
    assert texts(html).count('<script>alert(1)</script> & "co"') == 4  # title and note, twice
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;" in html  # the legend


def test_it_draws_stacked_bars_with_patterns():
    rows = [SimpleNamespace(label=f"Q{q} 2025", led_by=dict.fromkeys(leadership.LEAD_KEYS, q))
            for q in (1, 2, 3)]
    html = figure_svg(leadership.leadership_figure(SimpleNamespace(rows=rows)), title_id="lead")
    wide = drawings(html)[1]
    bars = list(wide.iter(f"{SVG}rect"))
    assert len(bars) >= 3 * len(leadership.LEAD_KEYS)
    assert any((node.get("fill") or "").startswith("url(#lead-wide-p") for node in wide.iter(f"{SVG}g"))
    assert {"Q1 2025", "Q3 2025"} <= set(texts(html))


def test_it_draws_line_and_rectangle_shapes_and_annotations():
    figure = {"data": [{"type": "scatter", "mode": "markers", "x": ["2025-01-01", "2025-06-01"],
                        "y": [1, 5]}],
              "layout": {"shapes": [
                  {"type": "line", "xref": "x", "yref": "paper", "x0": "2025-03-01", "x1": "2025-03-01",
                   "y0": 0, "y1": 1, "line": {"color": "#7e22ce", "dash": "dot"}},
                  {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": 4, "y1": 4,
                   "line": {"color": "#15803d"}},
                  {"type": "rect", "xref": "x", "yref": "paper", "x0": "2025-04-01", "x1": "2025-05-01",
                   "y0": 0, "y1": 1, "fillcolor": "#eeeeee", "opacity": 0.5, "layer": "below"}],
                  "annotations": [{"x": "2025-03-01", "y": 1, "yref": "paper", "text": "Phase 2",
                                   "showarrow": False, "yanchor": "bottom"}]}}
    svg = drawings(figure_svg(figure, title_id="s"))[1]
    strokes = [node.get("stroke") for node in svg.iter(f"{SVG}path")]
    assert "#7e22ce" in strokes
    assert "#15803d" in strokes
    assert any(node.get("fill") == "#eeeeee" for node in svg.iter(f"{SVG}rect"))
    assert "Phase 2" in [node.text for node in svg.iter(f"{SVG}text")]


def test_it_draws_every_figure_builder():
    m = measure(chart_kind="p")
    strata = [line(m, [3, 4, 5, 6], "Group 1"), line(m, [5, 5, None, 6], "Group 2")]
    funnel = SimpleNamespace(
        limits=[(10, 0.2, 0.3, 0.7, 0.8), (100, 0.4, 0.45, 0.55, 0.6)], centre=0.5,
        points=[SimpleNamespace(denominator=20, value=0.5, label="A", outside=""),
                SimpleNamespace(denominator=80, value=0.9, label="B", outside="better")])
    reports = [SimpleNamespace(month=add_months(START, i), self_score=Decimal("2.5"),
                               advisor_score=Decimal("1.0") if i else None,
                               score_gap=Decimal("1.5") if i else None) for i in range(3)]
    figures = [
        charts.run_chart(line(measure(chart_kind="p"), SHIFT)),
        charts.run_chart(line(measure(chart_kind="xmr", unit="count"), [3, 9, 2, 8])),
        charts.strata_chart(strata),
        charts.disparity_chart({"Group 1": [1.0, 1.2], "Group 2": [0.8, None]}, ["Q1 2025", "Q2 2025"],
                               reference="Group 1"),
        charts.funnel_chart(funnel, m),
        score_chart(reports),
    ]
    for figure in figures:
        html = figure_svg(figure, title_id="s")
        assert len(drawings(html)) == 2
        assert any(node.tag in (f"{SVG}circle", f"{SVG}path") for node in drawings(html)[1].iter())
    assert figure_svg({}, title_id="s") == ""


def test_it_draws_a_chart_with_no_values_yet():
    figure = charts.run_chart(line(measure(), []))
    figure["data"].append({"type": "scatter", "x": [], "y": []})
    figure["layout"]["shapes"] = [{"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                                   "y0": 1, "y1": 1}]
    assert len(drawings(figure_svg(figure, title_id="s"))) == 2


def test_the_chart_partial_draws_the_svg_and_keeps_the_figure_for_plotly():
    figure = charts.run_chart(line(measure(), SHIFT))
    page = render_to_string("measures/partials/chart.html", {
        "figure": figure, "figure_id": "chart-7", "summary": "Up six months.",
        "help": line(measure(), SHIFT)})
    assert 'data-figure="chart-7"' in page
    assert '<script id="chart-7" type="application/json">' in page
    assert 'aria-labelledby="chart-7-summary"' in page
    assert 'id="chart-7-summary">Up six months.' in page
    assert "Explore this chart" in page
    assert "How to read this chart" in page
    assert "median" in page


def test_the_help_fits_the_kind_of_chart():
    def help_for(kind: str) -> str:
        return render_to_string("measures/partials/chart_help.html", {"kind": kind})

    assert "median" in help_for("run")
    assert "limits" not in help_for("run")
    assert "control limits" in help_for("control")
    assert "Laney" in help_for("laney")
    assert "rare events" in help_for("rare")
    for kind in ("run", "control", "laney", "rare"):
        assert "6 or more" in help_for(kind)
        assert "goal" in help_for(kind)
