"""A measure's monthly series, analysed: what every chart, table, summary sentence and the
chart-data API are built from. Reads through the ORM once per series; the rules themselves
are the pure functions of ``runchart`` and ``spc``."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from measures.models import Measure, MeasureValue, Stratum
from measures.months import month_range
from measures.runchart import RunChartAnalysis, analyze_run_chart
from measures.spc import ControlChart, control_chart

# Counts below this are shown as "< 10" to state viewers and in exports (small cells).
SMALL_CELL = 10


@dataclass(frozen=True)
class Point:
    month: datetime.date
    numerator: Decimal | None
    denominator: Decimal | None
    value: float | None
    note: str = ""


@dataclass
class Series:
    """One line on a chart: a team's (or the pooled collaborative's) values of one measure,
    month by month, missing months included as gaps."""

    measure: Measure
    label: str
    points: list[Point]
    analysis: RunChartAnalysis
    control: ControlChart | None = None
    stratum: Stratum | None = None
    extra: dict = field(default_factory=dict)

    @property
    def months(self) -> list[datetime.date]:
        return [point.month for point in self.points]

    @property
    def values(self) -> list[float | None]:
        return [point.value for point in self.points]

    @property
    def center(self) -> float | None:
        """The centre line: the control chart's where there is one, else the median."""
        if self.control is not None:
            return self._scaled(self.control.center)
        return self.analysis.median

    def limits(self) -> tuple[list[float | None], list[float | None]]:
        if self.control is None:
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
        suppressed = self.extra.get("suppressed", set())
        return [{"month": point.month, "numerator": point.numerator,
                 "denominator": point.denominator, "display": format_value(self.measure, point.value),
                 "signal": index in signals, "note": point.note, "suppressed": index in suppressed}
                for index, point in enumerate(self.points)]

    @property
    def signal_indices(self) -> set[int]:
        """Points inside a shift or a trend (and beyond a control limit)."""
        marked = {i for first, last in self.analysis.shifts for i in range(first, last + 1)}
        marked |= {i for first, last in self.analysis.trends for i in range(first, last + 1)}
        if self.control is not None:
            marked |= {i for i, out in enumerate(self.control.outside) if out}
        return marked


def build_series(measure: Measure, label: str, months: list[datetime.date],
                 by_month: dict[datetime.date, tuple[Decimal, Decimal | None, str]],
                 stratum: Stratum | None = None) -> Series:
    points = []
    for month in months:
        numerator, denominator, note = by_month.get(month, (None, None, ""))
        value = measure.value_of(numerator, denominator) if numerator is not None else None
        points.append(Point(month, numerator, denominator, value, note))
    values = [point.value for point in points]
    analysis = analyze_run_chart(values, baseline=measure.baseline_length)
    control = _control(measure, points)
    return Series(measure, label, points, control.runs if control else analysis, control, stratum)


def _control(measure: Measure, points: list[Point]) -> ControlChart | None:
    if not any(point.value is not None for point in points):
        return None
    kind = measure.chart_kind
    if kind in (Measure.ChartKind.P, Measure.ChartKind.U):
        return control_chart(
            kind,
            numerators=[float(p.numerator) if p.numerator is not None else None for p in points],
            denominators=[float(p.denominator) if p.denominator is not None else None for p in points],
            baseline=measure.baseline_length,
        )
    if kind == Measure.ChartKind.XMR:
        return control_chart("i", values=[p.value for p in points], baseline=measure.baseline_length)
    return None


def month_axis(values: Iterable[MeasureValue]) -> list[datetime.date]:
    months = [value.month for value in values]
    return month_range(min(months), max(months)) if months else []


def team_series(measure: Measure, values: list[MeasureValue], label: str,
                months: list[datetime.date] | None = None) -> Series:
    """A team's series; a stratified measure's groups are added up into the team's total."""
    months = months if months is not None else month_axis(values)
    return build_series(measure, label, months, _sum_by_month(values))


