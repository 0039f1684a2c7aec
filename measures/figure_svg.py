"""Any of our Plotly figure dicts drawn on the server as light, accessible SVG.

The SVG is the chart at load (a few kB, nothing to run); plotly.js is fetched only when a
person asks to explore the chart. It draws what the figures use — scatter traces (lines,
markers, text; dashes, steps, gaps at None), bars (stacked or grouped, with patterns),
line and rectangle shapes, annotations, axis titles and ranges, date, category and number
x axes — generically, so traces, shapes and annotations other builders add show too.

Two drawings per figure, one for phones (fewer tick labels, larger type for its width) and
one for wider screens; CSS shows one. Both scale with ``viewBox`` and ``width="100%"``. The
legend is an HTML list under them. The figures hold HTML-escaped text (plotly renders a
subset of HTML), so every text is unescaped, stripped of tags, then escaped once here.
"""

from __future__ import annotations

import datetime
import html
import itertools
import math
import re
from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from measures.charts import BLUE
from measures.months import add_months, month_range

TEXT, MUTED, GRID, AXIS = "#212529", "#495057", "#e5e7eb", "#6b7280"
DASHES = {"dot": "2 3", "dash": "6 4", "longdash": "10 4", "dashdot": "6 3 2 3"}


@dataclass(frozen=True)
class _Size:
    """One drawing: its width in viewBox units, the type size and how many ticks fit."""

    name: str
    width: int
    font: int
    x_ticks: int
    y_ticks: int
    css: str


SIZES = (_Size("narrow", 400, 13, 4, 5, "chart-svg chart-svg-narrow d-md-none"),
         _Size("wide", 820, 13, 12, 6, "chart-svg chart-svg-wide d-none d-md-block"))


def text_of(value: object) -> str:
    """Plain text from a figure's (escaped, maybe tagged) string; escape it again on output."""
    if value is None:
        return ""
    text = re.sub(r"<br\s*/?>", " ", str(value), flags=re.IGNORECASE)
    text = re.sub(r"<[^>]*>", "", text)
    return html.unescape(text).strip()


def _title(part: object) -> str:
    return text_of(part.get("text") if isinstance(part, dict) else part)


