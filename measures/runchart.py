"""Run-chart rules: the Anhøj rules (as in qicharts2) and the IHI shift and trend rules.

Pure Python on purpose (no Django, no numpy) so charts, reports and the API can all share it.

References:
- Anhøj J, Olesen AV. Run charts revisited: a simulation study of run chart rules for
  detection of non-random variation in health care processes. PLoS ONE 2014.
- qicharts2 (R), ``runs.analysis()``: longest run > round(log2(n)) + 3, or
  crossings < qbinom(0.05, n - 1, 0.5), signals non-random variation.
- Perla RJ, Provost LP, Murray SK. The run chart: a simple analytical tool for learning from
  variation in healthcare processes. BMJ Qual Saf 2011 (shift: 6 or more points on one side of
  the median; trend: 5 or more points all going up or all going down).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

SHIFT_LENGTH = 6  # IHI: six or more consecutive points on one side of the median
TREND_LENGTH = 5  # IHI: five or more consecutive points all going up or all going down

Span = tuple[int, int]


@dataclass(frozen=True)
class RunChartAnalysis:
    """The run-chart rules applied to one series.

    ``median`` is the centre line the points were judged against (the chart's centre line when
    built by :func:`analyze_around`). The four Anhøj numbers are ``None`` when no point is useful.
    ``shifts`` and ``trends`` hold ``(first, last)`` indices into the original series.

    A series in parts (phases, qicharts2's ``part``) is analysed part by part: ``phases`` holds
    each part's own analysis, its spans already in whole-series indices; the other fields are
    those of the last part (the current phase), except ``shifts`` and ``trends``, which list
    every part's. No run or trend crosses a part boundary.
    """

    median: float | None
    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    crossings: int | None
    crossings_min: int | None
    runs_signal: bool
    shifts: list[Span]
    trends: list[Span]
    phases: tuple[RunChartAnalysis, ...] = ()


def is_missing(value: float | None) -> bool:
    """True for ``None`` and NaN, the two spellings of a missing point."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def median(values: Sequence[float | None]) -> float | None:
    """Median of the non-missing values, or ``None`` when every value is missing."""
    present = [v for v in values if not is_missing(v)]
    return statistics.median(present) if present else None


def baseline_stop(values: Sequence[float | None], baseline: int | None) -> int:
    """Length of the shortest prefix of ``values`` holding ``baseline`` non-missing points.

    ``None``, or a baseline larger than the number of non-missing points, means the whole
    series. Raises ``ValueError`` unless ``baseline`` is ``None`` or a positive integer.
    """
    if baseline is None:
        return len(values)
    if isinstance(baseline, bool) or not isinstance(baseline, int) or baseline < 1:
        raise ValueError(f"baseline must be a positive whole number of points, not {baseline!r}")
    seen = 0
    for index, value in enumerate(values):
        if not is_missing(value):
            seen += 1
            if seen == baseline:
                return index + 1
    return len(values)


def max_longest_run(n_useful: int) -> int:
    """Anhøj upper limit for the longest run: ``round(log2(n_useful)) + 3`` (Schilling 2012).

    log2 of a whole number is never exactly x.5, so R's and Python's half-to-even rounding
    cannot differ here.
    """
    return round(math.log2(n_useful)) + 3


def min_crossings(n_useful: int) -> int:
    """Anhøj lower limit for crossings: R's ``qbinom(0.05, n_useful - 1, 0.5)`` computed exactly.

    That is the smallest k with P(X <= k) >= 0.05 for X ~ Binomial(n_useful - 1, 1/2). Integer
    arithmetic (20 * Σ C(n, i) >= 2**n) avoids floating-point doubt at the boundary.
    """
    trials = max(n_useful - 1, 0)
    cumulative = 0
    for k in range(trials + 1):
        cumulative += math.comb(trials, k)
        if 20 * cumulative >= 2**trials:
            return k
    return trials  # unreachable: the full sum is 2**trials


def part_bounds(length: int, parts: Iterable[int] = ()) -> list[Span]:
    """``(start, stop)`` of each part of a series of ``length`` points, as qicharts2's
    ``makeparts``: ``parts`` are the 0-based indices where a new part starts; 0, duplicates and
    indices past the end change nothing. One part (possibly empty) without parts."""
    starts = sorted({0, *(index for index in parts if 0 <= index < length)})
    return list(itertools.pairwise([*starts, max(length, 0)])) or [(0, 0)]


def check_parts(parts: Iterable[int]) -> list[int]:
    parts = list(parts)
    for index in parts:
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError(f"part starts must be whole numbers from 0, not {index!r}")
    return parts


def analyze_run_chart(
    values: Sequence[float | None], *, baseline: int | None = None, parts: Iterable[int] = ()
) -> RunChartAnalysis:
    """Apply the Anhøj rules (as in qicharts2) and the IHI shift/trend rules around the median.

    The median is that of the first ``baseline`` non-missing points (all of them when
    ``baseline`` is ``None`` or exceeds what is available). ``None`` and NaN are missing points:
    they count in ``n_obs`` but are otherwise skipped. See :func:`analyze_around` for the rules.

    ``parts``: indices where a new phase starts; each part is analysed alone around its own
    median (qicharts2's ``part``). ``baseline`` then applies to the first part only (see
    :func:`measures.spc.control_chart` for why).
    """
    bounds = part_bounds(len(values), check_parts(parts))
    if len(bounds) == 1:
        stop = baseline_stop(values, baseline)
        return analyze_around(values, median(values[:stop]))
    analyses = []
    for number, (start, stop) in enumerate(bounds):
        part = values[start:stop]
        end = baseline_stop(part, baseline if number == 0 else None)
        analyses.append(analyze_around(part, median(part[:end])))
    return join_parts(analyses, [start for start, _stop in bounds])


def join_parts(analyses: Sequence[RunChartAnalysis], starts: Sequence[int]) -> RunChartAnalysis:
    """One analysis of a series in parts from each part's own (spans in part indices)."""
    moved = tuple(
        replace(analysis, shifts=[(a + start, b + start) for a, b in analysis.shifts],
                trends=[(a + start, b + start) for a, b in analysis.trends])
        for analysis, start in zip(analyses, starts, strict=True))
    return replace(moved[-1], shifts=[span for part in moved for span in part.shifts],
                   trends=[span for part in moved for span in part.trends], phases=moved)


def analyze_around(values: Sequence[float | None], center: float | None) -> RunChartAnalysis:
    """Apply the run-chart rules around an explicit centre line (the median, or a control chart's
    centre).

    Anhøj: points on the centre and missing points are dropped; a run is a stretch of the
    remaining (useful) points on one side; crossings = runs - 1. ``runs_signal`` when the longest
    run exceeds :func:`max_longest_run` or crossings fall below :func:`min_crossings`.
    IHI: ``shifts`` are maximal runs of ≥ 6 useful points; ``trends`` are maximal stretches of
    ≥ 5 points each higher (or each lower) than the previous one, ties and missing points skipped.
    """
    useful = _useful_points(values, center)
    runs = _runs(useful)
    shifts = [(run[0], run[-1]) for run in runs if len(run) >= SHIFT_LENGTH]
    trends = _trends(values)
    n_useful = len(useful)
    if not n_useful:
        return RunChartAnalysis(center, len(values), 0, None, None, None, None, False, shifts, trends)
    longest_run = max(len(run) for run in runs)
    longest_run_max = max_longest_run(n_useful)
    crossings = len(runs) - 1
    crossings_min = min_crossings(n_useful)
    return RunChartAnalysis(
        median=center,
        n_obs=len(values),
        n_useful=n_useful,
        longest_run=longest_run,
        longest_run_max=longest_run_max,
        crossings=crossings,
        crossings_min=crossings_min,
        runs_signal=longest_run > longest_run_max or crossings < crossings_min,
        shifts=shifts,
        trends=trends,
    )


def _useful_points(values: Sequence[float | None], center: float | None) -> list[tuple[int, int]]:
    """``(index, side)`` for each point neither missing nor on the centre; side is +1 or -1."""
    if center is None:
        return []
    return [
        (index, 1 if value > center else -1)
        for index, value in enumerate(values)
        if not is_missing(value) and value != center
    ]


def _runs(useful: list[tuple[int, int]]) -> list[list[int]]:
    """Group useful points into runs (same side, consecutive once skipped points are removed)."""
    runs: list[list[int]] = []
    previous_side = 0
    for index, side in useful:
        if side != previous_side:
            runs.append([])
            previous_side = side
        runs[-1].append(index)
    return runs


def _trends(values: Sequence[float | None]) -> list[Span]:
    """Maximal stretches of ≥ 5 counted points each moving the same way as the step before.

    A point equal to the previous counted one is skipped (it neither breaks nor counts), as is a
    missing point. The turning point of a rise followed by a fall belongs to both trends.
    """
    trends: list[Span] = []
    last_index: int | None = None
    last_value = 0.0
    direction = 0  # +1 rising, -1 falling, 0 before the first step
    start = 0  # index of the first point of the current stretch
    count = 1  # points in the current stretch
    for index, value in enumerate(values):
        if is_missing(value) or (last_index is not None and value == last_value):
            continue
        if last_index is not None:
            step = 1 if value > last_value else -1
            if step == direction:
                count += 1
            else:
                if count >= TREND_LENGTH:
                    trends.append((start, last_index))
                direction, start, count = step, last_index, 2
        last_index, last_value = index, value
    if last_index is not None and count >= TREND_LENGTH:
        trends.append((start, last_index))
    return trends
