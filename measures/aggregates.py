"""The aggregate layer: every figure about more than one team comes from here.

The collaborative chart, every team's small chart, the strata and disparity figures, the
chart-data API, and the dashboards, reports and exports to come read ``measure_figures``.
It reads a measure's values once, summed in SQL by team and month and by group and month
(a few thousand tuples at 200 teams by 24 months, never one model instance per value),
analyses each line and, for anyone who does not lead the collaborative, applies the
small-cell rules of ``measures.privacy`` **here, before a figure leaves**: pages, exports and
the API never re-implement them.

How the teams are put together depends on the kind of measure, deliberately, and the page
says which (``KIND_WORDS``):

- **pooled** (percentages and rates with a denominator: p and u charts and their run
  charts): Σ numerators / Σ denominators, so a program with more children weighs more;
- **total** (plain counts): the teams' counts added up;
- **median** (means, and XmR measures): the median of the team values, since means of
  different scales do not add up.

Results are cached per measure and audience (Redis in a deployment) and forgotten when a
value, a measure, a group or a team changes (``measures.signals``).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, FloatField, Sum
from django.db.models.functions import Cast, TruncQuarter
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures import privacy, summaries
from measures.models import Measure, MeasureValue
from measures.months import add_months
from measures.phase_selectors import chart_phase_starts, measure_team_phase_starts
from measures.series import (
    RATIO_CHARTS,
    MonthCounts,
    PhaseStart,
    Series,
    build_series,
    month_axis,
    pooled_chart_kind,
    reanalysed,
)
from teams import access
from teams.models import Team

POOLED, TOTAL, MEDIAN = "pooled", "total", "median"
KIND_WORDS = {
    POOLED: gettext_lazy("All teams pooled: every team's numerators added up over their "
                         "denominators, so a larger program weighs more."),
    TOTAL: gettext_lazy("All teams' counts added up."),
    MEDIAN: gettext_lazy("The median of the team values: the middle team each month "
                         "(means do not add up across programs)."),
}
_CACHE_SECONDS = 24 * 3600


def aggregate_kind(measure: Measure) -> str:
    # Events recorded with their dates reach this layer as monthly counts only (their dates
    # stay with the team): counts add up across programs.
    if measure.records_events:
        return TOTAL
    # Days or opportunities between events (g and t charts) do not add up across programs either.
    if measure.unit == Measure.Unit.MEAN or measure.chart_kind in (
            Measure.ChartKind.XMR, Measure.ChartKind.G, Measure.ChartKind.T):
        return MEDIAN
    if measure.has_denominator:
        return POOLED
    return TOTAL if measure.unit == Measure.Unit.COUNT else MEDIAN


def min_teams() -> int:
    return settings.BSC_MIN_TEAMS_IN_AGGREGATE


@dataclass(frozen=True)
class Icons:
    """A series' Making Data Count icons without its per-point detail (kept small in the cache)."""

    variation_icon: str | None
    assurance_icon: str | None


@dataclass(frozen=True)
class TeamLine:
    """One team's line as the every-team panel draws it: values, centre, signals, status and
    sentence, and nothing else (200 of these are cached per measure)."""

    team_id: int
    label: str
    values: list[float | None]
    center: float | None
    signal_indices: frozenset[int]
    has_signal: bool
    status: Icons | None
    summary: str


@dataclass
class Disparity:
    """Each group's rate relative to the reference group's, by calendar quarter (monthly
    counts of one group are too small to compare)."""

    reference: str
    quarters: list[datetime.date]
    ratios: dict[str, list[float | None]]
    hidden: dict[str, dict[int, str]]
    summary: str

    @property
    def periods(self) -> list[str]:
        return [quarter_name(quarter) for quarter in self.quarters]

    def rows(self) -> list[dict]:
        """The data table: a row a quarter, a cell a group (ratio, or why it is hidden)."""
        return [{"period": period, "cells": [
            {"ratio": values[index], "hidden": self.hidden.get(label, {}).get(index)}
            for label, values in self.ratios.items()]} for index, period in enumerate(self.periods)]