def _n(value: float) -> str:
    """A coordinate, short: whole viewBox units (a drawing is 400 or 820 wide), but keep one
    decimal for small sizes (markers, line widths)."""
    if abs(value) >= 20:
        return str(round(value))
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def _date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", value):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class _XAxis:
    """Maps x values (dates, categories or numbers) to 0 to 1 across the plot."""

    def __init__(self, figure: dict) -> None:
        layout = figure.get("layout") or {}
        axis = layout.get("xaxis") or {}
        traces = _visible(figure)
        values = [x for trace in traces for x in trace.get("x") or []]
        values += [shape.get(key) for shape in layout.get("shapes") or []
                   if shape.get("xref", "x") == "x" for key in ("x0", "x1")]
        values += [note.get("x") for note in layout.get("annotations") or [] if note.get("xref", "x") == "x"]
        values = [value for value in values if value is not None]
        kind = axis.get("type")
        has_bars = any(trace.get("type") == "bar" for trace in traces)
        if kind not in ("date", "category", "linear"):
            if values and all(_date(value) for value in values):
                kind = "date"
            elif values and all(_number(value) is not None for value in values) and not has_bars:
                kind = "linear"
            else:
                kind = "category"
        self.kind = "category" if has_bars else kind
        self.categories: list[str] = []
        if self.kind == "category":
            for value in values:
                if str(value) not in self.categories:
                    self.categories.append(str(value))
            self.low, self.high = -0.5, len(self.categories) - 0.5
            return
        numbers = [n for n in (self._raw(value) for value in values) if n is not None]
        if not numbers:  # nothing to place: an empty axis, with no ticks
            self.kind, self.low, self.high = "empty", 0.0, 1.0
            return
        self.low, self.high = min(numbers), max(numbers)
        if axis.get("rangemode") == "tozero" and self.kind == "linear":
            self.low = min(self.low, 0.0)
        if self.high == self.low:
            self.low, self.high = self.low - 1, self.high + 1
        elif self.kind == "date":
            pad = max(10.0, (self.high - self.low) * 0.03)  # half a month's room for end markers
            self.low, self.high = self.low - pad, self.high + pad
        else:
            pad = (self.high - self.low) * 0.04
            self.low, self.high = self.low - pad, self.high + pad

    def _raw(self, value: object) -> float | None:
        if self.kind == "empty":
            return None
        if self.kind == "date":
            day = _date(value)
            return None if day is None else float(day.toordinal())
        if self.kind == "category":
            key = str(value)
            return float(self.categories.index(key)) if key in self.categories else None
        return _number(value)

    def fraction(self, value: object) -> float | None:
        raw = self._raw(value)
        return None if raw is None else (raw - self.low) / (self.high - self.low)

    def ticks(self, most: int) -> list[tuple[float, str]]:
        """(fraction, label) pairs, thinned to at most ``most`` labels."""
        if self.kind == "empty":
            return []
        if self.kind == "category":
            step = max(1, math.ceil(len(self.categories) / most))
            return [((i - self.low) / (self.high - self.low), label)
                    for i, label in enumerate(self.categories) if i % step == 0]
        if self.kind == "date":
            first = datetime.date.fromordinal(math.ceil(self.low))
            last = datetime.date.fromordinal(math.floor(self.high))
            months = month_range(first if first.day == 1 else add_months(first, 1), last)
            step = next(s for s in (1, 2, 3, 4, 6, 12, 24, 60, 120) if len(months) / s <= most
                        or s == 120)
            return [((day.toordinal() - self.low) / (self.high - self.low),
                     formats.date_format(day, "M Y")) for day in months[::step]]
        return [((value - self.low) / (self.high - self.low), _tick_label(value, ""))
                for value in _nice_ticks(self.low, self.high, most)]


def _trace_colour(trace: dict) -> str:
    """A trace's colour as plotly picks it: its line's, else its markers' (one colour), else
    our first colour."""
    marker = trace.get("marker") or {}
    return ((trace.get("line") or {}).get("color")
            or (marker.get("color") if isinstance(marker.get("color"), str) else None) or BLUE)


def _visible(figure: dict) -> list[dict]:
    return [trace for trace in figure.get("data") or []
            if trace.get("visible", True) is True and trace.get("type", "scatter") in ("scatter", "bar")]


def _nice_ticks(low: float, high: float, most: int) -> list[float]:
    span = high - low
    if span <= 0:
        return [low]
    raw = span / max(1, most - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw)
    start = math.ceil(low / step - 1e-9) * step
    ticks, value = [], start
    while value <= high + step * 1e-6:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _tick_label(value: float, suffix: str, *, whole: bool = False) -> str:
    text = f"{round(value):,}" if whole or value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text + suffix


def _y_range(figure: dict) -> tuple[float, float]:
    """The y axis: the layout's range if it gives one, else every value with a margin."""
    layout = figure.get("layout") or {}
    axis = layout.get("yaxis") or {}
    given = axis.get("range")
    if isinstance(given, list | tuple) and len(given) == 2 and all(_number(v) is not None for v in given):
        return float(given[0]), float(given[1])
    traces = _visible(figure)
    values = [v for trace in traces if trace.get("type", "scatter") == "scatter"
              for v in (_number(y) for y in trace.get("y") or []) if v is not None]
    bars = [trace for trace in traces if trace.get("type") == "bar"]
    if bars and layout.get("barmode") in ("stack", "relative"):
        totals: dict[str, float] = {}
        for trace in bars:
            for x, y in zip(trace.get("x") or [], trace.get("y") or [], strict=False):
                totals[str(x)] = totals.get(str(x), 0.0) + (_number(y) or 0.0)
        values += list(totals.values())
    else:
        values += [v for trace in bars for v in (_number(y) for y in trace.get("y") or []) if v is not None]
    values += [v for shape in layout.get("shapes") or [] if shape.get("yref", "y") == "y"
               for v in (_number(shape.get("y0")), _number(shape.get("y1"))) if v is not None]
    if bars or axis.get("rangemode") == "tozero":
        values.append(0.0)
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if high == low:
        return (low - 1, high + 1) if low else (0.0, 1.0)
    pad = (high - low) * 0.06
    return (low if low == 0 and (bars or axis.get("rangemode") == "tozero") else low - pad), high + pad


