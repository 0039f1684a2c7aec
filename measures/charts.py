"""Plotly figure builders: plain dicts, drawn in the browser by the locally served plotly.js.

They take analysed series (``measures.series``) and annotations as plain data — learning
sessions from the timeline, PDSA decisions from whoever calls them — so this module knows
nothing of the apps above it. Every string a person typed is HTML-escaped: plotly renders
a subset of HTML in titles, names, hover text and annotations.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from measures.formatting import format_value
from measures.models import Measure
from measures.series import Series

BLUE, ORANGE, GREEN, GREY, PURPLE = "#1f5f8b", "#b45309", "#15803d", "#6b7280", "#7e22ce"
INK = "#374151"  # phase boundaries: dark enough for text on white (WCAG AA)
PHASE_LABEL_LENGTH = 28  # characters of a phase's reason written on the chart; all of it on hover
PALETTE = ["#1f5f8b", "#b45309", "#15803d", "#7e22ce", "#be123c", "#0f766e", "#4d7c0f", "#9d174d"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down"]


@dataclass(frozen=True)
class Annotation:
    """A dated marker on a chart: a learning session, or a PDSA cycle that adopted or
    adapted a change linked to the measure."""

    month: datetime.date
    label: str
    hover: str
    kind: str = "session"  # "session" or "pdsa"


def _x(months: list[datetime.date]) -> list[str]:
    return [month.isoformat() for month in months]


def _unit_suffix(measure: Measure) -> str:
    return "%" if measure.unit == Measure.Unit.PERCENT else ""


def _layout(measure: Measure, title: str = "", *, height: int = 380) -> dict:
    axis_title = {
        Measure.Unit.PERCENT: _("Percent"),
        Measure.Unit.RATE: _("Per %(n)s") % {"n": measure.rate_per},
        Measure.Unit.COUNT: _("Count"),
        Measure.Unit.MEAN: _("Mean"),
    }[measure.unit]
    return {
        "title": {"text": escape(title), "font": {"size": 15}, "x": 0, "xanchor": "left"},
        "height": height,
        # A page heading names most charts; no title, no space kept for one.
        "margin": {"l": 56, "r": 16, "t": 48 if title else 16, "b": 40},
        "xaxis": {"type": "date", "tickformat": "%b %Y", "showgrid": False},
        "yaxis": {"title": {"text": escape(axis_title)}, "rangemode": "tozero", "zeroline": False,
                  "ticksuffix": _unit_suffix(measure)},
        "legend": {"orientation": "h", "y": -0.18},
        "hovermode": "closest",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                 "color": "#212529"},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "shapes": [],
        "annotations": [],
    }


def run_chart(series: Series, *, title: str = "", annotations: list[Annotation] = ()) -> dict:
    """A team's (or the collaborative's) chart of one measure: points, centre line (median
    or control-chart centre), goal, limits, highlighted signals and dated markers."""
    measure = series.measure
    x = _x(series.months)
    values = series.values
    hover = [
        escape(f"{date_format(month, 'M Y')}: {format_value(measure, value)}"
               + (f" — {point.note}" if point.note else ""))
        for month, value, point in zip(series.months, values, series.points, strict=True)
    ]
    data = [{
        "type": "scatter", "mode": "lines+markers", "name": escape(series.label), "x": x,
        "y": values, "text": hover, "hoverinfo": "text", "connectgaps": False,
        "line": {"color": BLUE, "width": 2}, "marker": {"color": BLUE, "size": 7, "symbol": "circle"},
    }]
    signals = sorted(series.signal_indices)
    if signals:
        data.append({
            "type": "scatter", "mode": "markers", "name": _("Part of a shift, trend or outside a limit"),
            "x": [x[i] for i in signals], "y": [values[i] for i in signals],
            "text": [hover[i] for i in signals], "hoverinfo": "text",
            "marker": {"color": ORANGE, "size": 12, "symbol": "diamond",
                       "line": {"color": "#000000", "width": 1}},
        })
    data += _centre_traces(series, x)
    data += _limit_traces(series, x)
    if measure.goal is not None and x:
        goal = float(measure.goal)
        data.append({"type": "scatter", "mode": "lines", "name": _("Goal"), "x": [x[0], x[-1]],
                     "y": [goal, goal], "hoverinfo": "name+y",
                     "line": {"color": GREEN, "width": 2, "dash": "dot"}})
    layout = _layout(measure, title)
    # One tick a month for a short series (plotly would otherwise label half-months).
    layout["xaxis"]["dtick"] = "M1" if len(x) <= 12 else "M3"
    if series.months:
        # Markers outside the data would stretch the axis into months with nothing to show.
        first, last = series.months[0], series.months[-1]
        annotations = [a for a in annotations
                       if first <= a.month and (a.month.year, a.month.month) <= (last.year, last.month)]
    _add_markers(layout, data, annotations, values)
    _add_phase_marks(layout, series, x)
    return {"data": data, "layout": layout}


def phase_label(reason: str) -> str:
    """A phase's reason cut to fit on the chart (the whole reason is in the hover and table)."""
    reason = " ".join(reason.split())
    return reason if len(reason) <= PHASE_LABEL_LENGTH else reason[:PHASE_LABEL_LENGTH - 1].rstrip() + "…"


