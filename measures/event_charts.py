"""A team's chart of the time between its recorded events (g or t chart), with its table
and one-sentence summary. Team-level only: the dates stay with the team; the collaborative
and state charts use the monthly counts derived from them (``measures.events``).

Points are intervals in date order: each event after the first, plotted at its date, with
the days since the previous event. The lines are those of ``measures.spc.control_chart``:
a g chart (qicharts2's ``qic.g``: centre at the median, limits from the mean) of the days
between events, or a t chart (``qic.t``) of the same days. A t chart cannot take 0 days
(qicharts2 refuses it): when two events share a day, the page draws the g chart instead and
says why, rather than invent a fraction of a day or drop an interval.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from measures.charts import BLUE, GREY, ORANGE
from measures.events import days_between
from measures.models import Measure, MeasureEvent
from measures.months import add_months, month_start
from measures.spc import ControlChart, control_chart

K = Measure.ChartKind
EVENT_CHART_KINDS = (K.G, K.T)


@dataclass
class EventChart:
    """What the events page draws: ``kind`` is "g" or "t" (or "" with no chart),
    ``fallback`` says why a t chart was drawn as a g chart."""

    measure: Measure
    events: list[MeasureEvent]  # oldest first
    intervals: list[float]
    kind: str = ""
    control: ControlChart | None = None
    fallback: str = ""
    summary: str = ""
    figure: dict = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)

    @property
    def has_chart(self) -> bool:
        return self.control is not None

    @property
    def has_signals(self) -> bool:
        return any(row["signal"] for row in self.rows)


def _baseline(measure: Measure, events: list[MeasureEvent]) -> int | None:
    """The measure's baseline months, counted from the month of the first event: the
    intervals that end within them set the centre and limits (all, when empty)."""
    if not measure.baseline_length or not events:
        return None
    cutoff = add_months(month_start(events[0].date), measure.baseline_length)
    baseline = sum(1 for event in events[1:] if event.date < cutoff)
    return baseline or None


def event_chart(measure: Measure, events: list[MeasureEvent]) -> EventChart:
    """The chart of a g or t measure from the team's events (any order)."""
    ordered = sorted(events, key=lambda event: (event.date, event.pk or 0))
    intervals = days_between(ordered)
    chart = EventChart(measure, ordered, intervals)
    if not intervals:
        chart.summary = _("A chart of the time between events needs at least two events; "
                          "%(count)s recorded so far.") % {"count": len(ordered)}
        chart.rows = _rows(chart)
        return chart
    kind = "t" if measure.chart_kind == K.T else "g"
    if kind == "t" and any(days <= 0 for days in intervals):
        kind = "g"
        chart.fallback = _("A t chart needs events on different days: two events here share a "
                           "day (0 days apart), so this is the g chart of the same days.")
    chart.kind = kind
    chart.control = control_chart(kind, values=intervals, baseline=_baseline(measure, ordered))
    chart.rows = _rows(chart)
    chart.summary = _summary(chart)
    chart.figure = _figure(chart)
    return chart


def _signals(chart: EventChart) -> dict[int, str]:
    """Why each interval is marked (index into ``intervals``)."""
    control = chart.control
    reasons: dict[int, str] = {}
    if control is None:
        return reasons
    for first, last in control.runs.shifts:
        for index in range(first, last + 1):
            reasons[index] = _("part of a shift")
    for first, last in control.runs.trends:
        for index in range(first, last + 1):
            reasons[index] = _("part of a trend")
    for index, (value, upper, _lower) in enumerate(zip(control.values, control.upper, control.lower,
                                                      strict=True)):
        if control.outside[index]:
            reasons[index] = (_("above the upper limit") if upper is not None and value > upper
                              else _("below the lower limit"))
    return reasons


def _rows(chart: EventChart) -> list[dict]:
    return event_rows(chart.events, _signals(chart))