@dataclass
class _Plot:
    """The plot area of one drawing, in viewBox units."""

    left: float
    top: float
    width: float
    height: float
    x: _XAxis
    y_low: float
    y_high: float

    def px(self, fraction: float) -> float:
        return self.left + fraction * self.width

    def py(self, value: float) -> float:
        return self.top + self.height * (1 - (value - self.y_low) / (self.y_high - self.y_low))

    def xpos(self, value: object, ref: str = "x") -> float | None:
        if ref == "paper":
            number = _number(value)
            return None if number is None else self.px(number)
        fraction = self.x.fraction(value)
        return None if fraction is None else self.px(fraction)

    def ypos(self, value: object, ref: str = "y") -> float | None:
        number = _number(value)
        if number is None:
            return None
        return self.top + self.height * (1 - number) if ref == "paper" else self.py(number)


def figure_svg(figure: dict, *, title_id: str) -> SafeString:
    """The figure as two SVG drawings (phone and wide, CSS shows one), each ``role="img"``
    named by the element ``title_id`` (the chart's one-sentence summary), and its legend as a
    list. Empty figures give an empty string."""
    if not figure or (not figure.get("data") and not (figure.get("layout") or {}).get("shapes")):
        return SafeString("")
    x_axis = _XAxis(figure)
    y_low, y_high = _y_range(figure)
    drawings = "".join(_drawing(figure, size, x_axis, y_low, y_high, title_id) for size in SIZES)
    return mark_safe(drawings + _legend(figure))


def _drawing(figure: dict, size: _Size, x_axis: _XAxis, y_low: float, y_high: float,
             title_id: str) -> str:
    layout = figure.get("layout") or {}
    height = int(layout.get("height") or 380)
    if size.name == "narrow":
        height = min(height, 320)
    title = _title(layout.get("title"))
    y_title = _title((layout.get("yaxis") or {}).get("title"))
    x_title = _title((layout.get("xaxis") or {}).get("title"))
    y_ticks = _nice_ticks(y_low, y_high, size.y_ticks)
    suffix = text_of((layout.get("yaxis") or {}).get("ticksuffix"))
    whole = (layout.get("yaxis") or {}).get("tickformat") == "d"
    labels = [_tick_label(value, suffix, whole=whole) for value in y_ticks]
    label_width = max((len(label) for label in labels), default=2) * size.font * 0.6
    left = label_width + 10 + (size.font + 6 if y_title else 0)
    top = 10 + (size.font + 10 if title else 0) + (14 if _has_top_labels(figure) else 0)
    bottom = size.font + 14 + (size.font + 8 if x_title else 0)
    plot = _Plot(left, top, size.width - left - 12, height - top - bottom, x_axis, y_low, y_high)
    parts = [_axes(plot, size, y_ticks, labels, y_title, x_title, title)]
    parts += _merged([_shape(shape, plot) for shape in layout.get("shapes") or []
                      if shape.get("layer") == "below"])
    parts.append(_bars(figure, plot, f"{title_id}-{size.name}"))
    parts += [_scatter(trace, plot, size) for trace in _visible(figure)
              if trace.get("type", "scatter") == "scatter"]
    parts += _merged([_shape(shape, plot) for shape in layout.get("shapes") or []
                      if shape.get("layer") != "below"])
    parts += [_annotation(note, plot, size) for note in layout.get("annotations") or []]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{size.css}" viewBox="0 0 {size.width} {height}" '
            f'width="100%" role="img" aria-labelledby="{escape(title_id)}" fill="{TEXT}">'
            + "".join(parts) + "</svg>")