def _add_phase_marks(layout: dict, series: Series, x: list[str]) -> None:
    """A dotted vertical line where each new phase starts, labelled with its reason: plain
    layout shapes and annotations, so the SVG renderer draws them too."""
    for segment in series.segments():
        if segment.start is None:
            continue
        where = x[segment.first]
        layout["shapes"].append({
            "type": "line", "xref": "x", "yref": "paper", "x0": where, "x1": where, "y0": 0, "y1": 1,
            "line": {"color": INK, "width": 1.5, "dash": "dot"}})
        full = _("Phase %(number)s from %(month)s: %(reason)s") % {
            "number": segment.number, "month": date_format(series.months[segment.first], "M Y"),
            "reason": segment.start.reason}
        layout["annotations"].append({
            "x": where, "xref": "x", "y": 1, "yref": "paper", "xanchor": "left", "yanchor": "bottom",
            "text": escape(phase_label(segment.start.reason)), "hovertext": escape(full),
            "showarrow": False, "font": {"size": 11, "color": INK}})
        layout["margin"]["t"] = max(layout["margin"]["t"], 36)


def _centre_traces(series: Series, x: list[str]) -> list[dict]:
    if len(series.segments()) > 1:
        return _phase_centre_traces(series, x)
    centre = series.center
    if centre is None or not x:
        return []
    name = _("Median") if series.center_is_median else _("Centre line")
    end = series.baseline_end
    if end is None:
        return [{"type": "scatter", "mode": "lines", "name": name, "x": [x[0], x[-1]],
                 "y": [centre, centre], "hoverinfo": "name+y", "line": {"color": GREY, "width": 2}}]
    # The baseline sets the centre; extended past it as a dashed line to judge new points. It
    # ends at the month of the last baseline point, months without data not counted.
    split = x[end]
    return [
        {"type": "scatter", "mode": "lines", "name": _("%(name)s (baseline)") % {"name": name},
         "x": [x[0], split], "y": [centre, centre], "hoverinfo": "name+y",
         "line": {"color": GREY, "width": 2}},
        {"type": "scatter", "mode": "lines", "name": _("%(name)s, extended") % {"name": name},
         "x": [split, x[-1]], "y": [centre, centre], "hoverinfo": "name+y",
         "line": {"color": GREY, "width": 2, "dash": "dash"}},
    ]


def _phase_centre_traces(series: Series, x: list[str]) -> list[dict]:
    """A centre line per phase, each over its own months only (qicharts2 draws parts apart);
    a frozen baseline inside the first phase is drawn solid, its extension dashed."""
    name = _("Median") if series.center_is_median else _("Centre line")
    traces = []
    for segment in series.segments():
        if segment.center is None:
            continue
        label = _("%(name)s, phase %(number)s") % {"name": name, "number": segment.number}
        pieces = [(segment.first, segment.last, {})]
        if segment.baseline_end is not None:
            pieces = [(segment.first, segment.baseline_end, {}),
                      (segment.baseline_end, segment.last, {"dash": "dash"})]
        for first, last, dash in pieces:
            traces.append({
                "type": "scatter", "mode": "lines", "name": label, "x": [x[first], x[last]],
                "y": [segment.center, segment.center], "hoverinfo": "name+y",
                "line": {"color": GREY, "width": 2, **dash}, "legendgroup": "centre",
                "showlegend": not traces})
    if traces:
        # The legend names the kind of line once; the hover still names its phase.
        traces[0]["hovertemplate"] = traces[0]["name"] + ": %{y:.1f}<extra></extra>"
        traces[0]["name"] = name
    return traces