@dataclass
class Figures:
    """A measure across its collaborative, as one audience may see it."""

    measure: Measure
    full: bool  # the audience leads the collaborative: counts, every team, no suppression
    kind: str
    months: list[datetime.date]
    collaborative: Series
    reporting: list[int]  # teams that reported, month by month
    team_count: int
    summary: str
    teams: list[TeamLine] = field(default_factory=list)
    strata: list[Series] = field(default_factory=list)
    strata_summary: str = ""
    disparity: Disparity | None = None
    min_teams: int = 3
    funnel: Funnel | None = None
    improving: Improving | None = None

    @property
    def kind_words(self) -> str:
        return str(KIND_WORDS[self.kind])


@dataclass(frozen=True)
class FunnelPoint:
    """One team's latest month on the funnel plot; named only for those who lead."""

    team_id: int | None
    label: str
    denominator: float
    value: float
    outside: str  # "" inside the 99.8% limits, else "better" or "worse"


@dataclass(frozen=True)
class Funnel:
    """Teams' rates over the latest three months against the pooled rate, with the limits
    chance alone allows for a program of each size (Spiegelhalter's funnel plot: 95% and
    99.8%), so programs of different sizes are compared without ranking them. Three months,
    not one: a program's monthly counts are small, and would mostly be hidden."""

    start: datetime.date
    month: datetime.date
    centre: float
    points: list[FunnelPoint]
    # (denominator, lower 99.8%, lower 95%, upper 95%, upper 99.8%) along the x axis
    limits: list[tuple[float, float, float, float, float]]
    hidden: int  # teams left off for privacy
    summary: str


@dataclass(frozen=True)
class Improving:
    """How many teams' own lines show improvement (a Making Data Count special cause in the
    better direction) out of the teams with a line."""

    teams: int
    of: int

    @property
    def share(self) -> float:
        return self.teams / self.of if self.of else 0.0


@dataclass(frozen=True)
class CountCell:
    """One count in a table for people who may not see small cells: the value, or why not."""

    value: int | None
    hidden: str = ""


def count_table(rows: dict, *, full: bool) -> dict:
    """Counts of people or events (cycles, attendees, decisions) grouped in rows whose cells
    add up to the row's total ``"total"`` key, as the audience may see them: everything for
    those who lead; for others, counts of 1 to 9 hidden, with one more cell hidden in a row
    where a single one would be, so the total cannot give it away. No column totals are
    made here, so none can be subtracted from."""
    result = {}
    for key, cells in rows.items():
        if full:
            result[key] = {label: CountCell(int(value)) for label, value in cells.items()}
            continue
        parts = {label: privacy.Cell(float(value), None, min_teams())
                 for label, value in cells.items() if label != "total"}
        reasons = privacy.group_reasons(parts, min_teams=min_teams())
        if "total" in cells:
            reasons["total"] = privacy.cell_reason(
                privacy.Cell(float(cells["total"]), None, min_teams()), min_teams=min_teams())
        result[key] = {label: CountCell(None, summaries.hidden_words(reasons[label], min_teams()))
                       if reasons.get(label) else CountCell(int(value)) for label, value in cells.items()}
    return result


def quartiles_shown(teams: int) -> bool:
    """Whether the quartiles of ``teams`` teams' scores may be shown to those who do not
    lead: of three teams, the lower quartile, median and upper quartile are their three
    scores, so quartiles need two teams beyond each of them (the median alone needs
    ``teams_figure_shown``)."""
    return teams >= 2 * min_teams() - 1


def mean_shown(people: int, *, full: bool) -> bool:
    """Whether a mean over ``people`` people (hours of dosage a person) may be shown: the
    same line as a count, since a mean over three people is nearly their own numbers."""
    return full or not privacy.is_small(people)


def measure_figures(measure: Measure, user: access.User) -> Figures:
    """The measure's collaborative figures for ``user``: complete for those who lead the
    collaborative, with the small-cell rules applied for everyone else."""
    return _cached_figures(measure, full=access.leads_collaborative(user, measure.collaborative_id))


def public_figures(measure: Measure) -> Figures:
    """The figures as someone who does not lead the collaborative sees them, whoever asks:
    for what leaves the portal (the collaborative's monthly report to funders and the state)."""
    return _cached_figures(measure, full=False)


def _cached_figures(measure: Measure, *, full: bool) -> Figures:
    key = _cache_key(measure, full)
    figures = cache.get(key)
    if figures is None:
        figures = compute_figures(measure, full=full)
        cache.set(key, figures, _CACHE_SECONDS)
    return figures