def stratum_series(measure: Measure, values: list[MeasureValue],
                   months: list[datetime.date] | None = None) -> list[Series]:
    """One series per group of a stratified measure."""
    months = months if months is not None else month_axis(values)
    by_stratum: dict[int, list[MeasureValue]] = defaultdict(list)
    for value in values:
        if value.stratum_id is not None:
            by_stratum[value.stratum_id].append(value)
    return [build_series(measure, stratum.label, months, _sum_by_month(by_stratum[stratum.pk]),
                         stratum=stratum)
            for stratum in measure.strata.all()]


def _sum_by_month(values: Iterable[MeasureValue]) -> dict[datetime.date, tuple]:
    sums: dict[datetime.date, list] = {}
    for value in values:
        entry = sums.setdefault(value.month, [Decimal(0), None, []])
        entry[0] += value.numerator
        if value.denominator is not None:
            entry[1] = (entry[1] or Decimal(0)) + value.denominator
        if value.note:
            entry[2].append(value.note)
    return {month: (n, d, "; ".join(notes)) for month, (n, d, notes) in sums.items()}


def summary(series: Series) -> str:
    """One plain sentence on what the chart shows, e.g. "7 points above the median from
    March 2026 to September 2026: a shift — non-random improvement."."""
    measure, analysis = series.measure, series.analysis
    present = [point for point in series.points if point.value is not None]
    if not present:
        return _("%(measure)s: no data yet.") % {"measure": measure.name}
    if len(present) < 10:
        return _("%(measure)s: %(count)s months of data; at least 10 are needed to judge "
                 "whether the changes are improvements.") % {"measure": measure.name,
                                                             "count": len(present)}
    if analysis.shifts:
        first, last = analysis.shifts[-1]
        centre = series.center  # in the measure's unit (the analysis may hold a proportion)
        above = series.values[last] > centre
        return _("%(count)s points %(side)s the %(centre)s from %(first)s to %(last)s: a shift — "
                 "%(meaning)s.") % {
            "count": sum(1 for i in range(first, last + 1)
                         if series.values[i] is not None and series.values[i] != centre),
            "side": _("above") if above else _("below"), "centre": _centre_name(series),
            "first": _month(series.months[first]), "last": _month(series.months[last]),
            "meaning": _meaning(measure, above)}
    if analysis.trends:
        first, last = analysis.trends[-1]
        rising = series.values[last] > series.values[first]
        return _("Points %(way)s from %(first)s to %(last)s: a trend — %(meaning)s.") % {
            "way": _("rising") if rising else _("falling"),
            "first": _month(series.months[first]), "last": _month(series.months[last]),
            "meaning": _meaning(measure, rising)}
    if series.control is not None and any(series.control.outside):
        count = sum(series.control.outside)
        return _("%(count)s point(s) outside the control limits: special-cause variation to "
                 "look into.") % {"count": count}
    if analysis.runs_signal:
        return _("Too few crossings of the %(centre)s or a run too long: non-random variation.") % {
            "centre": _centre_name(series)}
    return _("No signal yet: the points vary at random around the %(centre)s of %(value)s.") % {
        "centre": _centre_name(series), "value": format_value(measure, series.center)}


def _centre_name(series: Series) -> str:
    return _("centre line") if series.control is not None else _("median")


def _meaning(measure: Measure, up: bool) -> str:
    better = up == (measure.direction == Measure.Direction.UP)
    return _("non-random improvement") if better else _("non-random change in the wrong direction")


def _month(month: datetime.date) -> str:
    return date_format(month, "F Y")


def format_value(measure: Measure, value: float | None) -> str:
    if value is None:
        return "—"
    if measure.unit == Measure.Unit.PERCENT:
        return f"{value:.0f}%"
    if measure.unit == Measure.Unit.COUNT:
        return f"{value:.0f}"
    return f"{value:.1f}"