def _merged(parts: list[str]) -> list[str]:
    """Lines drawn alike (every learning session's, say) as one path: fewer bytes."""
    paths: dict[str, list[str]] = {}
    others = []
    for part in parts:
        match = re.fullmatch(r'<path d="([^"]*)"([^>]*)/>', part)
        if match:
            paths.setdefault(match.group(2), []).append(match.group(1))
        elif part:
            others.append(part)
    return others + [f'<path d="{"".join(d)}"{attrs}/>' for attrs, d in paths.items()]


def _has_top_labels(figure: dict) -> bool:
    return any("text" in (trace.get("mode") or "") for trace in _visible(figure))


def _axes(plot: _Plot, size: _Size, y_ticks: list[float], labels: list[str], y_title: str,
          x_title: str, title: str) -> str:
    out = []
    bottom = plot.top + plot.height
    grid = "".join(f"M{_n(plot.left)} {_n(plot.py(v))}h{_n(plot.width)}" for v in y_ticks
                   if plot.y_low <= v <= plot.y_high)
    if grid:
        out.append(f'<path d="{grid}" stroke="{GRID}" fill="none"/>')
    out.append(f'<path d="M{_n(plot.left)} {_n(plot.top)}V{_n(bottom)}H{_n(plot.left + plot.width)}" '
               f'stroke="{AXIS}" fill="none"/>')
    out.append(f'<g fill="{MUTED}" text-anchor="end">' + "".join(
        f'<text x="{_n(plot.left - 6)}" y="{_n(plot.py(v) + size.font * 0.35)}">{escape(label)}</text>'
        for v, label in zip(y_ticks, labels, strict=True) if plot.y_low <= v <= plot.y_high) + "</g>")
    ticks = plot.x.ticks(size.x_ticks)
    marks = "".join(f"M{_n(plot.px(f))} {_n(bottom)}v4" for f, _label in ticks if 0 <= f <= 1)
    if marks:
        out.append(f'<path d="{marks}" stroke="{AXIS}"/>')
    out.append(f'<g fill="{MUTED}" text-anchor="middle">' + "".join(
        f'<text x="{_n(plot.px(f))}" y="{_n(bottom + size.font + 6)}">{escape(label)}</text>'
        for f, label in ticks if 0 <= f <= 1) + "</g>")
    if y_title:
        mid = plot.top + plot.height / 2
        out.append(f'<text transform="translate({size.font} {_n(mid)}) rotate(-90)" '
                   f'text-anchor="middle">{escape(y_title)}</text>')
    if x_title:
        out.append(f'<text x="{_n(plot.left + plot.width / 2)}" y="{_n(bottom + 2 * size.font + 14)}" '
                   f'text-anchor="middle">{escape(x_title)}</text>')
    if title:
        out.append(f'<text x="{_n(plot.left)}" y="{size.font + 4}" font-weight="600">{escape(title)}</text>')
    return "".join(out)


def _line_attrs(line: dict, default_colour: str, default_width: float = 2) -> str:
    colour = escape(line.get("color") or default_colour)
    attrs = f'stroke="{colour}" stroke-width="{_n(float(line.get("width") or default_width))}"'
    dash = DASHES.get(line.get("dash") or "")
    return attrs + (f' stroke-dasharray="{dash}"' if dash else "")


def _scatter(trace: dict, plot: _Plot, size: _Size) -> str:
    mode = trace.get("mode") or "lines+markers"
    line = trace.get("line") or {}
    marker = trace.get("marker") or {}
    colour = _trace_colour(trace)
    points = [(plot.xpos(x), _number(y)) for x, y in zip(trace.get("x") or [], trace.get("y") or [],
                                                         strict=False)]
    points = [(x, None if y is None or x is None else plot.py(y)) for x, y in points]
    out = []
    if "lines" in mode:
        out.append(_path(points, line, colour, trace.get("connectgaps", False)))
    if "markers" in mode:
        out.append(_markers(points, marker, colour))
    if "text" in mode:
        texts = trace.get("text") or []
        texts = texts if isinstance(texts, list) else [texts] * len(points)
        labels = "".join(
            f'<text x="{_n(x)}" y="{_n(y - 9)}">{escape(text_of(text))}</text>'
            for (x, y), text in zip(points, texts, strict=False) if x is not None and y is not None and text)
        if labels:
            out.append(f'<g text-anchor="middle" font-size="{size.font - 1}">{labels}</g>')
    return "".join(out)


