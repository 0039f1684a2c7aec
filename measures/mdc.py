"""NHS England "Making Data Count" (MDC) variation and assurance, exactly as NHSRplotthedots 0.2.2.

Pure Python on purpose (no Django, no numpy) so charts, reports and the API can all share it.

Source: the R package NHSRplotthedots 0.2.2 (github.com/nhs-r-community/NHSRplotthedots, tag
0.2.2, commit 050b07d): ``R/ptd_spc_standard.R`` (limits), ``R/ptd_calculate_point_type.R``
(rules), ``R/geom_ptd_icon.R`` (``ptd_get_icons``: icons), ``R/ptd_calculate_assurance_type.R``
(assurance), ``R/ptd_add_short_group_warnings.R`` and ``R/ptd_spc_options.R`` (checks).

Segments: ``rebase`` indices start new segments; each has its own mean and limits, and the rules
never look across a segment boundary. ``fix_after_n_points`` (at least 12, as in the package):
only the first n points of each segment set its mean and limits; later points are judged
against them.

Limits, per segment, from its (baseline) points:
- mean = arithmetic mean; moving ranges |xᵢ - xᵢ₋₁| of consecutive points, mean MR = their mean;
- ``screen_outliers`` (the default): moving ranges not strictly below 3.267 x mean MR are left
  out and the mean MR recomputed ONCE (Nelson 1982); the MDC Excel tools do not screen;
- limits = mean ± 2.66 x mean MR; the "2 sigma" lines = mean ± (2 x 2.66 / 3) x mean MR.
  With no moving range left (one point, or every range 0 under screening) the package gets NaN
  limits: here ``lpl``/``upl`` are ``None``, no point is outside or near them, and the
  assurance is "inconsistent" (NaN comparisons fall through to the package's default).

Rules, on every point of a segment, first match wins:
1. outside the limits (strictly above ``upl`` or below ``lpl``);
2. part of 7 points in a row each strictly higher (or lower) than the one before (a tie breaks
   the trend); its direction is the step to the next point when that point is also part of a
   trend, else the step from the previous point, and anything but a rise counts as decreasing;
3. "2 in 3": the point lies beyond the 2-sigma line but inside the limits, and it sits in a
   window of 3 consecutive points holding at least 2 such points, all 3 strictly on the same side
   of the mean (a point outside the limits does not count towards the 2);
4. part of 7 points in a row strictly on the same side of the mean (a point on the mean breaks
   the run).
High (above, rising) is improvement when ``improvement_direction`` is "increase", concern when
"decrease"; with "neutral" it is neutral high/low.

Icons: the variation icon comes from the point type of the last point alone (so of the last
segment); improvement is "improvement_high" for "increase" and "improvement_low" for "decrease",
concern "concern_low"/"concern_high". The assurance icon compares the target with the last
point's limits: above ``upl`` fails for "increase" and passes for "decrease", below ``lpl`` the
reverse, otherwise (including on a limit) "inconsistent"; there is none with a neutral direction
or no target.

Missing months (``None`` or NaN): the package asks for series without gaps; here the statistics
are those of the package run on the series with the missing months removed. Moving ranges,
trends, runs and "2 in 3" windows therefore bridge a gap, and ``fix_after_n_points`` counts
points with data. A missing month keeps its place in ``points`` with every field ``None`` except
``segment``; a rebase index on a missing month still starts the segment there. The icons come
from the last month with data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from measures.runchart import is_missing

DIRECTIONS = ("increase", "decrease", "neutral")
LIMIT = 2.66  # 3 / d2 (1.128): limits at 3 sigma, in mean moving ranges
NEAR_LIMIT = 2 * (LIMIT / 3)  # 2 sigma; written as in the package so the floats agree
SCREEN = 3.267  # D4 for n = 2: moving ranges from this many mean MRs up are left out
RUN = 7  # points on one side of the mean
TREND = 7  # points each rising (or each falling)
MIN_FIX_AFTER_N_POINTS = 12  # the package refuses smaller baselines
TRIAL_LIMITS_BELOW = 13  # package default of ptd_spc.warning_threshold (its message says 12)


@dataclass(frozen=True)
class MdcPoint:
    """One month. Every field but ``segment`` is ``None`` for a missing month.

    ``point_type``: "common_cause", "special_cause_improvement", "special_cause_concern",
    "special_cause_neutral_high" or "special_cause_neutral_low". ``rule`` names the rule that
    set it: "outside_limits", "trend", "two_in_three", "shift", or ``None`` for common cause.
    ``segment`` counts rebases from 0. ``lpl``/``upl`` are ``None`` when not computable.
    """

    value: float | None
    mean: float | None
    lpl: float | None
    upl: float | None
    point_type: str | None
    rule: str | None
    segment: int


@dataclass(frozen=True)
class MdcStatus:
    """The MDC status of a series.

    ``variation_icon``: "common_cause", "improvement_high", "improvement_low", "concern_high",
    "concern_low", "neutral_high" or "neutral_low"; ``None`` without data. ``assurance_icon``:
    "pass", "fail", "inconsistent", or ``None``. ``trial_limits`` is the package's short-group
    warning: some segment holds data but fewer than 13 points.
    """

    points: list[MdcPoint]
    variation_icon: str | None
    assurance_icon: str | None
    trial_limits: bool


@dataclass(frozen=True)
class _Limits:
    mean: float
    lpl: float | None
    upl: float | None
    near_lpl: float | None
    near_upl: float | None


def status(
    values: Sequence[float | None],
    *,
    improvement_direction: str,
    target: float | None = None,
    rebase: Iterable[int] = (),
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
) -> MdcStatus:
    """MDC point types and icons of a monthly series (oldest first), as NHSRplotthedots 0.2.2.

    ``rebase``: 0-based indices where a new segment starts; 0 and indices past the end change
    nothing (like a rebase date outside the data). ``target`` ``None`` or NaN means no target.
    Never raises for short series. Raises ``ValueError`` for an unknown direction, a negative or
    non-integer rebase index, or ``fix_after_n_points`` that is not a whole number ≥ 12.
    """
    _check(improvement_direction, fix_after_n_points, screen_outliers)
    points = [None if is_missing(v) else float(v) for v in values]
    result: list[MdcPoint] = []
    trial_limits = False
    for segment, (start, stop) in enumerate(_segment_bounds(len(points), rebase)):
        chunk = _segment(
            points[start:stop], segment, improvement_direction, fix_after_n_points, screen_outliers
        )
        result.extend(chunk)
        present = sum(point.value is not None for point in chunk)
        trial_limits = trial_limits or 0 < present < TRIAL_LIMITS_BELOW
    last = next((point for point in reversed(result) if point.value is not None), None)
    return MdcStatus(
        points=result,
        variation_icon=_variation_icon(last, improvement_direction),
        assurance_icon=_assurance_icon(last, improvement_direction, target),
        trial_limits=trial_limits,
    )


def _check(direction: str, fix_after_n_points: int | None, screen_outliers: bool) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(f"improvement_direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if fix_after_n_points is not None and (
        isinstance(fix_after_n_points, bool)
        or not isinstance(fix_after_n_points, int)
        or fix_after_n_points < MIN_FIX_AFTER_N_POINTS
    ):
        raise ValueError(
            f"fix_after_n_points must be a whole number of at least {MIN_FIX_AFTER_N_POINTS}, "
            f"not {fix_after_n_points!r}"
        )
    if not isinstance(screen_outliers, bool):
        raise ValueError(f"screen_outliers must be True or False, not {screen_outliers!r}")


def _segment_bounds(length: int, rebase: Iterable[int]) -> list[tuple[int, int]]:
    """``(start, stop)`` of each segment; one segment (possibly empty) without rebases."""
    starts = {0}
    for index in rebase:
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError(f"rebase indices must be whole numbers from 0, not {index!r}")
        if index < length:  # the package ignores a rebase date that is not in the data
            starts.add(index)
    ordered = sorted(starts)
    return list(zip(ordered, [*ordered[1:], length], strict=True))


def _segment(
    values: list[float | None], segment: int, direction: str, fix: int | None, screen: bool
) -> list[MdcPoint]:
    """Points of one segment, computed on its months with data (the package after NA removal)."""
    result = [MdcPoint(None, None, None, None, None, None, segment) for _ in values]
    present = [(index, value) for index, value in enumerate(values) if value is not None]
    if not present:
        return result
    ys = [value for _, value in present]
    limits = _limits(ys[:fix] if fix is not None else ys, screen)
    for (index, value), (side, rule) in zip(present, _special_causes(ys, limits), strict=True):
        result[index] = MdcPoint(
            value, limits.mean, limits.lpl, limits.upl, _point_type(side, direction), rule, segment
        )
    return result


def _limits(base: list[float], screen: bool) -> _Limits:
    """Mean and limits from the baseline points (``ptd_spc_standard``)."""
    mean = math.fsum(base) / len(base)
    mean_range = _mean_moving_range(base, screen)
    if mean_range is None:
        return _Limits(mean, None, None, None, None)
    return _Limits(
        mean,
        mean - LIMIT * mean_range,
        mean + LIMIT * mean_range,
        mean - NEAR_LIMIT * mean_range,
        mean + NEAR_LIMIT * mean_range,
    )


def _mean_moving_range(base: list[float], screen: bool) -> float | None:
    """Mean moving range, screened once; ``None`` where the package's mean is NaN (no range left).

    Screening keeps ranges strictly below 3.267 times the mean, so when every range is 0 none
    survives: the package then has NaN limits rather than limits on the mean.
    """
    ranges = [abs(b - a) for a, b in pairwise(base)]
    if not ranges:
        return None
    mean_range = math.fsum(ranges) / len(ranges)
    if screen:
        ranges = [r for r in ranges if r < SCREEN * mean_range]
        if not ranges:
            return None
        mean_range = math.fsum(ranges) / len(ranges)
    return mean_range


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _special_causes(ys: list[float], limits: _Limits) -> list[tuple[int, str | None]]:
    """``(side, rule)`` per point: side +1 high, -1 low, 0 common cause (``ptd_special_cause_type``)."""
    sides = [_sign(y - limits.mean) for y in ys]
    outside = [limits.upl is not None and (y > limits.upl or y < limits.lpl) for y in ys]
    near = [
        limits.near_upl is not None and not out and (y < limits.near_lpl or y > limits.near_upl)
        for y, out in zip(ys, outside, strict=True)
    ]
    trend = _part_of_seven(_trend_ends(ys))
    trend_steps = _trend_steps(ys, trend)
    two_in_three = _two_in_three(near, sides)
    shift = _part_of_seven(_run_ends(sides))
    result: list[tuple[int, str | None]] = []
    for i, side in enumerate(sides):
        if outside[i]:
            result.append((1 if side == 1 else -1, "outside_limits"))
        elif trend[i]:
            result.append((1 if trend_steps[i] == 1 else -1, "trend"))
        elif two_in_three[i]:
            result.append((1 if side > 0 else -1, "two_in_three"))
        elif shift[i]:
            result.append((1 if side > 0 else -1, "shift"))
        else:
            result.append((0, None))
    return result


def _trend_ends(ys: list[float]) -> list[int]:
    """+1 (-1) at the last point of 7 each strictly above (below) the one before, else 0."""
    ends = [0] * len(ys)
    for i in range(TREND - 1, len(ys)):
        steps = {_sign(b - a) for a, b in pairwise(ys[i - TREND + 1 : i + 1])}
        if steps in ({1}, {-1}):
            ends[i] = steps.pop()
    return ends


def _run_ends(sides: list[int]) -> list[int]:
    """1 at the last point of 7 on the same side of the mean (none on it), else 0."""
    ends = [0] * len(sides)
    for i in range(RUN - 1, len(sides)):
        window = sides[i - RUN + 1 : i + 1]
        ends[i] = int(window[-1] != 0 and all(side == window[-1] for side in window))
    return ends


def _part_of_seven(ends: list[int]) -> list[bool]:
    """A point belongs to a run or trend when one ends on it or within the next 6 points."""
    return [any(ends[i : i + 7]) for i in range(len(ends))]


def _trend_steps(ys: list[float], trend: list[bool]) -> list[int]:
    """Direction credited to each point: the next step inside a trend, else the previous step.

    As in the package, a point followed by another trend point takes the step to it even when
    that step is flat or starts another trend, and the first point has no previous step (0).
    """
    steps = []
    for i in range(len(ys)):
        if i + 1 < len(ys) and trend[i] and trend[i + 1]:
            steps.append(_sign(ys[i + 1] - ys[i]))
        else:
            steps.append(_sign(ys[i] - ys[i - 1]) if i > 0 else 0)
    return steps


def _two_in_three(near: list[bool], sides: list[int]) -> list[bool]:
    """Near points in a 3-point window with ≥ 2 near points and all 3 on one side of the mean."""

    def signals(start: int) -> bool:
        if start < 0 or start + 3 > len(near):
            return False
        return sum(near[start : start + 3]) >= 2 and abs(sum(sides[start : start + 3])) == 3

    return [near[i] and any(signals(start) for start in (i - 2, i - 1, i)) for i in range(len(near))]


def _point_type(side: int, direction: str) -> str:
    """``ptd_point_type``: orient a high/low special cause by the improvement direction."""
    if side == 0:
        return "common_cause"
    if direction == "neutral":
        return "special_cause_neutral_high" if side > 0 else "special_cause_neutral_low"
    oriented = side if direction == "increase" else -side
    return "special_cause_improvement" if oriented > 0 else "special_cause_concern"


def _variation_icon(last: MdcPoint | None, direction: str) -> str | None:
    """Icon of the last point's type (``ptd_get_icons``)."""
    if last is None:
        return None
    increase = direction == "increase"
    return {
        "common_cause": "common_cause",
        "special_cause_neutral_high": "neutral_high",
        "special_cause_neutral_low": "neutral_low",
        "special_cause_improvement": "improvement_high" if increase else "improvement_low",
        "special_cause_concern": "concern_low" if increase else "concern_high",
    }[last.point_type]


def _assurance_icon(last: MdcPoint | None, direction: str, target: float | None) -> str | None:
    """Target against the last point's limits (``ptd_calculate_assurance_type``)."""
    if last is None or is_missing(target) or direction == "neutral":
        return None
    increase = direction == "increase"
    # NaN limits make both comparisons NA in R, which case_when treats as FALSE.
    if last.upl is not None and target > last.upl:
        return "fail" if increase else "pass"
    if last.lpl is not None and target < last.lpl:
        return "pass" if increase else "fail"
    return "inconsistent"