def teams_figure_shown(teams: int) -> bool:
    """Whether a figure about ``teams`` teams (a distribution of their scores, say) may be
    shown to people who do not lead the collaborative."""
    return privacy.cell_reason(privacy.Cell(None if teams == 0 else 10.0, None, teams),
                               min_teams=min_teams()) is None


def compute_figures(measure: Measure, *, full: bool) -> Figures:
    """Uncached: read, aggregate, analyse and (unless ``full``) suppress."""
    by_team = _team_months(measure)
    strata_rows = _stratum_months(measure) if measure.is_stratified else []
    months = month_axis([month for _team, month in by_team] + [row[1] for row in strata_rows])
    threshold = min_teams()
    line, cells = _collaborative_line(measure, months, by_team, chart_phase_starts(measure, None))
    if not full:
        line = reanalysed(line, _reasons(cells, threshold), limits_shown=not _limits_reveal(measure))
    figures = Figures(
        measure=measure, full=full, kind=aggregate_kind(measure), months=months, collaborative=line,
        reporting=[cell.teams for cell in cells], team_count=len({team for team, _month in by_team}),
        summary=summaries.summary(line), min_teams=threshold,
    )
    lines = _team_lines(measure, months, by_team)
    if full:
        figures.teams = lines
    # Out of the teams whose line has a status (enough months to judge), not every team.
    judged = [line for line in lines if line.status and line.status.variation_icon]
    improving = sum(1 for line in judged if line.status.variation_icon.startswith("improvement"))
    if full or teams_figure_shown(len(judged)):
        figures.improving = Improving(improving, len(judged))
    if kind_has_funnel(measure):
        figures.funnel = _funnel(measure, by_team, full=full, threshold=threshold,
                                 names={team.team_id: team.label for team in lines} if full else {})
    if measure.is_stratified:
        figures.strata = _strata_lines(measure, months, strata_rows, full=full, threshold=threshold)
        figures.strata_summary = summaries.strata_summary(measure, figures.strata)
        figures.disparity = _disparity(measure, full=full, threshold=threshold)
    return figures


def kind_has_funnel(measure: Measure) -> bool:
    """A funnel plot compares proportions or rates with their denominators."""
    return aggregate_kind(measure) == POOLED


# z for the two funnels: 95% and 99.8% two-sided (Spiegelhalter 2005).
_Z95, _Z998 = 1.959964, 3.090232


def _funnel(measure: Measure, by_team: dict[tuple[int, datetime.date], tuple[float, float | None]], *,
            full: bool, threshold: int, names: dict[int, str]) -> Funnel | None:
    """Each team's rate over the three months up to the latest month enough teams reported,
    against the pooled rate.

    For those who do not lead: teams whose numerator or denominator is from 1 to 9 are left
    off (their rate and size would give the count away), nobody is named, and there is no
    funnel unless at least ``threshold`` teams remain."""
    reported: dict[datetime.date, int] = defaultdict(int)
    for (_team, month), (_n, d) in by_team.items():
        if d:
            reported[month] += 1
    usable = [month for month, teams in reported.items() if teams >= threshold]
    if not usable:
        return None
    month = max(usable)
    start = add_months(month, -2)
    sums: dict[int, list[float]] = {}
    for (team, day), (n, d) in by_team.items():
        if d and start <= day <= month:
            entry = sums.setdefault(team, [0.0, 0.0])
            entry[0] += n
            entry[1] += d
    rows = [(team, n, d) for team, (n, d) in sums.items()]
    scale = measure.value_of(1, 1) or 1.0  # 100 for a percent, rate_per for a rate
    if not full:
        kept = [row for row in rows if not (privacy.is_small(row[1]) or privacy.is_small(row[2]))]
        if len(kept) < threshold:
            return None
    else:
        kept = rows
    # Pooled over the teams drawn: with the ones left off inside it, the centre and the
    # points drawn would give a lone left-off team's rate away.
    centre = sum(n for _t, n, _d in kept) / sum(d for _t, _n, d in kept)
    binomial = measure.unit == Measure.Unit.PERCENT or measure.chart_kind == Measure.ChartKind.P

    def spread(size: float) -> float:
        variance = centre * (1 - centre) if binomial else centre
        return (max(variance, 0.0) / size) ** 0.5

    def bounded(value: float) -> float:
        return min(max(value, 0.0), 1.0) if binomial else max(value, 0.0)

    better_high = measure.direction == Measure.Direction.UP
    points = []
    for team, n, d in sorted(kept, key=lambda row: row[2]):
        rate, width = n / d, _Z998 * spread(d)
        outside = ""
        if rate > centre + width or rate < centre - width:
            outside = "better" if (rate > centre) == better_high else "worse"
        points.append(FunnelPoint(team if full else None, names.get(team, ""), d, rate * scale, outside))
    largest = max(d for _t, _n, d in kept)
    sizes = sorted({max(1.0, largest * step / 60) for step in range(1, 61)} | {d for _t, _n, d in kept})
    limits = [(size, *(bounded(centre + sign * z * spread(size)) * scale
                       for sign, z in ((-1, _Z998), (-1, _Z95), (1, _Z95), (1, _Z998))))
              for size in sizes]
    hidden = len(rows) - len(kept)
    return Funnel(start, month, centre * scale, points, limits, hidden,
                  summaries.funnel_summary(measure, start, month, centre * scale, points, hidden))