def _limit_traces(series: Series, x: list[str]) -> list[dict]:
    upper, lower = series.limits()
    if not upper:
        return []
    style = {"color": GREY, "width": 1, "dash": "dot", "shape": "hvh"}
    # Laney's limits are named in the legend: they are wider than a p or u chart's would be.
    name = {Measure.ChartKind.PP: _("Laney p′ limits"),
            Measure.ChartKind.UP: _("Laney u′ limits")}.get(series.kind, _("Control limits"))
    traces = []
    # One pair of lines per phase, so the limits step at a phase start instead of joining.
    for segment in series.segments():
        part = slice(segment.first, segment.last + 1)
        traces += [
            {"type": "scatter", "mode": "lines", "name": name, "x": x[part], "y": upper[part],
             "hoverinfo": "name+y", "line": style, "connectgaps": False, "legendgroup": "limits",
             "showlegend": not traces,
             "hovertemplate": _("Upper limit") + ": %{y:.1f}<extra></extra>"},
            {"type": "scatter", "mode": "lines", "name": name, "x": x[part], "y": lower[part],
             "hoverinfo": "name+y", "line": style, "connectgaps": False, "showlegend": False,
             "legendgroup": "limits", "hovertemplate": _("Lower limit") + ": %{y:.1f}<extra></extra>"},
        ]
    if len(traces) == 2:
        del traces[0]["showlegend"]  # one phase: the figure exactly as before phases existed
    return traces


def _add_markers(layout: dict, data: list[dict], annotations: list[Annotation],
                 values: list[float | None]) -> None:
    """Vertical lines for learning sessions and PDSA decisions, with hover text on a marker
    at the top of each line (shapes themselves have no hover)."""
    if not annotations:
        return
    top = max((v for v in values if v is not None), default=1) * 1.08 or 1
    # Room above the plot for the labels (LS1 …) written over the top markers, drawn unclipped.
    layout["margin"]["t"] = max(layout["margin"]["t"], 36)
    for kind, name, color, symbol in (("session", _("Learning session"), PURPLE, "triangle-down"),
                                      ("pdsa", _("PDSA change adopted or adapted"), GREEN, "star")):
        marks = [a for a in annotations if a.kind == kind]
        if not marks:
            continue
        for mark in marks:
            layout["shapes"].append({
                "type": "line", "xref": "x", "yref": "paper", "x0": mark.month.isoformat(),
                "x1": mark.month.isoformat(), "y0": 0, "y1": 1,
                "line": {"color": color, "width": 1, "dash": "dot"}})
        data.append({
            "type": "scatter", "mode": "markers+text", "name": name,
            "x": [m.month.isoformat() for m in marks], "y": [top] * len(marks),
            "text": [escape(m.label) for m in marks], "textposition": "top center",
            "hovertext": [escape(m.hover) for m in marks], "hoverinfo": "text",
            "marker": {"color": color, "size": 10, "symbol": symbol}, "cliponaxis": False,
        })