def _path(points: list[tuple[float | None, float | None]], line: dict, colour: str,
          connect: bool) -> str:
    """A line broken at every missing value (unless the trace connects gaps); ``hvh`` steps."""
    step = line.get("shape") in ("hv", "hvh", "vh")
    commands, previous = [], None
    for x, y in points:
        if x is None or y is None:
            if not connect:
                previous = None
            continue
        if previous is None:
            commands.append(f"M{_n(x)} {_n(y)}")
        elif step:
            middle = (previous[0] + x) / 2
            commands.append(f"H{_n(middle)}V{_n(y)}H{_n(x)}")
        else:
            commands.append(f"L{_n(x)} {_n(y)}")
        previous = (x, y)
    if not commands:
        return ""
    return f'<path d="{"".join(commands)}" fill="none" {_line_attrs(line, colour)} stroke-linejoin="round"/>'


def _poly(corners: list[tuple[float, float]]) -> str:
    """A closed outline: the first corner absolute, then relative steps to a tenth (short,
    and a small star keeps its shape)."""
    def tenth(value: float) -> str:
        rounded = round(value, 1)
        return str(int(rounded)) if rounded == int(rounded) else str(rounded)

    steps = [f"{tenth(x - px)} {tenth(y - py)}"
             for (px, py), (x, y) in itertools.pairwise(corners)]
    return f"M{tenth(corners[0][0])} {tenth(corners[0][1])}l" + " ".join(steps) + "z"


def _symbol(symbol: str, x: float, y: float, r: float) -> str:
    """The outline of a marker symbol of radius ``r`` (plotly's names)."""
    s = symbol.replace("-open", "")
    if s == "square":
        return _poly([(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)])
    if s == "diamond":
        d = r * 1.3
        return _poly([(x, y - d), (x + d, y), (x, y + d), (x - d, y)])
    if s in ("triangle-up", "triangle-down"):
        sign = -1 if s == "triangle-up" else 1
        return _poly([(x, y + sign * r * 1.2), (x + r * 1.1, y - sign * r * 0.8),
                      (x - r * 1.1, y - sign * r * 0.8)])
    if s in ("x", "cross"):
        w = r * 0.45
        arm = [(-w, -r), (w, -r), (w, -w), (r, -w), (r, w), (w, w), (w, r), (-w, r), (-w, w),
               (-r, w), (-r, -w), (-w, -w)]
        if s == "x":  # the same cross turned 45°
            turn = math.sqrt(0.5)
            arm = [((dx - dy) * turn, (dx + dy) * turn) for dx, dy in arm]
        return _poly([(x + dx, y + dy) for dx, dy in arm])
    if s == "star":
        corners = []
        for i in range(10):
            radius = r * 1.3 if i % 2 == 0 else r * 0.55
            angle = math.pi / 5 * i - math.pi / 2
            corners.append((x + radius * math.cos(angle), y + radius * math.sin(angle)))
        return _poly(corners)
    return ""