def _limits_reveal(measure: Measure) -> bool:
    # A p or u chart's limits (and Laney's p' and u') are drawn from each month's denominator
    # and give it away (and with the rate, the count); the limits of I, c, g and t charts come
    # from the values alone, which are shown anyway.
    return measure.chart_kind in RATIO_CHARTS


def _reasons(cells: list[privacy.Cell], threshold: int) -> dict[int, str]:
    return {index: reason for index, cell in enumerate(cells)
            if (reason := privacy.cell_reason(cell, min_teams=threshold))}


# --- Reads: sums in SQL ----------------------------------------------------------------------

def _sums() -> dict:
    return {"n": Cast(Sum("numerator"), FloatField()), "d": Cast(Sum("denominator"), FloatField())}


def _team_months(measure: Measure) -> dict[tuple[int, datetime.date], tuple[float, float | None]]:
    """Each team's month (a stratified measure's groups added into the team's total)."""
    rows = (MeasureValue.objects.filter(measure=measure).order_by()
            .values_list("team_id", "month").annotate(**_sums()))
    return {(team, month): (n, d) for team, month, n, d in rows}


def _stratum_months(measure: Measure) -> list[tuple[int, datetime.date, float, float | None, int]]:
    return list(MeasureValue.objects.filter(measure=measure, stratum__isnull=False).order_by()
                .values_list("stratum_id", "month")
                .annotate(**_sums(), teams=Count("team_id", distinct=True)))


# --- Lines ---------------------------------------------------------------------------------

def _collaborative_line(measure: Measure, months: list[datetime.date],
                        by_team: dict[tuple[int, datetime.date], tuple[float, float | None]],
                        phases: list[PhaseStart] = ()) -> tuple[Series, list[privacy.Cell]]:
    """The collaborative's line and, month by month, the cell the privacy rules judge: the
    pooled counts and how many teams contributed, whatever the kind of aggregate."""
    pooled: dict[datetime.date, list] = {}
    team_values: dict[datetime.date, list[float]] = defaultdict(list)
    for (_team, month), (n, d) in by_team.items():
        entry = pooled.setdefault(month, [0.0, None, 0])
        entry[0] += n
        if d is not None:
            entry[1] = (entry[1] or 0.0) + d
        entry[2] += 1
        value = measure.value_of(n, d)
        if value is not None:
            team_values[month].append(value)
    cells = [privacy.Cell(*pooled[month]) if month in pooled else privacy.Cell(None, None, 0)
             for month in months]
    counts: dict[datetime.date, MonthCounts] = {month: (n, d, "") for month, (n, d, _t) in pooled.items()}
    kind = aggregate_kind(measure)
    if kind == MEDIAN:
        medians = {month: statistics.median(values) for month, values in team_values.items()}
        return build_series(measure, _("Median of the teams"), months, {}, values=medians,
                            phases=phases), cells
    if kind == POOLED:
        # The one place a pooled line may be drawn as another chart than the measure's.
        chart_kind = pooled_chart_kind(measure, [d for _n, d, _t in pooled.values()])
        return build_series(measure, _("All teams (pooled)"), months, counts, chart_kind=chart_kind,
                            phases=phases), cells
    return build_series(measure, _("All teams (total)"), months, counts, phases=phases), cells


