"""Run charts as static SVG, for documents that cannot run plotly.js: the monthly report's PDF
(WeasyPrint draws SVG itself, with no browser and no network).

The same chart as ``charts.run_chart``, drawn for paper: month ticks and value labels, the line
with gaps for months without data, the centre line (dashed where it is extended past the
baseline), control limits where the series has them, the goal, and signal points marked by
colour *and* shape. Lines are named where they end, so the chart reads in black and white.

Only presentation attributes (``stroke="..."``), never ``style``: a page's CSP forbids inline
styles. Every string a person typed (the measure's name, the team's name) is escaped.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from measures import summaries
from measures.charts import BLUE, GREEN, GREY, ORANGE
from measures.formatting import format_value
from measures.models import Measure
from measures.series import Series
from measures.sparklines import line_path

# 680 user units is the text width of A4 with 15 mm margins at 96 px to the inch.
WIDTH, HEIGHT = 680, 240
LEFT, RIGHT, TOP, BOTTOM = 50, 118, 42, 62
TITLE_ROW = 20
INSET = 10  # keeps the first and last points off the axes
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK, MUTED, RULE = "#212529", "#4b5563", "#d1d5db"
LABEL_GAP = 11  # the least vertical distance between two line names at the right


@dataclass(frozen=True)
class _Frame:
    """Where months and values land: the plot area and its scales."""

    count: int
    low: float
    high: float
    step: float

    left: float = LEFT
    top: float = TOP
    right: float = WIDTH - RIGHT
    bottom: float = HEIGHT - BOTTOM

    def x(self, index: int) -> float:
        if self.count <= 1:
            return (self.left + self.right) / 2
        return self.left + INSET + index * (self.right - self.left - 2 * INSET) / (self.count - 1)

    def y(self, value: float) -> float:
        return self.bottom - (value - self.low) * (self.bottom - self.top) / (self.high - self.low)

    @property
    def month_width(self) -> float:
        return (self.right - self.left - 2 * INSET) / max(self.count - 1, 1)


def run_chart_svg(series: Series, *, title: str | None = None, show_title: bool = True,
                  chart_id: str | None = None) -> SafeString:
    """The series as a self-contained ``<svg>`` element, with a ``<title>`` and a ``<desc>``
    (the chart's summary sentence) for screen readers and PDF text alternatives.
    ``show_title=False`` leaves the title out of the picture (a heading above names it) but
    keeps it in ``<title>``."""
    measure = series.measure
    title = measure.display_name if title is None else title
    ident = escape(chart_id or f"run-chart-{measure.pk or 0}")
    frame = _frame(series)
    parts = [
        _text(4, 16, Truncator(title).chars(86), size=12.5, weight="bold", fill=INK) if show_title else "",
        _text(4, TOP - 12, _unit_caption(measure), size=9, fill=MUTED),
        *_y_axis(frame, measure, labelled=bool(series.present)),
        *_x_axis(frame, series.months),
    ]
    if series.present:
        labels: list[tuple[float, str, str]] = []
        parts += _limits(frame, series, labels)
        parts += _centre(frame, series, labels)
        parts += _goal(frame, measure, labels)
        parts += _line(frame, series)
        parts += _end_labels(frame, labels)
    else:
        parts.append(_text((frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2,
                           _("No data yet"), size=11, fill=MUTED, anchor="middle"))
    parts += _legend(series)
    # Without the title row the drawing moves up by its height.
    shift = 0 if show_title else TITLE_ROW
    # Only numbers computed here and escaped text go into the markup.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="run-chart-svg" '
        f'viewBox="0 0 {WIDTH} {HEIGHT - shift}" width="{WIDTH}" height="{HEIGHT - shift}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="{FONT}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(_description(series))}</desc>'
        f'<g transform="translate(0 {-shift})">' + "".join(parts) + "</g></svg>")


def _description(series: Series) -> str:
    measure = series.measure
    words = [summaries.summary(series)]
    latest = next((point for point in reversed(series.points) if point.value is not None), None)
    if latest is not None:
        words.append(_("Latest value, %(month)s: %(value)s.") % {
            "month": date_format(latest.month, "YEAR_MONTH_FORMAT"),
            "value": format_value(measure, latest.value)})
    if measure.goal is not None:
        words.append(_("Goal: %(value)s.") % {"value": format_value(measure, float(measure.goal))})
    return " ".join(words)


def _unit_caption(measure: Measure) -> str:
    return {
        Measure.Unit.PERCENT: _("Percent"),
        Measure.Unit.RATE: _("Per %(n)s") % {"n": measure.rate_per},
        Measure.Unit.COUNT: _("Count"),
        Measure.Unit.MEAN: _("Mean"),
    }.get(measure.unit, "")


def _frame(series: Series) -> _Frame:
    """A value axis from zero (or below, if anything is) to a round number above everything
    drawn: the values, the centre line, the goal and the limits."""
    upper, lower = series.limits()
    drawn = [v for v in (*series.values, series.center, *upper, *lower) if v is not None]
    if series.measure.goal is not None:
        drawn.append(float(series.measure.goal))
    low, high = min([0.0, *drawn]), max([0.0, *drawn])
    if high - low < 1e-9:
        high = low + 1
    step = _nice_step((high - low) / 5)
    return _Frame(len(series.points), math.floor(low / step) * step, math.ceil(high / step) * step, step)


def _nice_step(raw: float) -> float:
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude * (1 + 1e-9))


def _tick_label(measure: Measure, value: float, step: float) -> str:
    decimals = next(d for d in range(4) if abs(round(step, d) - step) < 1e-9 or d == 3)
    text = f"{value:.{decimals}f}"
    return f"{text}%" if measure.unit == Measure.Unit.PERCENT else text


def _y_axis(frame: _Frame, measure: Measure, *, labelled: bool) -> list[str]:
    """Gridlines with their values (none on a chart with no data: its scale means nothing)."""
    parts = []
    ticks = round((frame.high - frame.low) / frame.step)
    for i in range(ticks + 1):
        value = frame.low + i * frame.step
        y = frame.y(value)
        parts.append(_rule(frame.left, y, frame.right, y, RULE, 0.6))
        if labelled:
            parts.append(_text(frame.left - 6, y + 3.2, _tick_label(measure, value, frame.step),
                               size=9, fill=MUTED, anchor="end"))
    parts.append(_rule(frame.left, frame.top, frame.left, frame.bottom, MUTED, 0.8))
    parts.append(_rule(frame.left, frame.bottom, frame.right, frame.bottom, MUTED, 0.8))
    return parts


def _x_axis(frame: _Frame, months: list[datetime.date]) -> list[str]:
    """A tick every month; a name every month, or every 2, 3, 4, 6 or 12 months when a name
    a month would crowd. The year under the first name and under each January."""
    every = next((k for k in (1, 2, 3, 4, 6) if k * frame.month_width >= 30), 12)
    parts, last_year = [], None
    for index, month in enumerate(months):
        x = frame.x(index)
        parts.append(_rule(x, frame.bottom, x, frame.bottom + 4, MUTED, 0.8))
        if (month.month - 1) % every and len(months) > 1:
            continue
        parts.append(_text(x, frame.bottom + 15, date_format(month, "M"), size=9, fill=INK, anchor="middle"))
        if month.year != last_year:
            parts.append(_text(x, frame.bottom + 26, str(month.year), size=9, fill=MUTED, anchor="middle"))
            last_year = month.year
    return parts


def _line(frame: _Frame, series: Series) -> list[str]:
    """The values joined month to month, broken where a month has no value; every point a
    blue circle, each signal point an orange diamond with a dark outline."""
    values, signals = series.values, series.signal_indices
    path = line_path(values, frame.x, frame.y)
    parts = [f'<path class="run-chart-line" d="{path}" fill="none" stroke="{BLUE}" '
             f'stroke-width="1.8" stroke-linejoin="round"/>']
    for index, value in enumerate(values):
        if value is None:
            continue
        x, y = frame.x(index), frame.y(value)
        if index in signals:
            parts.append(_diamond(x, y, 5.5, 'class="run-chart-signal"'))
        else:
            parts.append(f'<circle class="run-chart-point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BLUE}"/>')
    return parts


def _centre(frame: _Frame, series: Series, labels: list) -> list[str]:
    if len(series.segments()) > 1:
        return _phase_centres(frame, series, labels)
    centre = series.center
    if centre is None:
        return []
    y, end = frame.y(centre), series.baseline_end
    first, last = frame.x(0), frame.x(frame.count - 1)
    name = _("Median") if series.center_is_median else _("Centre")
    labels.append((y, f"{name} {format_value(series.measure, centre)}", GREY))
    if end is None:
        return [_rule(first, y, last, y, GREY, 1.5, 'class="run-chart-centre"')]
    split = frame.x(end)
    return [_rule(first, y, split, y, GREY, 1.5, 'class="run-chart-centre"'),
            _rule(split, y, last, y, GREY, 1.5, 'class="run-chart-centre-extended" stroke-dasharray="6 4"')]


def _phase_centres(frame: _Frame, series: Series, labels: list) -> list[str]:
    """A centre line per phase over its own months, and a dotted vertical line where each new
    phase starts (as ``charts.run_chart`` draws them); the current phase's centre is named."""
    name = _("Median") if series.center_is_median else _("Centre")
    parts = []
    for segment in series.segments():
        if segment.start is not None:
            x = frame.x(segment.first)
            parts.append(_rule(x, frame.top, x, frame.bottom, INK, 1,
                               'class="run-chart-phase" stroke-dasharray="2 3"'))
        if segment.center is None:
            continue
        y = frame.y(segment.center)
        parts.append(_rule(frame.x(segment.first), y, frame.x(segment.last), y, GREY, 1.5,
                           'class="run-chart-centre"'))
    if series.center is not None:
        labels.append((frame.y(series.center), f"{name} {format_value(series.measure, series.center)}", GREY))
    return parts


def _limits(frame: _Frame, series: Series, labels: list) -> list[str]:
    """Upper and lower limits as steps, as wide as a month around each point (p and u charts'
    limits move with the denominator)."""
    parts = []
    half = frame.month_width / 2
    for limit, name, kind in zip(series.limits(), (_("Upper limit"), _("Lower limit")), ("upper", "lower"),
                                 strict=True):
        path, previous = [], False
        for index, value in enumerate(limit):
            if value is None:
                previous = False
                continue
            y = frame.y(value)
            left = frame.x(index) - (half if index else 0)
            right = frame.x(index) + (half if index < frame.count - 1 else 0)
            path.append(f"{'L' if previous else 'M'}{left:.1f} {y:.1f} L{right:.1f} {y:.1f}")
            previous = True
        if path:
            parts.append(f'<path class="run-chart-limit run-chart-limit-{kind}" d="{" ".join(path)}" '
                         f'fill="none" stroke="{GREY}" stroke-width="1" stroke-dasharray="2 2"/>')
            last = next(v for v in reversed(limit) if v is not None)
            labels.append((frame.y(last), f"{name} {format_value(series.measure, last)}", GREY))
    return parts


def _goal(frame: _Frame, measure: Measure, labels: list) -> list[str]:
    if measure.goal is None:
        return []
    goal = float(measure.goal)
    y = frame.y(goal)
    labels.append((y, f"{_('Goal')} {format_value(measure, goal)}", GREEN))
    return [_rule(frame.x(0), y, frame.x(frame.count - 1), y, GREEN, 2, 'class="run-chart-goal" '
                  'stroke-dasharray="1 3" stroke-linecap="round"')]


def _end_labels(frame: _Frame, labels: list[tuple[float, str, str]]) -> list[str]:
    """Each line's name and value at its right end, nudged apart where lines lie close."""
    labels = sorted(labels)
    placed: list[float] = []
    for y, _name, _colour in labels:
        placed.append(max(y, placed[-1] + LABEL_GAP) if placed else y)
    overflow = placed[-1] - frame.bottom if placed else 0
    if overflow > 0:  # pushed below the axis: move the whole stack up
        placed = [y - overflow for y in placed]
    return [_text(frame.right + 6, y + 3.2, name, size=9, fill=colour)
            for y, (_y, name, colour) in zip(placed, labels, strict=True)]


def _legend(series: Series) -> list[str]:
    """What the markers mean (the lines are named where they end), in one row."""
    y = HEIGHT - 9
    entries = [("point", series.label)]
    if any(series.values[i] is not None for i in series.signal_indices):
        entries.append(("signal", _("Shift, trend or outside a limit")))
    if series.baseline_end is not None and series.center is not None:
        entries.append(("extended", _("Centre line extended past the baseline")))
    parts, x = [], 8.0
    for kind, label in entries:
        if kind == "point":
            parts.append(f'<circle cx="{x + 3:.1f}" cy="{y - 3}" r="3" fill="{BLUE}"/>')
            offset = 10
        elif kind == "signal":
            parts.append(_diamond(x + 4.5, y - 3, 4.5, 'class="run-chart-legend-signal"'))
            offset = 13
        else:
            parts.append(_rule(x, y - 3, x + 20, y - 3, GREY, 1.5, 'stroke-dasharray="6 4"'))
            offset = 25
        label = Truncator(label).chars(40)  # three entries fit the width
        parts.append(_text(x + offset, y, label, size=9, fill=INK))
        x += offset + 5.2 * len(label) + 18
    return parts


def _diamond(x: float, y: float, size: float, attributes: str) -> str:
    points = f"{x:.1f},{y - size:.1f} {x + size:.1f},{y:.1f} {x:.1f},{y + size:.1f} {x - size:.1f},{y:.1f}"
    return f'<polygon {attributes} points="{points}" fill="{ORANGE}" stroke="#000000" stroke-width="1"/>'


def _rule(x1: float, y1: float, x2: float, y2: float, colour: str, width: float, extra: str = "") -> str:
    extra = f" {extra}" if extra else ""
    return (f'<line{extra} x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="{width}"/>')


def _text(x: float, y: float, content: str, *, size: float, fill: str, anchor: str = "start",
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" text-anchor="{anchor}" '
            f'font-weight="{weight}">{escape(content)}</text>')
