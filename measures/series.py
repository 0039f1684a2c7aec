"""A measure's monthly series, analysed: what every chart, table and summary sentence is
built from. Pure arithmetic over numbers already read from the database; the rules are the
functions of ``runchart``, ``spc`` and ``mdc``.

One-way rooms: ``runchart``/``spc``/``mdc`` (pure rules) ← ``series`` (this module) ←
``summaries`` (sentences) ← ``aggregates`` (collaborative figures, privacy, cache) ←
``charts`` and ``sparklines`` (figures) ← views and the API.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from measures import mdc
from measures.formatting import format_value
from measures.models import Measure, MeasureValue, Stratum
from measures.months import month_range
from measures.runchart import RunChartAnalysis, analyze_run_chart, baseline_stop, part_bounds
from measures.spc import RATIO_KINDS, ControlChart, control_chart

# (numerator, denominator, note) of one month.
MonthCounts = tuple[float, float | None, str]

K = Measure.ChartKind
# The ``measures.spc`` kind each chart is drawn with (a run chart has none). p, u, p' and u'
# charts use the months' numerators and denominators; i, c, g and t charts the plotted values,
# which for a measure without a denominator are its numerators: the count of events (c), or
# the opportunities or days between events (g, t) a team records as its monthly value.
SPC_KINDS = {K.P: "p", K.U: "u", K.PP: "pp", K.UP: "up", K.XMR: "i", K.C: "c", K.G: "g", K.T: "t"}
PERCENT_CHARTS = (K.P, K.PP)  # worked in proportions, shown in percent
RATE_CHARTS = (K.U, K.UP)  # worked per unit, shown per ``rate_per``
RATIO_CHARTS = (K.P, K.U, K.PP, K.UP)  # their limits come from each month's denominator
PRIME_OF = {K.P: K.PP, K.U: K.UP}
# A pooled p or u line whose months average more than this many in the denominator is drawn
# as Laney's p' or u': with tens of thousands of children a month, p and u limits are so narrow
# that ordinary differences between programs (over-dispersion) put nearly every point outside.
LARGE_DENOMINATOR = 1000


def pooled_chart_kind(measure: Measure, denominators: Iterable[float | None]) -> str:
    """The chart kind of a line pooled over teams: Laney's p' (u') instead of the measure's p
    (u) chart when the average monthly denominator is above ``LARGE_DENOMINATOR``."""
    kind = measure.chart_kind
    if kind not in PRIME_OF or not measure.has_denominator:
        return kind
    sizes = [size for size in denominators if size]
    if sizes and sum(sizes) / len(sizes) > LARGE_DENOMINATOR:
        return PRIME_OF[kind]
    return kind


@dataclass(frozen=True)
class Point:
    month: datetime.date
    numerator: float | None
    denominator: float | None
    value: float | None
    note: str = ""


@dataclass(frozen=True)
class PhaseStart:
    """Where a new phase of a chart starts and why: plain data from a ``MeasurePhase``, so the
    analysis needs no database."""

    month: datetime.date
    reason: str
    pk: int | None = None
    change_idea: str = ""


@dataclass(frozen=True)
class Segment:
    """One phase of a line as drawn: points ``first`` to ``last`` (inclusive), its centre line
    in the measure's unit, and ``baseline_end`` when a frozen baseline ends inside it."""

    number: int  # 1 for the first phase
    first: int
    last: int
    center: float | None
    start: PhaseStart | None  # None for the first phase
    baseline_end: int | None = None


@dataclass
class Series:
    """One line on a chart: a team's (or the collaborative's) values of one measure, month by
    month, missing months included as gaps. ``hidden`` maps the index of a month that may not
    be shown to the reason (see ``measures.privacy``); its point is already blank."""

    measure: Measure
    label: str
    points: list[Point]
    analysis: RunChartAnalysis
    control: ControlChart | None = None
    stratum: Stratum | None = None
    status: mdc.MdcStatus | None = None
    hidden: dict[int, str] = field(default_factory=dict)
    limits_shown: bool = True
    chart_kind: str = ""  # when not the measure's own (a pooled line drawn as p' or u')
    # Phases after a change: where each phase after the first starts (indices into ``points``)
    # and why. Only phases with data on both sides of their start are kept (``build_series``).
    phase_starts: list[int] = field(default_factory=list)
    phases: list[PhaseStart] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The chart this line is drawn as: the measure's, unless the pooling changed it."""
        return self.chart_kind or self.measure.chart_kind

    @property
    def widened_for_pooling(self) -> bool:
        """A pooled p or u line drawn as Laney's p' or u' for its large denominators."""
        return self.kind != self.measure.chart_kind and self.kind in (K.PP, K.UP)

    @property
    def center_is_median(self) -> bool:
        """The centre line is a median: a run chart's, or a g chart's (as qicharts2 draws it)."""
        return self.control is None or self.kind == K.G

    @property
    def months(self) -> list[datetime.date]:
        return [point.month for point in self.points]

    @property
    def values(self) -> list[float | None]:
        return [point.value for point in self.points]

    @property
    def present(self) -> int:
        return sum(1 for point in self.points if point.value is not None)

    @property
    def center(self) -> float | None:
        """The centre line: the control chart's where there is one, else the median."""
        if self.control is not None:
            return self._scaled(self.control.center)
        return self.analysis.median

    @property
    def baseline_end(self) -> int | None:
        """Index of the last month that set the centre line, when a baseline was frozen
        before the end of the series (months without data do not count towards it)."""
        baseline = self.measure.baseline_length or None
        if baseline is None:
            return None
        # With phases the baseline is the first phase's only (see ``measures.spc``).
        values = self.values[:self.phase_starts[0]] if self.phase_starts else self.values
        stop = baseline_stop(values, baseline)
        present = sum(1 for value in values if value is not None)
        return stop - 1 if stop < len(values) and present > baseline else None

    @property
    def current_phase(self) -> PhaseStart | None:
        """The phase the latest months belong to, when the line has more than one."""
        return self.phases[-1] if self.phases else None

    def phase_of(self, index: int) -> int:
        """The 0-based phase of the point at ``index``."""
        return sum(1 for start in self.phase_starts if start <= index)

    def segments(self) -> list[Segment]:
        """Each phase with its own centre line (one segment without phases)."""
        if not self.points:
            return []
        bounds = part_bounds(len(self.points), self.phase_starts)
        if self.control is not None:
            centres = [self._scaled(part.center) for part in self.control.parts] or [self.center]
        else:
            centres = [part.median for part in self.analysis.phases] or [self.analysis.median]
        return [Segment(number + 1, start, stop - 1, centre,
                        self.phases[number - 1] if number else None,
                        self.baseline_end if number == 0 else None)
                for number, ((start, stop), centre) in enumerate(zip(bounds, centres, strict=True))]

    def limits(self) -> tuple[list[float | None], list[float | None]]:
        if self.control is None or not self.limits_shown:
            return [], []
        return ([self._scaled(u) for u in self.control.upper],
                [self._scaled(lo) for lo in self.control.lower])

    def _scaled(self, number: float | None) -> float | None:
        # p and u charts work in proportions and per-unit rates; the measure shows percent
        # or "per 100".
        if number is None:
            return None
        if self.kind in PERCENT_CHARTS:
            return number * 100
        if self.kind in RATE_CHARTS:
            return number * self.measure.rate_per
        return number

    def rows(self) -> list[dict]:
        """The data table under the chart: one row a month."""
        signals = self.signal_indices
        starts = dict(zip(self.phase_starts, self.phases, strict=True))
        return [{"month": point.month, "numerator": point.numerator,
                 "denominator": point.denominator, "display": format_value(self.measure, point.value),
                 "signal": index in signals, "note": point.note, "hidden": self.hidden.get(index),
                 # The phase column (shown when there is more than one phase): its number, and
                 # the reason on the row where it starts.
                 "phase": self.phase_of(index) + 1, "phase_start": starts.get(index)}
                for index, point in enumerate(self.points)]

    @property
    def signal_indices(self) -> set[int]:
        """Points inside a shift or a trend (and beyond a control limit)."""
        marked = {i for first, last in self.analysis.shifts for i in range(first, last + 1)}
        marked |= {i for first, last in self.analysis.trends for i in range(first, last + 1)}
        if self.control is not None:
            marked |= {i for i, out in enumerate(self.control.outside) if out}
        return marked

    @property
    def has_signal(self) -> bool:
        return bool(self.signal_indices or self.analysis.runs_signal
                    or (self.status is not None and self.status.variation_icon not in
                        (None, "common_cause")))


def build_series(measure: Measure, label: str, months: list[datetime.date],
                 by_month: Mapping[datetime.date, MonthCounts], *,
                 stratum: Stratum | None = None, values: Mapping[datetime.date, float] | None = None,
                 chart_kind: str | None = None, phases: Sequence[PhaseStart] = ()) -> Series:
    """Analyse one line. ``by_month`` holds each month's counts; ``values``, when given, holds
    values that are not a ratio of counts (the median of the teams), and the line is then
    drawn as a run chart. ``chart_kind`` overrides the measure's (see ``pooled_chart_kind``).
    ``phases``: new phases after a change; each phase has its own centre, limits and rules."""
    kind = chart_kind or measure.chart_kind
    if measure.records_events and kind in (K.G, K.T):
        # A month-by-month line of an event measure is its monthly counts: a c chart. The
        # days between events are drawn on the team's events page (measures.event_charts).
        kind = K.C
    points = []
    for month in months:
        numerator, denominator, note = by_month.get(month, (None, None, ""))
        if values is not None:
            value = values.get(month)
        else:
            value = measure.value_of(numerator, denominator) if numerator is not None else None
        points.append(Point(month, numerator, denominator, value, note))
    baseline = measure.baseline_length or None  # 0 would mean "no point" — treat as all
    present = [point.value for point in points]
    kept = phase_indices(present, [point.month for point in points], phases)
    parts = [index for index, _phase in kept]
    control = _control(kind, measure, points, baseline, parts) if values is None else None
    analysis = control.runs if control else analyze_run_chart(present, baseline=baseline, parts=parts)
    return Series(measure, label, points, analysis, control, stratum,
                  status=_status(measure, present, parts),
                  chart_kind="" if kind == measure.chart_kind else kind,
                  phase_starts=parts, phases=[phase for _index, phase in kept])


def phase_indices(values: list[float | None], months: list[datetime.date],
                  phases: Sequence[PhaseStart]) -> list[tuple[int, PhaseStart]]:
    """The phases that start inside the line, with the index of their first month, in order.

    A phase needs a point with data in it and in the phase before it (a part without data has
    no centre line): one that would leave either empty is left out, and the phase before it
    runs on (each kept start checks the part since the previous kept start and the rest). A
    phase starting on the first month changes nothing (qicharts2's ``makeparts``)."""
    where = {month: index for index, month in enumerate(months)}
    kept: list[tuple[int, PhaseStart]] = []
    previous = 0
    for phase in sorted(phases, key=lambda phase: phase.month):
        index = where.get(phase.month)
        if not index:  # not on the axis, or its first month
            continue
        if any(v is not None for v in values[previous:index]) and any(v is not None for v in values[index:]):
            kept.append((index, phase))
            previous = index
    return kept


def _control(kind: str, measure: Measure, points: list[Point], baseline: int | None,
             parts: list[int]) -> ControlChart | None:
    spc_kind = SPC_KINDS.get(kind)
    if spc_kind is None or not any(point.value is not None for point in points):
        return None
    if spc_kind in RATIO_KINDS:
        if not measure.has_denominator:
            return None
        return control_chart(
            spc_kind,
            numerators=[p.numerator if p.value is not None else None for p in points],
            denominators=[p.denominator if p.value is not None else None for p in points],
            baseline=baseline, parts=parts,
        )
    return _value_control(spc_kind, [p.value for p in points], baseline, parts)


def _value_control(spc_kind: str, values: list[float | None], baseline: int | None,
                   parts: Sequence[int] = ()) -> ControlChart | None:
    """An i, c, g or t chart of the values, or ``None`` when the values cannot make one: none
    left, or a time between events of 0 (qicharts2 refuses it); the line is then a run chart."""
    if not any(value is not None for value in values):
        return None
    try:
        return control_chart(spc_kind, values=values, baseline=baseline, parts=parts)
    except ValueError:
        return None


def _status(measure: Measure, values: list[float | None], parts: Sequence[int] = ()
            ) -> mdc.MdcStatus | None:
    if not any(value is not None for value in values):
        return None
    # Making Data Count fixes limits only after 12 points or more (NHSRplotthedots refuses
    # fewer); a shorter baseline of the run chart leaves the MDC limits on every point.
    baseline = measure.baseline_length or 0
    return mdc.status(
        values,
        improvement_direction="increase" if measure.direction == Measure.Direction.UP else "decrease",
        target=None if measure.goal is None else float(measure.goal),
        fix_after_n_points=baseline if baseline >= mdc.MIN_FIX_AFTER_N_POINTS else None,
        rebase=parts,  # a phase is a Making Data Count rebase (the package fixes in each segment)
    )


def reanalysed(line: Series, hidden: Mapping[int, str], *, limits_shown: bool = True) -> Series:
    """The line with the ``hidden`` months blanked, counts dropped and the analysis redone
    on what is left, so nothing drawn or said rests on a hidden figure."""
    months = line.months
    by_month, values = {}, {}
    for index, point in enumerate(line.points):
        if index in hidden or point.value is None:
            continue
        values[point.month] = point.value
        if point.numerator is not None:
            by_month[point.month] = (point.numerator, point.denominator, "")
    measure, kind = line.measure, line.kind
    if line.control is not None and SPC_KINDS[kind] in RATIO_KINDS:
        # The line keeps its kind (a pooled p' line stays p') on the months left.
        result = build_series(measure, line.label, months, by_month, stratum=line.stratum, chart_kind=kind,
                              phases=line.phases)
    else:
        result = build_series(measure, line.label, months, {}, stratum=line.stratum, values=values,
                              phases=line.phases)
        if line.control is not None:  # an XmR, c, g or t line stays one
            result.control = _value_control(SPC_KINDS[kind], result.values, measure.baseline_length or None,
                                            result.phase_starts)
            result.chart_kind = line.chart_kind
            if result.control is not None:
                result.analysis = result.control.runs
    # Counts never leave: only values and the centre line.
    result.points = [Point(p.month, None, None, p.value) for p in result.points]
    result.hidden = dict(hidden)
    result.limits_shown = limits_shown
    return result


def month_axis(months: Iterable[datetime.date]) -> list[datetime.date]:
    months = list(months)
    return month_range(min(months), max(months)) if months else []


def sum_by_month(values: Iterable[MeasureValue]) -> dict[datetime.date, MonthCounts]:
    """A team's values added up month by month (the groups of a stratified measure into
    the team's total), notes joined."""
    sums: dict[datetime.date, list] = {}
    for value in values:
        entry = sums.setdefault(value.month, [0.0, None, []])
        entry[0] += float(value.numerator)
        if value.denominator is not None:
            entry[1] = (entry[1] or 0.0) + float(value.denominator)
        if value.note:
            entry[2].append(value.note)
    return {month: (n, d, "; ".join(notes)) for month, (n, d, notes) in sums.items()}


def team_series(measure: Measure, values: list[MeasureValue], label: str,
                months: list[datetime.date] | None = None, *,
                phases: Sequence[PhaseStart] = ()) -> Series:
    """A team's own series, from its value rows (a team has at most a few hundred)."""
    months = months if months is not None else month_axis(value.month for value in values)
    return build_series(measure, label, months, sum_by_month(values), phases=phases)


def stratum_series(measure: Measure, values: list[MeasureValue],
                   months: list[datetime.date] | None = None) -> list[Series]:
    """One series per group of a stratified measure, from one team's value rows."""
    months = months if months is not None else month_axis(value.month for value in values)
    by_stratum: dict[int, list[MeasureValue]] = {}
    for value in values:
        if value.stratum_id is not None:
            by_stratum.setdefault(value.stratum_id, []).append(value)
    return [build_series(measure, stratum.display_label, months, sum_by_month(by_stratum.get(stratum.pk, [])),
                         stratum=stratum)
            for stratum in measure.strata.all()]
