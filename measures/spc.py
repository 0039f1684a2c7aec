"""Shewhart control charts with the conventions of qicharts2 0.8 (R/helper.functions.R).

Pure Python on purpose (no Django, no numpy) so charts, reports and the API can all share it.
Each kind follows the qicharts2 function named beside it:

- i (``qic.i``): centre = mean; sigma = mean moving range / 1.128 (d2 for n = 2), after
  leaving out moving ranges ≥ 3.267 times their mean (D4 for n = 2; Nelson 1982, as qicharts2
  does under ``options(qic.screenedmr = TRUE)``, which it sets when attached); limits centre
  ± 3 sigma.
- p (``qic.p``): p̄ = Σ numerators / Σ denominators; limits p̄ ± 3·√(p̄(1 - p̄)/nᵢ), clipped to
  [0, 1].
- u (``qic.u``): ū = Σ counts / Σ exposure; limits ū ± 3·√(ū/nᵢ), lower limit clipped at 0.
- c (``qic.c``): c̄ = mean count; limits c̄ ± 3·√c̄, lower limit clipped at 0.
- g (``qic.g``): limits from the mean ḡ of the counts between events, ḡ ± 3·√(ḡ(ḡ + 1)),
  lower limit clipped at 0 (so always 0); but the centre line, and the runs analysis around
  it, is the **median** of the baseline points, not ḡ — the geometric distribution is skewed.
- t (``qic.t``): times between events y (all > 0) are transformed to y^(1/3.6) (Nelson), an
  i chart is computed on the transformed values (screened moving ranges included) and its
  centre and limits are raised to the power 3.6; a negative lower limit becomes 0.
- pp, up (``qic.pp``, ``qic.up``; Laney's p' and u'): the p or u chart's sigma per point
  sᵢ = √(p̄(1 - p̄)/nᵢ) or √(ū/nᵢ), the z-scores zᵢ = (yᵢ - centre)/sᵢ of the baseline points,
  sigma_z = mean moving range of z (screened as for i) / 1.128, limits centre ± 3·sᵢ·sigma_z, clipped
  as for p and u. sigma_z > 1 widens the limits for variation between months beyond chance.

Points outside the limits, and the runs analysis (``runs.analysis``: points on the centre line
and missing points dropped, longest run and crossings judged by Anhøj's rules) are those of
qicharts2 for every kind. Two conventions are this module's, shared by every kind:
``baseline`` counts points with data (qicharts2's ``freeze`` counts rows), and a baseline
whose moving ranges are all 0 gives limits on the centre line (qicharts2 gives none).

Phases (``parts``, qicharts2's ``part``): ``qic.agg`` splits the series at each part start and
runs the chart function and ``runs.analysis`` on every part alone, so each part has its own
centre, limits and runs analysis, and no run crosses a part boundary. qicharts2 ignores
``freeze`` when ``part`` is given (qic.R: ``if (is.null(freeze) || !is.null(part)) freeze <-
Inf``; its help: "Ignored if part argument is given"), so it never combines the two. Here they
combine: ``baseline`` is the baseline of the FIRST part only (capped at its end), which is what
qicharts2's own flag ``d$baseline <- d$xx <= freeze`` (``xx`` counts rows from the start of the
series) would mean inside the first part; every later part, a recalculation after a change,
uses all its points, as qicharts2 does for every part.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from measures.runchart import (
    RunChartAnalysis,
    analyze_around,
    baseline_stop,
    check_parts,
    is_missing,
    join_parts,
    part_bounds,
)

KINDS = ("i", "p", "u", "c", "g", "t", "pp", "up")
VALUE_KINDS = ("i", "c", "g", "t")  # take ``values``
RATIO_KINDS = ("p", "u", "pp", "up")  # take ``numerators`` and ``denominators``
D2 = 1.128  # expected moving range of two normal observations, in sigma
D4 = 3.267  # upper limit of a moving range, in mean moving ranges
T_POWER = 3.6  # Nelson's transformation of times between events: y ** (1 / 3.6) is near normal

Limits = tuple[float, float]  # (lower, upper)


@dataclass(frozen=True)
class ControlChart:
    """A control chart: one entry per point in ``values``, ``upper``, ``lower`` and ``outside``.

    ``values`` are the plotted points (the ratio numerator/denominator for p, u, p' and u'
    charts); missing points are ``None`` there and in the limits, and never ``outside``.
    ``runs`` is the run-chart analysis of the points around ``center`` (its ``median`` field
    holds ``center``; for a g chart that is the median of the baseline points).

    A chart in parts (phases) also holds each part's own chart in ``parts`` (indices within the
    part) and the index where each part starts in ``starts``; ``center`` and ``runs`` are then
    those of the last part (the current phase), ``runs`` listing every part's shifts and
    trends (see :func:`measures.runchart.join_parts`).
    """

    center: float
    upper: list[float | None]
    lower: list[float | None]
    outside: list[bool]
    values: list[float | None]
    runs: RunChartAnalysis
    parts: tuple[ControlChart, ...] = ()
    starts: tuple[int, ...] = ()

    @property
    def centers(self) -> list[float]:
        """The centre line at each point: its part's centre."""
        if not self.parts:
            return [self.center] * len(self.values)
        return [part.center for part in self.parts for _value in part.values]