def strata_chart(strata: list[Series], *, title: str = "") -> dict:
    """A line per group of a stratified measure."""
    measure = strata[0].measure if strata else None
    data = [
        {"type": "scatter", "mode": "lines+markers", "name": escape(series.label),
         "x": _x(series.months), "y": series.values, "hoverinfo": "name+x+y", "connectgaps": False,
         "line": {"color": PALETTE[i % len(PALETTE)], "width": 2},
         "marker": {"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 7, "color": PALETTE[i % len(PALETTE)]}}
        for i, series in enumerate(strata)
    ]
    return {"data": data, "layout": _layout(measure, title)} if measure else {"data": [], "layout": {}}


def disparity_chart(ratios: dict[str, list[float | None]], periods: list[str], *,
                    title: str = "", reference: str) -> dict:
    """Each group's value relative to the reference group (1 = the same), by period (quarters
    named in words, drawn as categories)."""
    x = [escape(period) for period in periods]
    data = [
        {"type": "scatter", "mode": "lines+markers", "name": escape(label), "x": x, "y": values,
         "hoverinfo": "name+x+y", "connectgaps": False,
         "line": {"color": PALETTE[i % len(PALETTE)], "width": 2},
         "marker": {"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 7, "color": PALETTE[i % len(PALETTE)]}}
        for i, (label, values) in enumerate(ratios.items())
    ]
    if x:
        same = _("Same as %(group)s") % {"group": reference}
        data.append({"type": "scatter", "mode": "lines", "name": escape(same),
                     "x": [x[0], x[-1]], "y": [1, 1], "hoverinfo": "skip",
                     "line": {"color": GREY, "width": 1, "dash": "dash"}})
    return {"data": data, "layout": {
        "title": {"text": escape(title), "font": {"size": 15}, "x": 0, "xanchor": "left"},
        "height": 340, "margin": {"l": 56, "r": 16, "t": 48 if title else 16, "b": 40},
        "xaxis": {"type": "category"},
        "yaxis": {"title": {"text": escape(_("Ratio to %(group)s") % {"group": reference})},
                  "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.2},
        "font": {"family": "system-ui, sans-serif", "color": "#212529"}}}


def funnel_chart(funnel: object, measure: Measure) -> dict:
    """A funnel plot (``aggregates.Funnel``): each team's rate by its denominator, the pooled
    rate across, and the 95% and 99.8% limits narrowing as programs grow. Points outside
    the outer funnel are marked by shape as well as colour."""
    sizes = [row[0] for row in funnel.limits]
    limit = {"type": "scatter", "mode": "lines", "x": sizes, "hoverinfo": "skip", "showlegend": False}
    outer, inner = (_("%(percent)s limits") % {"percent": "99.8%"},
                    _("%(percent)s limits") % {"percent": "95%"})
    data = [
        {**limit, "y": [row[4] for row in funnel.limits], "name": outer, "showlegend": True,
         "line": {"color": GREY, "width": 1.5}},
        {**limit, "y": [row[1] for row in funnel.limits], "name": outer,
         "line": {"color": GREY, "width": 1.5}},
        {**limit, "y": [row[3] for row in funnel.limits], "name": inner, "showlegend": True,
         "line": {"color": GREY, "width": 1, "dash": "dash"}},
        {**limit, "y": [row[2] for row in funnel.limits], "name": inner,
         "line": {"color": GREY, "width": 1, "dash": "dash"}},
        {**limit, "y": [funnel.centre] * len(sizes), "name": escape(_("Pooled")), "showlegend": True,
         "line": {"color": BLUE, "width": 1.5}},
    ]
    styles = {"": (BLUE, "circle", _("Within the limits")),
              "better": (GREEN, "triangle-up", _("Better than chance")),
              "worse": (ORANGE, "diamond", _("Worse than chance"))}
    for outside, (colour, symbol, name) in styles.items():
        points = [point for point in funnel.points if point.outside == outside]
        if not points:
            continue
        data.append({
            "type": "scatter", "mode": "markers", "name": escape(name),
            "x": [point.denominator for point in points], "y": [point.value for point in points],
            "text": [escape(point.label) for point in points],
            "hovertemplate": ("%{text}<br>" if any(point.label for point in points) else "")
            + "n = %{x:,.0f}<br>%{y:.1f}" + _unit_suffix(measure) + "<extra></extra>",
            "marker": {"color": colour, "symbol": symbol, "size": 8}})
    layout = _layout(measure, "", height=340)
    layout["xaxis"] = {"title": {"text": escape(_("Program size over three months"))},
                       "rangemode": "tozero", "zeroline": False}
    layout["legend"] = {"orientation": "h", "y": -0.28}
    return {"data": data, "layout": layout}