def collaborative_series(measure: Measure, values: list[MeasureValue],
                         months: list[datetime.date] | None = None) -> Series:
    """The collaborative against its shared aim: numerators and denominators pooled across
    teams for p and u charts; for the others, each month's median of the team values."""
    months = months if months is not None else month_axis(values)
    if measure.chart_kind in (Measure.ChartKind.P, Measure.ChartKind.U):
        # Notes are a team's own words: they never reach the collaborative's chart.
        pooled = {month: (n, d, "") for month, (n, d, _note) in _sum_by_month(values).items()}
        series = build_series(measure, _("All teams (pooled)"), months, pooled)
    else:
        by_team: dict[int, list[MeasureValue]] = defaultdict(list)
        for value in values:
            by_team[value.team_id].append(value)
        per_month: dict[datetime.date, list[float]] = defaultdict(list)
        for team_values in by_team.values():
            for month, (n, d, _note) in _sum_by_month(team_values).items():
                team_value = measure.value_of(n, d)
                if team_value is not None:
                    per_month[month].append(team_value)
        points = [Point(month, None, None, _median(per_month.get(month, []))) for month in months]
        analysis = analyze_run_chart([p.value for p in points], baseline=measure.baseline_length)
        series = Series(measure, _("Median of the teams"), points, analysis)
    series.extra["team_count"] = len({value.team_id for value in values})
    return series


def _median(numbers: list[float]) -> float | None:
    if not numbers:
        return None
    ordered = sorted(numbers)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def small_months(line: Series) -> set[int]:
    """Months of a pooled series whose count is 1 to 9. Rates alone would not hide them: a p
    or u chart's limits give the denominator away, and with it the count."""
    return {index for index, point in enumerate(line.points)
            if point.numerator is not None and 0 < point.numerator < SMALL_CELL}


def small_stratum_cells(lines: list[Series]) -> dict[str, set[int]]:
    """Per group, the months to hide: each month's small cells and their complements."""
    hidden: dict[str, set[int]] = {line.label: set() for line in lines}
    for index in range(len(lines[0].points) if lines else 0):
        counts = {line.label: (None if line.points[index].numerator is None
                               else float(line.points[index].numerator)) for line in lines}
        kept = suppress_small_cells(counts)
        for label, count in counts.items():
            if count is not None and kept[label] is None:
                hidden[label].add(index)
    return hidden


def rates_only(line: Series, hide: set[int]) -> Series:
    """The series as someone who does not lead the collaborative sees it: values without
    counts, hidden months blank, limits blank where their month is hidden."""
    points = [Point(p.month, None, None, None if i in hide else p.value)
              for i, p in enumerate(line.points)]
    control = line.control
    if control is not None and hide:
        control = ControlChart(
            center=control.center,
            upper=[None if i in hide else u for i, u in enumerate(control.upper)],
            lower=[None if i in hide else lo for i, lo in enumerate(control.lower)],
            outside=[False if i in hide else o for i, o in enumerate(control.outside)],
            values=[None if i in hide else v for i, v in enumerate(control.values)],
            runs=control.runs,
        )
    return Series(line.measure, line.label, points, line.analysis, control, line.stratum,
                  {**line.extra, "suppressed": set(hide)})


def suppress_small_cells(counts: dict[str, float | None]) -> dict[str, float | None]:
    """Hide counts from 1 to 9 (``None`` = "< 10"). When only one cell of a group would be
    hidden, the next smallest is hidden too, so the total does not give it away."""
    hidden = {label for label, count in counts.items() if count is not None and 0 < count < SMALL_CELL}
    if len(hidden) == 1:
        others = sorted((count, label) for label, count in counts.items()
                        if label not in hidden and count is not None and count > 0)
        if others:
            hidden.add(others[0][1])
    return {label: None if label in hidden else count for label, count in counts.items()}
