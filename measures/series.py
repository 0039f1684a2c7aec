"""A measure's monthly series, analysed: what every chart, table and summary sentence is
built from. Pure arithmetic over numbers already read from the database; the rules are the
functions of ``runchart``, ``spc`` and ``mdc``.

One-way rooms: ``runchart``/``spc``/``mdc`` (pure rules) ← ``series`` (this module) ←
``summaries`` (sentences) ← ``aggregates`` (collaborative figures, privacy, cache) ←
``charts`` and ``sparklines`` (figures) ← views and the API.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from measures import mdc
from measures.formatting import format_value
from measures.models import Measure, MeasureValue, Stratum
from measures.months import month_range
from measures.runchart import RunChartAnalysis, analyze_run_chart, baseline_stop
from measures.spc import ControlChart, control_chart

# (numerator, denominator, note) of one month.
MonthCounts = tuple[float, float | None, str]


@dataclass(frozen=True)
class Point:
    month: datetime.date
    numerator: float | None
    denominator: float | None
    value: float | None
    note: str = ""


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
        stop = baseline_stop(self.values, baseline)
        return stop - 1 if stop < len(self.points) and self.present > baseline else None

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
        if self.measure.chart_kind == Measure.ChartKind.P:
            return number * 100
        if self.measure.chart_kind == Measure.ChartKind.U:
            return number * self.measure.rate_per
        return number

    def rows(self) -> list[dict]:
        """The data table under the chart: one row a month."""
        signals = self.signal_indices
        return [{"month": point.month, "numerator": point.numerator,
                 "denominator": point.denominator, "display": format_value(self.measure, point.value),
                 "signal": index in signals, "note": point.note, "hidden": self.hidden.get(index)}
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
                 stratum: Stratum | None = None, values: Mapping[datetime.date, float] | None = None
                 ) -> Series:
    """Analyse one line. ``by_month`` holds each month's counts; ``values``, when given, holds
    values that are not a ratio of counts (the median of the teams), and the line is then
    drawn as a run chart."""
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
    control = _control(measure, points, baseline) if values is None else None
    analysis = control.runs if control else analyze_run_chart(present, baseline=baseline)
    return Series(measure, label, points, analysis, control, stratum, status=_status(measure, present))


def _control(measure: Measure, points: list[Point], baseline: int | None) -> ControlChart | None:
    if not any(point.value is not None for point in points):
        return None
    kind = measure.chart_kind
    if kind in (Measure.ChartKind.P, Measure.ChartKind.U) and measure.has_denominator:
        return control_chart(
            kind,
            numerators=[p.numerator if p.value is not None else None for p in points],
            denominators=[p.denominator if p.value is not None else None for p in points],
            baseline=baseline,
        )
    if kind == Measure.ChartKind.XMR:
        return control_chart("i", values=[p.value for p in points], baseline=baseline)
    return None


def _status(measure: Measure, values: list[float | None]) -> mdc.MdcStatus | None:
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
    measure = line.measure
    if line.control is not None and measure.chart_kind in (Measure.ChartKind.P, Measure.ChartKind.U):
        result = build_series(measure, line.label, months, by_month, stratum=line.stratum)
    else:
        result = build_series(measure, line.label, months, {}, stratum=line.stratum, values=values)
        if line.control is not None:  # an XmR line stays an XmR line
            result.control = control_chart("i", values=result.values,
                                           baseline=measure.baseline_length or None)
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
                months: list[datetime.date] | None = None) -> Series:
    """A team's own series, from its value rows (a team has at most a few hundred)."""
    months = months if months is not None else month_axis(value.month for value in values)
    return build_series(measure, label, months, sum_by_month(values))


def stratum_series(measure: Measure, values: list[MeasureValue],
                   months: list[datetime.date] | None = None) -> list[Series]:
    """One series per group of a stratified measure, from one team's value rows."""
    months = months if months is not None else month_axis(value.month for value in values)
    by_stratum: dict[int, list[MeasureValue]] = {}
    for value in values:
        if value.stratum_id is not None:
            by_stratum.setdefault(value.stratum_id, []).append(value)
    return [build_series(measure, stratum.label, months, sum_by_month(by_stratum.get(stratum.pk, [])),
                         stratum=stratum)
            for stratum in measure.strata.all()]
