"""Small server-drawn SVG charts for pages that show many series at once (every team of a
collaborative): a few hundred bytes each, no script, drawn before any JavaScript runs. At
200 teams, 200 Plotly plots built 105,000 DOM nodes and froze the browser for 6 to 7 s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 160, 40, 4


class Line(Protocol):
    """What a sparkline needs of a series (``series.Series`` or an aggregate's team line)."""

    values: list[float | None]
    center: float | None
    signal_indices: set[int] | frozenset[int]


def line_path(values: list[float | None], x: Callable[[int], float], y: Callable[[float], float]) -> str:
    """An SVG path through the values, month to month, lifted where a month has no value: a
    gap, not a line drawn across it."""
    path, pen_down = [], False
    for index, value in enumerate(values):
        if value is None:
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{x(index):.1f} {y(value):.1f}")
        pen_down = True
    return " ".join(path)


def sparkline(series: Line) -> SafeString:
    """The series as a line with its centre line dashed and signal points marked. Hidden from
    screen readers: the summary sentence beside it and the data table say what it shows."""
    values = series.values
    present = [v for v in values if v is not None]
    if not present:
        return format_html('<svg class="sparkline" viewBox="0 0 {} {}" aria-hidden="true"></svg>',
                           WIDTH, HEIGHT)
    centre = series.center
    low = min(0.0, *present)
    high = max(*present, centre if centre is not None else present[0])
    span = (high - low) or 1.0
    count = max(len(values) - 1, 1)

    def x(index: int) -> float:
        return PAD + index * (WIDTH - 2 * PAD) / count

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - low) * (HEIGHT - 2 * PAD) / span

    parts = [f'<path class="spark-line" d="{line_path(values, x, y)}"/>']
    if centre is not None:
        parts.append(f'<line class="spark-centre" x1="{PAD}" x2="{WIDTH - PAD}" '
                     f'y1="{y(centre):.1f}" y2="{y(centre):.1f}"/>')
    for index in sorted(series.signal_indices):
        if values[index] is not None:
            parts.append(f'<circle class="spark-signal" cx="{x(index):.1f}" '
                         f'cy="{y(values[index]):.1f}" r="2.6"/>')
    last = max(i for i, v in enumerate(values) if v is not None)
    parts.append(f'<circle class="spark-last" cx="{x(last):.1f}" cy="{y(values[last]):.1f}" r="1.8"/>')
    # Only numbers computed here go into the markup: nothing a person typed.
    return mark_safe(
        f'<svg class="sparkline" viewBox="0 0 {WIDTH} {HEIGHT}" aria-hidden="true" focusable="false">'
        + "".join(parts) + "</svg>")