def _team_lines(measure: Measure, months: list[datetime.date],
                by_team: dict[tuple[int, datetime.date], tuple[float, float | None]]) -> list[TeamLine]:
    """Every team's own line, teams showing a signal first, then by name.

    Each line is cached under a digest of the measure's definition and the team's own
    numbers and phases, so when one team saves a month or starts a phase only its line is
    analysed again: the other 199 come back from the cache in one round trip."""
    per_team: dict[int, dict[datetime.date, MonthCounts]] = defaultdict(dict)
    for (team, month), (n, d) in by_team.items():
        per_team[team][month] = (n, d, "")
    names = dict(Team.objects.filter(pk__in=per_team).values_list("pk", "name"))
    phases = measure_team_phase_starts(measure)
    definition = _definition_digest(measure, months)
    keys = {team: (f"bsc:teamline:{measure.pk}:{definition}:{_digest(sorted(counts.items()))}"
                   f":{_digest(phases.get(team, []))}")
            for team, counts in per_team.items()}
    cached = cache.get_many(list(keys.values()))
    lines, fresh = [], {}
    for team, counts in per_team.items():
        line = cached.get(keys[team])
        if line is None:
            line = fresh[keys[team]] = _team_line(measure, months, team, counts, phases.get(team, ()))
        lines.append(dataclasses.replace(line, team_id=team, label=names.get(team, "")))
    if fresh:
        cache.set_many(fresh, _CACHE_SECONDS)
    lines.sort(key=lambda item: (not item.has_signal, item.label.casefold()))
    return lines


def _team_line(measure: Measure, months: list[datetime.date], team: int,
               counts: dict[datetime.date, MonthCounts], phases: list[PhaseStart] = ()) -> TeamLine:
    line = build_series(measure, "", months, counts, phases=phases)
    status = line.status and Icons(line.status.variation_icon, line.status.assurance_icon)
    return TeamLine(team, "", line.values, line.center, frozenset(line.signal_indices),
                    line.has_signal, status, summaries.summary(line))


def _definition_digest(measure: Measure, months: list[datetime.date]) -> str:
    """What a team's line depends on besides its own numbers: the measure's definition, the
    month axis and the language of the sentences."""
    return _digest((measure.name, measure.unit, measure.rate_per, measure.direction, measure.goal,
                    measure.chart_kind, measure.baseline_length, measure.has_denominator,
                    months[:1], len(months), translation.get_language()))


def _digest(value: object) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=12).hexdigest()


def _strata_lines(measure: Measure, months: list[datetime.date], rows: list[tuple], *,
                  full: bool, threshold: int) -> list[Series]:
    strata = list(measure.strata.all())
    cells: dict[int, dict[datetime.date, privacy.Cell]] = defaultdict(dict)
    for stratum, month, n, d, teams in rows:
        cells[stratum][month] = privacy.Cell(n, d, teams)
    lines = [build_series(measure, stratum.display_label, months,
                          {month: (c.numerator, c.denominator, "") for month, c in cells[stratum.pk].items()},
                          stratum=stratum)
             for stratum in strata]
    if full:
        return lines
    hidden: dict[str, dict[int, str]] = {stratum.display_label: {} for stratum in strata}
    for index, month in enumerate(months):
        group = {s.display_label: cells[s.pk].get(month, privacy.Cell(None, None, 0)) for s in strata}
        for label, reason in privacy.group_reasons(group, min_teams=threshold).items():
            if reason:
                hidden[label][index] = reason
    return [reanalysed(line, hidden[line.label], limits_shown=not _limits_reveal(measure))
            for line in lines]


def _disparity(measure: Measure, *, full: bool, threshold: int) -> Disparity | None:
    if not measure.has_denominator or not any(s.is_reference for s in measure.strata.all()):
        return None
    rows = (MeasureValue.objects.filter(measure=measure, stratum__isnull=False).order_by()
            .annotate(quarter=TruncQuarter("month")).values_list("stratum_id", "quarter")
            .annotate(**_sums(), teams=Count("team_id", distinct=True)))
    cells: dict[datetime.date, dict[int, privacy.Cell]] = defaultdict(dict)
    for stratum, quarter, n, d, teams in rows:
        quarter = quarter.date() if isinstance(quarter, datetime.datetime) else quarter
        cells[quarter][stratum] = privacy.Cell(n, d, teams)
    return disparity_from_cells(measure, cells, full=full, threshold=threshold)


