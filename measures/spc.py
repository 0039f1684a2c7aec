"""Shewhart control charts (I, p and u) with the conventions of qicharts2.

Pure Python on purpose (no Django, no numpy) so charts, reports and the API can all share it.

- i: centre = mean; sigma = mean moving range / 1.128 (d2 for n = 2), after leaving out moving
  ranges ≥ 3.267 times their mean (D4 for n = 2; Nelson 1982,
  as in qicharts2, where current versions do it under options(qic.screenedmr = TRUE));
  limits centre ± 3 sigma.
- p: p̄ = Σ numerators / Σ denominators; limits p̄ ± 3·√(p̄(1 - p̄)/nᵢ), clipped to [0, 1].
- u: ū = Σ counts / Σ exposure; limits ū ± 3·√(ū/nᵢ), lower limit clipped at 0.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from measures.runchart import RunChartAnalysis, analyze_around, baseline_stop, is_missing

KINDS = ("i", "p", "u")
D2 = 1.128  # expected moving range of two normal observations, in sigma
D4 = 3.267  # upper limit of a moving range, in mean moving ranges

Limits = tuple[float, float]  # (lower, upper)


@dataclass(frozen=True)
class ControlChart:
    """A control chart: one entry per point in ``values``, ``upper``, ``lower`` and ``outside``.

    ``values`` are the plotted points (the ratio numerator/denominator for p and u charts);
    missing points are ``None`` there and in the limits, and never ``outside``. ``runs`` is the
    run-chart analysis of the points around ``center`` (its ``median`` field holds ``center``).
    """

    center: float
    upper: list[float | None]
    lower: list[float | None]
    outside: list[bool]
    values: list[float | None]
    runs: RunChartAnalysis


def control_chart(
    kind: str,
    *,
    values: Sequence[float | None] | None = None,
    numerators: Sequence[float | None] | None = None,
    denominators: Sequence[float | None] | None = None,
    baseline: int | None = None,
) -> ControlChart:
    """Build an ``"i"``, ``"p"`` or ``"u"`` control chart (conventions of qicharts2).

    An i chart takes ``values``; p and u charts take ``numerators`` and ``denominators`` of
    equal length. ``None``/NaN, or a denominator of 0, make a point missing. ``baseline``: the
    first k non-missing points alone set the centre and sigma (all points when ``None`` or larger
    than available). A point is ``outside`` when strictly above ``upper`` or below ``lower``.

    Raises ``ValueError`` for an unknown kind, the wrong inputs for the kind, unequal lengths,
    negative numerators or denominators, a p-chart numerator above its denominator, a bad
    baseline, or a series with no data at all.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "i":
        if values is None or numerators is not None or denominators is not None:
            raise ValueError("an i chart takes values (and no numerators or denominators)")
        points = [None if is_missing(v) else float(v) for v in values]
        stop = baseline_stop(points, baseline)
        center, limits = _individuals_limits(points[:stop], len(points))
    else:
        if values is not None or numerators is None or denominators is None:
            raise ValueError(f"a {kind} chart takes numerators and denominators (and no values)")
        points, sizes = _ratios(kind, numerators, denominators)
        stop = baseline_stop(points, baseline)
        center = _pooled_rate(numerators[:stop], denominators[:stop], points[:stop])
        limits = [None if n is None else _rate_limits(kind, center, n) for n in sizes]
    return _assemble(points, center, limits)


def _individuals_limits(base: list[float | None], length: int) -> tuple[float, list[Limits | None]]:
    """Centre and (constant) limits of an I chart from its baseline points."""
    present = [v for v in base if v is not None]
    if not present:
        raise ValueError("a control chart needs at least one point with data")
    center = statistics.fmean(present)
    sigma = _sigma_from_moving_ranges(base)
    # One point gives no moving range, hence no sigma and no limits.
    limits = None if sigma is None else (center - 3 * sigma, center + 3 * sigma)
    return center, [limits] * length


def _sigma_from_moving_ranges(points: list[float | None]) -> float | None:
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
    for index, (num, den) in enumerate(zip(numerators, denominators, strict=True)):
        if not is_missing(den) and den < 0:
            raise ValueError(f"denominator {den!r} at point {index} is negative")
        if not is_missing(num) and num < 0:
            raise ValueError(f"numerator {num!r} at point {index} is negative")
        if kind == "p" and not is_missing(num) and not is_missing(den) and num > den:
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


def _rate_limits(kind: str, center: float, size: float) -> Limits:
    """3-sigma limits of one p or u point with subgroup size ``size``, clipped to possible rates."""
    variance = center * (1 - center) if kind == "p" else center
    spread = 3 * math.sqrt(variance / size)
    # A proportion lies in [0, 1] and a rate is never negative.
    upper = min(center + spread, 1.0) if kind == "p" else center + spread
    return max(center - spread, 0.0), upper


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