def _markers(points: list[tuple[float | None, float | None]], marker: dict, colour: str) -> str:
    fill = marker.get("color") if isinstance(marker.get("color"), str) else colour
    symbol = marker.get("symbol") if isinstance(marker.get("symbol"), str) else "circle"
    r = float(marker.get("size") or 6) / 2
    edge = marker.get("line") or {}
    stroke = (f' stroke="{escape(edge["color"])}" stroke-width="{_n(float(edge.get("width") or 1))}"'
              if edge.get("color") else "")
    present = [(x, y) for x, y in points if x is not None and y is not None]
    if not present:
        return ""
    if symbol == "circle" and not stroke:
        # Dots as zero-length lines with round caps: a few bytes a point, not a <circle> each.
        dots = "".join(f"M{_n(x)} {_n(y)}h0" for x, y in present)
        return (f'<path d="{dots}" stroke="{escape(fill)}" stroke-width="{_n(2 * r)}" '
                f'stroke-linecap="round"/>')
    if symbol.replace("-open", "") == "circle":
        shapes = "".join(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}"/>' for x, y in present)
    else:
        shapes = f'<path d="{"".join(_symbol(symbol, x, y, r) for x, y in present)}"/>'
    paint = (f'fill="#fff" stroke="{escape(fill)}" stroke-width="1.5"' if symbol.endswith("-open")
             else f'fill="{escape(fill)}"{stroke}')
    return f"<g {paint}>{shapes}</g>"


def _bars(figure: dict, plot: _Plot, id_prefix: str) -> str:
    """Bars on category x: stacked (``barmode: stack``) or side by side, each with its
    colour and, if the trace gives one, a pattern (so stacks differ without colour)."""
    bars = [trace for trace in _visible(figure) if trace.get("type") == "bar"]
    if not bars:
        return ""
    stacked = (figure.get("layout") or {}).get("barmode") in ("stack", "relative")
    band = plot.width / max(1, len(plot.x.categories))
    width = band * 0.7 / (1 if stacked else len(bars))
    bases: dict[str, float] = {}
    defs, out = [], []
    for index, trace in enumerate(bars):
        marker = trace.get("marker") or {}
        colour = escape(marker.get("color") if isinstance(marker.get("color"), str) else BLUE)
        shape = (marker.get("pattern") or {}).get("shape") or ""
        fill = colour
        if shape in _PATTERN_PATHS:
            pattern_id = f"{escape(id_prefix)}-p{index}"
            defs.append(f'<pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse">'
                        f'<rect width="6" height="6" fill="{colour}"/>'
                        f'<path d="{_PATTERN_PATHS[shape]}" stroke="#fff" stroke-width="1.2"/></pattern>')
            fill = f"url(#{pattern_id})"
        rects = []
        for x, y in zip(trace.get("x") or [], trace.get("y") or [], strict=False):
            value, centre = _number(y), plot.xpos(x)
            if value is None or centre is None:
                continue
            base = bases.get(str(x), 0.0) if stacked else 0.0
            left = centre - band * 0.35 + (0 if stacked else index * width)
            top, bottom = plot.py(base + value), plot.py(base)
            if stacked:
                bases[str(x)] = base + value
            rects.append(f'<rect x="{_n(left)}" y="{_n(min(top, bottom))}" width="{_n(width)}" '
                         f'height="{_n(abs(bottom - top))}"/>')
        out.append(f'<g fill="{fill}" stroke="#fff" stroke-width="0.5">{"".join(rects)}</g>')
    return (f"<defs>{''.join(defs)}</defs>" if defs else "") + "".join(out)


_PATTERN_PATHS = {"/": "M0 6L6 0", "\\": "M0 0L6 6", "x": "M0 6L6 0M0 0L6 6", "-": "M0 3H6",
                  "|": "M3 0V6", "+": "M0 3H6M3 0V6", ".": "M2 2h1.5v1.5h-1.5z"}