def disparity_from_cells(measure: Measure, cells: dict[datetime.date, dict[int, privacy.Cell]], *,
                         full: bool, threshold: int = 0) -> Disparity | None:
    """Quarterly rates of each group against the reference group's, from counts pooled over
    the quarter (and across teams), suppressed as any other cell unless ``full``. A team's
    own page passes its own cells with ``full``."""
    strata = list(measure.strata.all())
    reference = next((s for s in strata if s.is_reference), None)
    if reference is None or not measure.has_denominator:
        return None
    quarters = sorted(cells)
    labels = {s.pk: s.display_label for s in strata}
    hidden: dict[str, dict[int, str]] = {s.display_label: {} for s in strata}
    rates: dict[str, list[float | None]] = {s.display_label: [] for s in strata}
    for index, quarter in enumerate(quarters):
        group = {labels[pk]: cell for pk, cell in cells[quarter].items() if pk in labels}
        reasons = {} if full else privacy.group_reasons(group, min_teams=threshold)
        for stratum in strata:
            cell, reason = group.get(stratum.display_label), reasons.get(stratum.display_label)
            if reason:
                hidden[stratum.display_label][index] = reason
            shown = cell is not None and not reason and cell.denominator
            rates[stratum.display_label].append(cell.numerator / cell.denominator if shown else None)
    base = rates[reference.display_label]
    ratios = {label: [None if v is None or not r else v / r for v, r in zip(values, base, strict=True)]
              for label, values in rates.items() if label != reference.display_label}
    return Disparity(reference.display_label, quarters, ratios, hidden,
                     _disparity_summary(measure, quarters, ratios, reference.display_label, hidden))


def quarter_of(month: datetime.date) -> datetime.date:
    return month.replace(month=(month.month - 1) // 3 * 3 + 1, day=1)


def quarter_name(quarter: datetime.date) -> str:
    return _("Q%(number)s %(year)s") % {"number": (quarter.month - 1) // 3 + 1, "year": quarter.year}


def _disparity_summary(measure: Measure, quarters: list[datetime.date], ratios: dict[str, list],
                       reference: str, hidden: dict[str, dict[int, str]]) -> str:
    """The latest quarter with any ratio, and its widest gap in the measure's direction."""
    latest = max((i for values in ratios.values() for i, v in enumerate(values) if v is not None),
                 default=None)
    if latest is None:
        if hidden.get(reference):
            return _("Not enough children in %(group)s in any quarter to compare the groups "
                     "without revealing small numbers.") % {"group": reference}
        return _("Not enough data to compare the groups with %(group)s yet.") % {"group": reference}
    shown = {label: values[latest] for label, values in ratios.items() if values[latest] is not None}
    worse_is_higher = measure.direction == Measure.Direction.DOWN
    label, ratio = (max if worse_is_higher else min)(shown.items(), key=lambda item: item[1])
    context = {"quarter": quarter_name(quarters[latest]), "group": label, "ratio": ratio,
               "reference": reference}
    if (worse_is_higher and ratio <= 1) or (not worse_is_higher and ratio >= 1):
        return _("In %(quarter)s no group fared worse than %(reference)s.") % context
    return _("In %(quarter)s the widest gap: %(group)s at %(ratio).1f times the rate of %(reference)s "
             "(1.0 means no gap).") % context


# --- Cache -----------------------------------------------------------------------------------

def _cache_key(measure: Measure, full: bool) -> str:
    keys = (f"bsc:figures:collaborative:{measure.collaborative_id}", f"bsc:figures:measure:{measure.pk}")
    versions = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in versions}
    if missing:
        cache.set_many(missing, None)
        versions.update(missing)
    audience = "full" if full else "public"
    # Sentences and month names are in the reader's language.
    language = translation.get_language()
    return f"bsc:figures:{measure.pk}:{versions[keys[0]]}:{versions[keys[1]]}:{audience}:{language}"


def forget_measure(measure_id: int) -> None:
    """A value, the measure or one of its groups changed: recompute on the next read."""
    cache.set(f"bsc:figures:measure:{measure_id}", uuid.uuid4().hex, None)


def forget_collaborative(collaborative_id: int) -> None:
    """A team changed (renamed, added, removed), or values were written in bulk."""
    cache.set(f"bsc:figures:collaborative:{collaborative_id}", uuid.uuid4().hex, None)