def control_chart(
    kind: str,
    *,
    values: Sequence[float | None] | None = None,
    numerators: Sequence[float | None] | None = None,
    denominators: Sequence[float | None] | None = None,
    baseline: int | None = None,
    parts: Sequence[int] = (),
) -> ControlChart:
    """Build a control chart of ``kind`` (qicharts2's names: i, p, u, c, g, t, pp, up).

    i, c, g and t charts take ``values``; p, u, pp and up charts take ``numerators`` and
    ``denominators`` of equal length. ``None``/NaN, or a denominator of 0, make a point
    missing. ``baseline``: the first k non-missing points alone set the centre and sigma (all
    points when ``None`` or larger than available). A point is ``outside`` when strictly above
    ``upper`` or below ``lower``.

    Raises ``ValueError`` for an unknown kind, the wrong inputs for the kind, unequal lengths,
    negative numerators, denominators or counts (c, g), a time between events that is not
    above 0 (t, as qicharts2 refuses it), a p-chart numerator above its denominator, a bad
    baseline, or a series with no data at all.

    ``parts``: 0-based indices where a new phase starts (qicharts2's ``part``); each part is a
    chart of its own, and ``baseline`` applies to the first part only (see the module's
    docstring). ``ValueError`` also when a part has no point with data.
    """
    bounds = part_bounds(len(values if values is not None else numerators or ()), check_parts(parts))
    if len(bounds) > 1:
        return _in_parts(kind, values, numerators, denominators, baseline, bounds)
    points, sizes = _points(kind, values, numerators, denominators)
    stop = baseline_stop(points, baseline)
    if kind in VALUE_KINDS:
        center, limits = _VALUE_CHARTS[kind](points[:stop], len(points))
    else:
        center = _pooled_rate(numerators[:stop], denominators[:stop], points[:stop])
        if kind in ("pp", "up"):
            limits = _laney_limits(kind, center, points[:stop], sizes[:stop], sizes)
        else:
            limits = [None if n is None else _rate_limits(kind, center, n) for n in sizes]
    return _assemble(points, center, limits)