def event_rows(events: list[MeasureEvent], signals: dict[int, str] | None = None) -> list[dict]:
    """The data table, oldest first: date, days since the previous event, signal (keyed by
    the index of the interval that ends at the event), note and the event's id."""
    ordered = sorted(events, key=lambda event: (event.date, event.pk or 0))
    intervals = days_between(ordered)
    signals = signals or {}
    return [{"pk": event.pk, "date": event.date, "note": event.note,
             "days": intervals[index - 1] if index else None,
             "signal": signals.get(index - 1, "") if index else ""}
            for index, event in enumerate(ordered)]


def _when(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _summary(chart: EventChart) -> str:
    control = chart.control
    centre_words = (_("the median time between them is %(days)s days") if chart.kind == "g"
                    else _("the t chart's centre line is %(days)s days between them"))
    marked = len(_signals(chart))
    signal = (ngettext("%(count)s interval signals a change (a shift, a trend or a point beyond "
                       "a limit).", "%(count)s intervals signal a change (a shift, a trend or a "
                       "point beyond a limit).", marked) % {"count": marked}
              if marked else _("no interval signals a change: the variation looks random."))
    return _("%(count)s events from %(first)s to %(last)s; %(centre)s; %(signal)s") % {
        "count": len(chart.events), "first": _when(chart.events[0].date),
        "last": _when(chart.events[-1].date),
        "centre": centre_words % {"days": f"{control.center:.1f}".rstrip("0").rstrip(".")},
        "signal": signal,
    }


def _figure(chart: EventChart) -> dict:
    control = chart.control
    x = [event.date.isoformat() for event in chart.events[1:]]
    y = chart.intervals
    hover = [escape(_("%(date)s: %(days)s days since the previous event")
                    % {"date": _when(event.date), "days": f"{days:.0f}"})
             for event, days in zip(chart.events[1:], y, strict=True)]
    data = [{"type": "scatter", "mode": "lines+markers", "name": escape(_("Days between events")),
             "x": x, "y": y, "text": hover, "hoverinfo": "text",
             "line": {"color": BLUE, "width": 2}, "marker": {"color": BLUE, "size": 7}}]
    signals = sorted(_signals(chart))
    if signals:
        data.append({"type": "scatter", "mode": "markers",
                     "name": escape(_("Part of a shift, trend or outside a limit")),
                     "x": [x[i] for i in signals], "y": [y[i] for i in signals],
                     "text": [hover[i] for i in signals], "hoverinfo": "text",
                     "marker": {"color": ORANGE, "size": 12, "symbol": "diamond",
                                "line": {"color": "#000000", "width": 1}}})
    centre_name = _("Median") if chart.kind == "g" else _("Centre line")
    data.append({"type": "scatter", "mode": "lines", "name": escape(centre_name),
                 "x": [x[0], x[-1]], "y": [control.center, control.center],
                 "hoverinfo": "name+y", "line": {"color": GREY, "width": 2}})
    if any(limit is not None for limit in control.upper):
        style = {"color": GREY, "width": 1, "dash": "dot", "shape": "hvh"}
        name = escape(_("Control limits"))
        data += [
            {"type": "scatter", "mode": "lines", "name": name, "x": x, "y": control.upper,
             "line": style, "legendgroup": "limits", "hoverinfo": "name+y"},
            {"type": "scatter", "mode": "lines", "name": name, "x": x, "y": control.lower,
             "line": style, "legendgroup": "limits", "showlegend": False, "hoverinfo": "name+y"},
        ]
    layout = {
        "height": 360, "margin": {"l": 56, "r": 16, "t": 16, "b": 40},
        "xaxis": {"type": "date", "tickformat": "%b %Y", "showgrid": False},
        "yaxis": {"title": {"text": escape(_("Days since the previous event"))},
                  "rangemode": "tozero", "zeroline": False},
        "legend": {"orientation": "h", "y": -0.18}, "hovermode": "closest",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                 "color": "#212529"},
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    }
    return {"data": data, "layout": layout}