def _shape(shape: dict, plot: _Plot) -> str:
    kind = shape.get("type") or "line"
    if kind not in ("line", "rect"):
        return ""
    xref, yref = shape.get("xref", "x"), shape.get("yref", "y")
    x0, x1 = plot.xpos(shape.get("x0"), xref), plot.xpos(shape.get("x1"), xref)
    y0, y1 = plot.ypos(shape.get("y0"), yref), plot.ypos(shape.get("y1"), yref)
    if None in (x0, x1, y0, y1):
        return ""
    clip = [max(plot.top, min(plot.top + plot.height, y)) for y in (y0, y1)]
    line = shape.get("line") or {}
    if kind == "rect":
        fill = escape(shape.get("fillcolor") or "none")
        opacity = _number(shape.get("opacity"))
        stroke = _line_attrs(line, "none", 0) if line.get("width") else 'stroke="none"'
        return (f'<rect x="{_n(min(x0, x1))}" y="{_n(min(clip))}" width="{_n(abs(x1 - x0))}" '
                f'height="{_n(abs(clip[1] - clip[0]))}" fill="{fill}" {stroke}'
                + (f' fill-opacity="{_n(opacity)}"' if opacity is not None else "") + "/>")
    end = f"V{_n(clip[1])}" if _n(x0) == _n(x1) else f"L{_n(x1)} {_n(clip[1])}"
    return (f'<path d="M{_n(x0)} {_n(clip[0])}{end}" fill="none" '
            f'{_line_attrs(line, AXIS, 1)}/>')


def _annotation(note: dict, plot: _Plot, size: _Size) -> str:
    text = text_of(note.get("text"))
    x = plot.xpos(note.get("x"), note.get("xref", "x"))
    y = plot.ypos(note.get("y"), note.get("yref", "y"))
    if not text or x is None or y is None:
        return ""
    font = note.get("font") or {}
    anchor = {"left": "start", "right": "end"}.get(note.get("xanchor"), "middle")
    y_anchor = note.get("yanchor")
    # Plotly's default with an arrow puts the text above its point; without, centred on it.
    if y_anchor == "bottom" or (y_anchor is None and note.get("showarrow", True)):
        y -= 6 if y_anchor == "bottom" else 18
    elif y_anchor == "top":
        y += size.font
    else:
        y += size.font * 0.35
    y = max(size.font, min(y, plot.top + plot.height + size.font + 20))
    x = max(2.0, min(x, size.width - 2.0))
    colour = escape(font.get("color") or TEXT)
    return (f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{colour}" '
            f'font-size="{_n(float(font.get("size") or size.font - 1))}">{escape(text)}</text>')


def _legend(figure: dict) -> str:
    """The legend as a list under the chart: each item a small drawing of its line or marker
    (or bar) and the trace's name, one item for each legend group."""
    traces = _visible(figure)
    groups: set[str] = set()
    items = []
    for trace in traces:
        if trace.get("showlegend") is False or not text_of(trace.get("name")):
            continue
        group = trace.get("legendgroup")
        if group:
            if group in groups:
                continue
            groups.add(group)
        items.append(trace)
    layout = figure.get("layout") or {}
    if layout.get("showlegend") is False or not items:
        return ""
    if len(items) == 1 and len(traces) == 1 and layout.get("showlegend") is not True:
        return ""  # plotly's own rule: one trace, no legend
    return ('<ul class="chart-legend list-unstyled small">'
            + "".join(format_html('<li>{}{}</li>', _swatch(trace), text_of(trace.get("name")))
                      for trace in items) + "</ul>")


def _swatch(trace: dict) -> SafeString:
    mode = trace.get("mode") or "lines+markers"
    marker = trace.get("marker") or {}
    line = trace.get("line") or {}
    colour = _trace_colour(trace)
    parts = []
    if trace.get("type") == "bar":
        shape = (marker.get("pattern") or {}).get("shape") or ""
        parts.append(f'<rect x="6" y="2" width="16" height="12" fill="{escape(colour)}"/>')
        if shape in _PATTERN_PATHS:
            # The pattern drawn once across the swatch, as the bars show it.
            parts.append(f'<path d="{_PATTERN_PATHS[shape]}" transform="translate(8 5)" stroke="#fff"/>')
    else:
        if "lines" in mode:
            parts.append(f'<path d="M2 8H26" fill="none" {_line_attrs(line, colour)}/>')
        if "markers" in mode:
            parts.append(_markers([(14.0, 8.0)], {**marker, "size": min(float(marker.get("size") or 6), 10)},
                                  colour))
    return mark_safe(
        f'<svg width="28" height="16" aria-hidden="true">{"".join(parts)}</svg>')