def _points(kind: str, values: Sequence[float | None] | None,
            numerators: Sequence[float | None] | None, denominators: Sequence[float | None] | None,
            ) -> tuple[list[float | None], list[float | None] | None]:
    """The plotted points (and, for p, u, p' and u', the subgroup sizes), after checking the
    kind and its inputs."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind in VALUE_KINDS:
        if values is None or numerators is not None or denominators is not None:
            article = "an" if kind == "i" else "a"
            raise ValueError(f"{article} {kind} chart takes values (and no numerators or denominators)")
        points = [None if is_missing(v) else float(v) for v in values]
        _check_values(kind, points)
        return points, None
    if values is not None or numerators is None or denominators is None:
        raise ValueError(f"a {kind} chart takes numerators and denominators (and no values)")
    return _ratios(kind, numerators, denominators)


def _in_parts(kind: str, values: Sequence[float | None] | None,
              numerators: Sequence[float | None] | None, denominators: Sequence[float | None] | None,
              baseline: int | None, bounds: list[tuple[int, int]]) -> ControlChart:
    """Each part charted alone (``qic.agg`` splits by part), then laid end to end."""
    # The whole series is checked once, as one chart would be, before any part is drawn.
    _present(_points(kind, values, numerators, denominators)[0])
    charts = []
    for number, (start, stop) in enumerate(bounds):
        def part(sequence: Sequence[float | None] | None) -> Sequence[float | None] | None:
            return None if sequence is None else sequence[start:stop]  # noqa: B023 (used at once)
        try:
            charts.append(control_chart(kind, values=part(values), numerators=part(numerators),
                                        denominators=part(denominators),
                                        baseline=baseline if number == 0 else None))
        except ValueError as exc:
            raise ValueError(f"part {number} (from point {start}): {exc}") from exc
    starts = [start for start, _stop in bounds]
    return ControlChart(
        center=charts[-1].center,
        upper=[u for chart in charts for u in chart.upper],
        lower=[lo for chart in charts for lo in chart.lower],
        outside=[out for chart in charts for out in chart.outside],
        values=[v for chart in charts for v in chart.values],
        runs=join_parts([chart.runs for chart in charts], starts),
        parts=tuple(charts),
        starts=tuple(starts),
    )


def _check_values(kind: str, points: list[float | None]) -> None:
    if kind in ("c", "g"):
        for index, value in enumerate(points):
            if value is not None and value < 0:
                raise ValueError(f"count {value!r} at point {index} is negative")
    if kind == "t" and any(value is not None and value <= 0 for value in points):
        # qic.t: stop('Time between events must be greater than zero')
        raise ValueError("time between events must be greater than zero")


def _present(base: list[float | None]) -> list[float]:
    present = [v for v in base if v is not None]
    if not present:
        raise ValueError("a control chart needs at least one point with data")
    return present


def _individuals_limits(base: list[float | None], length: int) -> tuple[float, list[Limits | None]]:
    """Centre and (constant) limits of an I chart from its baseline points (``qic.i``)."""
    center = statistics.fmean(_present(base))
    sigma = _sigma_from_moving_ranges(base)
    # One point gives no moving range, hence no sigma and no limits.
    limits = None if sigma is None else (center - 3 * sigma, center + 3 * sigma)
    return center, [limits] * length


def _count_limits(base: list[float | None], length: int) -> tuple[float, list[Limits | None]]:
    """c chart (``qic.c``): Poisson counts, sigma = √c̄ (Montgomery 7.17)."""
    center = statistics.fmean(_present(base))
    spread = 3 * math.sqrt(center)
    return center, [(max(center - spread, 0.0), center + spread)] * length


def _geometric_limits(base: list[float | None], length: int) -> tuple[float, list[Limits | None]]:
    """g chart (``qic.g``): limits from the mean, sigma = √(ḡ(ḡ + 1)) (Montgomery p. 319);
    centre line at the median of the baseline points, as qicharts2 draws it."""
    present = _present(base)
    mean = statistics.fmean(present)
    spread = 3 * math.sqrt(mean * (mean + 1))
    return statistics.median(present), [(max(mean - spread, 0.0), mean + spread)] * length


def _time_limits(base: list[float | None], length: int) -> tuple[float, list[Limits | None]]:
    """t chart (``qic.t``): an I chart of y^(1/3.6), its lines raised back to the power 3.6."""
    transformed = [None if v is None else v ** (1 / T_POWER) for v in base]
    center, limits = _individuals_limits(transformed, length)
    limit = limits[0]
    if limit is not None:
        # R gives NaN for a negative number to a fractional power; qic.t then sets 0.
        lower = limit[0] ** T_POWER if limit[0] > 0 else 0.0
        limit = (lower, limit[1] ** T_POWER)
    return center ** T_POWER, [limit] * length


_VALUE_CHARTS = {"i": _individuals_limits, "c": _count_limits, "g": _geometric_limits,
                 "t": _time_limits}


def _sigma_from_moving_ranges(points: Sequence[float | None]) -> float | None:
    """sigma = screened mean moving range / d2; ``None`` with fewer than two adjacent points.

    As in qicharts2, a moving range next to a missing point is missing (a gap is not bridged).
    Moving ranges ≥ D4 times their mean come from special causes, so they are left out once and the
    mean recomputed; when the mean is 0 every range is 0 and nothing is left out.
    """
    ranges = [abs(b - a) for a, b in itertools.pairwise(points) if a is not None and b is not None]
    if not ranges:
        return None
    mean_range = statistics.fmean(ranges)
    kept = [r for r in ranges if r < D4 * mean_range]
    if kept:
        mean_range = statistics.fmean(kept)
    return mean_range / D2


def _ratios(
    kind: str, numerators: Sequence[float | None], denominators: Sequence[float | None]
) -> tuple[list[float | None], list[float | None]]:
    """Per-point ratio and subgroup size, ``None`` where the point is missing; validates inputs."""
    if len(numerators) != len(denominators):
        raise ValueError(
            f"numerators and denominators differ in length ({len(numerators)} and {len(denominators)})"
        )
    points: list[float | None] = []
    sizes: list[float | None] = []
    binomial = kind in ("p", "pp")
    for index, (num, den) in enumerate(zip(numerators, denominators, strict=True)):
        if not is_missing(den) and den < 0:
            raise ValueError(f"denominator {den!r} at point {index} is negative")
        if not is_missing(num) and num < 0:
            raise ValueError(f"numerator {num!r} at point {index} is negative")
        if binomial and not is_missing(num) and not is_missing(den) and num > den:
            raise ValueError(f"numerator {num!r} exceeds denominator {den!r} at point {index}")
        if is_missing(num) or is_missing(den) or den == 0:
            points.append(None)
            sizes.append(None)
        else:
            points.append(num / den)
            sizes.append(float(den))
    return points, sizes


def _pooled_rate(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    points: Sequence[float | None],
) -> float:
    """Σ numerators / Σ denominators over the points that are not missing."""
    pairs = [
        (n, d) for n, d, point in zip(numerators, denominators, points, strict=True) if point is not None
    ]
    if not pairs:
        raise ValueError("a control chart needs at least one point with data")
    return sum(n for n, _ in pairs) / sum(d for _, d in pairs)


def _rate_sigma(kind: str, center: float, size: float) -> float:
    """Binomial (p, pp) or Poisson (u, up) sigma of one point with subgroup size ``size``."""
    variance = center * (1 - center) if kind in ("p", "pp") else center
    return math.sqrt(variance / size)


def _clipped(kind: str, center: float, spread: float) -> Limits:
    # A proportion lies in [0, 1] and a rate is never negative.
    upper = min(center + spread, 1.0) if kind in ("p", "pp") else center + spread
    return max(center - spread, 0.0), upper


def _rate_limits(kind: str, center: float, size: float) -> Limits:
    """3-sigma limits of one p or u point with subgroup size ``size``, clipped to possible rates."""
    return _clipped(kind, center, 3 * _rate_sigma(kind, center, size))


def _laney_limits(
    kind: str, center: float, base_points: list[float | None], base_sizes: list[float | None],
    sizes: list[float | None],
) -> list[Limits | None]:
    """Laney's p'/u' limits (``qic.pp``, ``qic.up``): the p or u sigma of each point times sigma_z,
    the screened mean moving range of the baseline z-scores over 1.128.

    With p̄ of 0 or 1 (or ū of 0) the z-scores divide by 0; qicharts2 then has no limits,
    nor does this; nor with fewer than two adjacent baseline points (no moving range).
    """
    if center <= 0 or (kind == "pp" and center >= 1):
        return [None] * len(sizes)
    z = [None if y is None or n is None else (y - center) / _rate_sigma(kind, center, n)
         for y, n in zip(base_points, base_sizes, strict=True)]
    sigma_z = _sigma_from_moving_ranges(z)
    if sigma_z is None:
        return [None] * len(sizes)
    return [None if n is None else _clipped(kind, center, 3 * _rate_sigma(kind, center, n) * sigma_z)
            for n in sizes]


def _assemble(points: list[float | None], center: float, limits: list[Limits | None]) -> ControlChart:
    """Blank the limits of missing points, flag points beyond a limit and run the rules."""
    lower: list[float | None] = []
    upper: list[float | None] = []
    outside: list[bool] = []
    for point, limit in zip(points, limits, strict=True):
        if point is None or limit is None:
            lower.append(None)
            upper.append(None)
            outside.append(False)
        else:
            lower.append(limit[0])
            upper.append(limit[1])
            outside.append(point < limit[0] or point > limit[1])
    return ControlChart(
        center=center,
        upper=upper,
        lower=lower,
        outside=outside,
        values=points,
        runs=analyze_around(points, center),
    )
