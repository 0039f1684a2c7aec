"""The cohort dashboard: the collaborative's course above, one row per team below, so an
advisor sees the whole cohort on one screen and knows which team needs a call.

It reads; it derives nothing of its own. Measure figures and each team's variation status
come from the aggregate layer, the month's data and report from ``reports.selectors``, the
cycles from ``pdsa.selectors`` and ``pdsa.leadership``, composition from ``teams.selectors``
and dosage from ``teams.dosage``. Every part is a constant number of queries whatever the
number of teams; the measure figures come from the aggregate layer's cache.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from collaboratives.models import Collaborative, Period
from collaboratives.selectors import collaborative_timeline, current_period
from measures import aggregates
from measures.formatting import format_value
from measures.models import Measure
from measures.months import add_months, month_start
from measures.summaries import VARIATION_WORDS
from pdsa.leadership import teams_without_family
from pdsa.models import Cycle
from pdsa.selectors import CycleActivity, cycle_activity_by_team
from reports import scale
from reports.exports import Table
from reports.models import MonthlyReport
from reports.selectors import TeamMonth, team_months
from teams import access
from teams.dosage import TeamDosage, collaborative_dosage
from teams.models import Team
from teams.selectors import CompositionGap, composition_gaps_by_team, teams_with_composition

# What a row can be flagged for; the dashboard's filter offers each with its count.
FLAGS: dict[str, Promise] = {
    "data_late": gettext_lazy("Data late"),
    "report_late": gettext_lazy("Report late"),
    "to_review": gettext_lazy("Report to review"),
    "stalled": gettext_lazy("Cycles with no change for 4 weeks"),
    "no_cycles": gettext_lazy("No cycle this action period"),
    "score_gap": gettext_lazy("Self- and advisor scores 1 or more apart"),
    "not_cross_role": gettext_lazy("Not cross-role"),
    "no_family_in_cycles": gettext_lazy("No family member has led or joined a cycle"),
    "dosage_behind": gettext_lazy("Behind on dosage"),
}
SORTS = ("name", "advisor_score", "self_score", "data", "cycles", "stalled")


@dataclass(frozen=True)
class Score:
    """A team's latest score and which way it moved since the score before."""

    value: Decimal | None
    trend: int  # 1 up, -1 down, 0 same or nothing to compare

    @property
    def trend_words(self) -> str:
        return {1: _("up"), -1: _("down")}.get(self.trend, "")


@dataclass
class TeamRow:
    team: Team
    standing: TeamMonth
    self_score: Score
    advisor_score: Score
    score_gap: Decimal | None  # between the two scores of the latest month that has both
    activity: CycleActivity
    statuses: list[tuple[Measure, aggregates.Icons | None]]
    gaps: list[CompositionGap]
    dosage: TeamDosage | None
    flags: list[str] = field(default_factory=list)

    @property
    def flag_words(self) -> list[str]:
        return [str(FLAGS[flag]) for flag in self.flags]


@dataclass(frozen=True)
class ScoreMonth:
    month: datetime.date
    self_counts: list[int]  # teams at each level of scale.LEVELS
    advisor_counts: list[int]
    self_median: float | None
    advisor_median: float | None

    @property
    def advisor_cells(self) -> list[tuple[int, int]]:
        return _heat(self.advisor_counts)

    @property
    def self_cells(self) -> list[tuple[int, int]]:
        return _heat(self.self_counts)


def _heat(counts: list[int]) -> list[tuple[int, int]]:
    """Each count with its shade, 0 (none) to 4, by its share of the month's teams: the
    shade repeats the number, which is always printed."""
    total = sum(counts) or 1
    return [(count, 0 if not count else 1 + sum(count / total >= cut for cut in (0.15, 0.3, 0.5)))
            for count in counts]


@dataclass(frozen=True)
class Outcome:
    """An outcome measure against the shared aim: the collaborative's line and its goal."""

    measure: Measure
    figures: aggregates.Figures
    latest: str
    latest_month: datetime.date | None
    goal: str

    @property
    def rows(self) -> list[tuple]:
        """The chart's data table: each month's point and the teams that reported."""
        line = self.figures.collaborative
        return list(zip(line.points, self.figures.reporting, strict=False))


@dataclass(frozen=True)
class Segment:
    label: str
    kind: str
    start: datetime.date
    end: datetime.date
    x: float  # per cent of the strip
    width: float
    is_current: bool


@dataclass(frozen=True)
class Timeline:
    segments: list[Segment]
    today: datetime.date
    today_x: float | None  # None when today is outside the collaborative
    current: Period | None
    summary: str


@dataclass
class CohortDashboard:
    collaborative: Collaborative
    month: datetime.date  # the month whose data and report are now due
    since: datetime.date | None  # start of the current action period: the cycles counted
    timeline: Timeline
    outcomes: list[Outcome]
    measures: list[Measure]
    scores: list[ScoreMonth]
    scores_summary: str
    rows: list[TeamRow]
    flag_counts: dict[str, int]


def cohort_dashboard(collaborative: Collaborative, user: access.User, *,
                     today: datetime.date | None = None) -> CohortDashboard:
    """Everything on the dashboard, for a leader of ``collaborative`` (the caller checks)."""
    today = today or timezone.localdate()
    month = add_months(month_start(today), -1)
    periods = collaborative_timeline(collaborative)
    since = _action_period_start(periods, today)
    # The strata are not needed here (the figures come from the aggregate layer's cache).
    measures = list(Measure.objects.filter(collaborative=collaborative).order_by("order", "name"))
    figures = {measure.pk: aggregates.measure_figures(measure, user) for measure in measures}
    teams = list(teams_with_composition(Team.objects.filter(collaborative=collaborative)))
    standings = {row.team.pk: row for row in team_months(teams, month, today=today)}
    reports = list(MonthlyReport.objects.filter(team__collaborative=collaborative).order_by("month")
                   .values_list("team_id", "month", "self_score", "advisor_score"))
    scores = _scores_by_team(reports)
    activity = cycle_activity_by_team(collaborative, since=since)
    dosage = collaborative_dosage(collaborative, today=today, periods=periods)
    no_family = {team_id for team_id, _name in teams_without_family(
        Cycle.objects.filter(team__collaborative=collaborative),
        Team.objects.filter(collaborative=collaborative))}
    gaps = composition_gaps_by_team(teams)
    statuses = {pk: {line.team_id: line.status for line in figure.teams} for pk, figure in figures.items()}
    rows = []
    for team in teams:
        self_score, advisor_score, gap = scores.get(team.pk, (Score(None, 0), Score(None, 0), None))
        row = TeamRow(
            team=team, standing=standings[team.pk], self_score=self_score,
            advisor_score=advisor_score, score_gap=gap, activity=activity[team.pk],
            statuses=[(measure, statuses[measure.pk].get(team.pk)) for measure in measures],
            gaps=gaps[team.pk], dosage=dosage.teams.get(team.pk),
        )
        row.flags = _flags(row, no_family)
        rows.append(row)
    score_months = _score_months(reports)
    return CohortDashboard(
        collaborative=collaborative, month=month, since=since,
        timeline=timeline(collaborative, periods, today),
        outcomes=[_outcome(measure, figures[measure.pk]) for measure in measures
                  if measure.type == Measure.Type.OUTCOME],
        measures=measures, scores=score_months, scores_summary=scores_summary(score_months),
        rows=rows, flag_counts={flag: sum(flag in row.flags for row in rows) for flag in FLAGS},
    )


def rows_filtered(rows: list[TeamRow], *, query: str = "", flag: str = "", sort: str = "name",
                  descending: bool = False) -> list[TeamRow]:
    """The rows a filter keeps, in the order asked for (teams with no value last)."""
    if query:
        folded = query.casefold()
        rows = [row for row in rows if folded in row.team.name.casefold()
                or folded in row.team.organization.name.casefold()]
    if flag:
        rows = [row for row in rows if flag in row.flags]
    keys = {
        "name": lambda row: row.team.name.casefold(),
        "advisor_score": lambda row: row.advisor_score.value,
        "self_score": lambda row: row.self_score.value,
        "data": lambda row: row.standing.measures_missing,
        "cycles": lambda row: row.activity.total,
        "stalled": lambda row: row.activity.stalled,
    }
    key = keys.get(sort, keys["name"])
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    present.sort(key=lambda row: (key(row), row.team.name.casefold()), reverse=descending)
    return present + missing


def _flags(row: TeamRow, no_family: set[int]) -> list[str]:
    checks = {
        "data_late": row.standing.data_late,
        "report_late": row.standing.report_late,
        "to_review": row.standing.awaits_review,
        "stalled": row.activity.stalled > 0,
        "no_cycles": row.activity.total == 0,
        "score_gap": row.score_gap is not None and row.score_gap >= scale.GAP,
        "not_cross_role": bool(row.gaps),
        "no_family_in_cycles": row.team.pk in no_family,
        "dosage_behind": bool(row.dosage and row.dosage.behind),
    }
    return [flag for flag, on in checks.items() if on]


def _action_period_start(periods: list[Period], today: datetime.date) -> datetime.date | None:
    started = [period for period in periods
               if period.kind == Period.Kind.ACTION_PERIOD and period.start_date <= today]
    return max(period.start_date for period in started) if started else None


def _scores_by_team(reports: list[tuple]) -> dict[int, tuple[Score, Score, Decimal | None]]:
    """Each team's latest self- and advisor score with its direction since the one before,
    and the gap between the two in the latest month that has both (the latest of each may
    be of different months), from (team, month, self, advisor) rows in month order."""
    series: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    gaps: dict[int, Decimal] = {}
    for team_id, _month, self_score, advisor_score in reports:
        if self_score is not None:
            series[team_id][0].append(self_score)
        if advisor_score is not None:
            series[team_id][1].append(advisor_score)
        if self_score is not None and advisor_score is not None:
            gaps[team_id] = abs(self_score - advisor_score)
    return {team_id: (_latest(own), _latest(advisor), gaps.get(team_id))
            for team_id, (own, advisor) in series.items()}


def _latest(values: list[Decimal]) -> Score:
    if not values:
        return Score(None, 0)
    if len(values) == 1:
        return Score(values[-1], 0)
    return Score(values[-1], (values[-1] > values[-2]) - (values[-1] < values[-2]))


def _score_months(reports: list[tuple]) -> list[ScoreMonth]:
    """How many teams stood at each level, month by month, by their own and the advisor's
    score."""
    index = {level.score: position for position, level in enumerate(scale.LEVELS)}
    months: dict[datetime.date, tuple[list[int], list[int], list[float], list[float]]] = {}
    for _team, month, self_score, advisor_score in reports:
        if self_score is None and advisor_score is None:
            continue
        entry = months.setdefault(month, ([0] * len(scale.LEVELS), [0] * len(scale.LEVELS), [], []))
        for position, score in ((0, self_score), (1, advisor_score)):
            level = None if score is None else index.get(Decimal(score).quantize(Decimal("0.1")))
            if level is not None:
                entry[position][level] += 1
                entry[position + 2].append(float(score))
    return [ScoreMonth(month, own, advisor, _median(own_values), _median(advisor_values))
            for month, (own, advisor, own_values, advisor_values) in sorted(months.items())]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def scores_summary(months: list[ScoreMonth]) -> str:
    """E.g. "In October 2026 the advisor's median score was 2.5 (self-scores 3.0), up from
    1.5 in March 2026."."""
    scored = [month for month in months if month.advisor_median is not None]
    if not scored:
        return _("No team has been scored by the advisor yet.")
    first, last = scored[0], scored[-1]
    words = _("In %(month)s the advisor's median score was %(advisor)s") % {
        "month": date_format(last.month, "YEAR_MONTH_FORMAT"),
        "advisor": number_format(last.advisor_median, 1)}
    if last.self_median is not None:
        words += _(" (teams' own median %(own)s)") % {"own": number_format(last.self_median, 1)}
    if first.month != last.month:
        words += _(", against %(first)s in %(month)s") % {
            "first": number_format(first.advisor_median, 1),
            "month": date_format(first.month, "YEAR_MONTH_FORMAT")}
    return words + "."


def _outcome(measure: Measure, figures: aggregates.Figures) -> Outcome:
    line = figures.collaborative
    present = [(month, value) for month, value in zip(line.months, line.values, strict=True)
               if value is not None]
    latest_month, latest = present[-1] if present else (None, None)
    goal = "" if measure.goal is None else format_value(measure, float(measure.goal))
    return Outcome(measure, figures, format_value(measure, latest), latest_month, goal)


def timeline(collaborative: Collaborative, periods: list[Period], today: datetime.date) -> Timeline:
    """The year as a strip: each period's share of the collaborative's days, and today."""
    start, end = collaborative.start_date, collaborative.end_date
    days = max((end - start).days + 1, 1)

    def x(day: datetime.date) -> float:
        return round(100 * (min(max(day, start), end) - start).days / days, 2)

    current = current_period(periods, today)
    segments = [Segment(period.label, period.kind, period.start_date, period.end_date,
                        x(period.start_date), max(x(period.end_date + datetime.timedelta(days=1))
                                                  - x(period.start_date), 0.5),
                        period == current)
                for period in periods]
    today_x = x(today) if start <= today <= end else None
    if current is not None:
        left = (current.end_date - today).days
        summary = ngettext("Today is in %(period)s, which ends in %(days)s day.",
                           "Today is in %(period)s, which ends in %(days)s days.", left) % {
            "period": current.label, "days": left}
    elif today < start:
        summary = _("The collaborative starts on %(date)s.") % {"date": date_format(start)}
    elif today > end:
        summary = _("The collaborative ended on %(date)s.") % {"date": date_format(end)}
    else:
        summary = _("Today falls between the periods of the timeline.")
    return Timeline(segments, today, today_x, current, summary)


def tables(board: CohortDashboard, rows: list[TeamRow]) -> list[Table]:
    """The dashboard's tables for CSV and Excel: teams (as filtered), outcomes, scores."""
    measure_names = [measure.display_name for measure in board.measures]
    team_rows = []
    for row in rows:
        activity = row.activity
        team_rows.append([
            row.team.name, row.team.organization.name,
            row.advisor_score.value, row.self_score.value,
            row.standing.measures_missing, "yes" if row.standing.data_late else "",
            row.standing.report.get_status_display() if row.standing.report else _("not built"),
            "yes" if row.standing.report_late else "",
            activity.total, *[activity.by_status.get(status, 0) for status in _statuses()],
            activity.stalled,
            *[_status_word(icons) for _measure, icons in row.statuses],
            "; ".join(gap.message for gap in row.gaps),
            None if row.dosage is None else round(row.dosage.session_hours, 1),
            None if row.dosage is None else round(row.dosage.affinity_hours, 1),
            "; ".join(row.flag_words),
        ])
    status_names = [str(label) for _value, label in Cycle.Status.choices]
    return [
        Table(_("Teams"), [
            _("Team"), _("Program"), _("Advisor's score"), _("Self-score"),
            _("Measures missing for %(month)s") % {"month": board.month.strftime("%Y-%m")},
            _("Data late"), _("Report"), _("Report late"), _("Cycles this action period"),
            *status_names, _("Stalled cycles"), *measure_names, _("Composition"),
            _("Learning-session hours a member"), _("Affinity-group hours a member"),
            _("Needs attention")], team_rows),
        Table(_("Outcome measures"), [_("Measure"), _("Latest"), _("Month"), _("Goal"), _("Summary")],
              [[o.measure.display_name, o.latest, o.latest_month, o.goal, o.figures.summary]
               for o in board.outcomes]),
        Table(_("Advisor's scores by month"), [_("Month"), *[str(level.score) for level in
                                                            scale.LEVELS], _("Median")],
              [[m.month, *m.advisor_counts, m.advisor_median] for m in board.scores]),
        Table(_("Self-scores by month"), [_("Month"), *[str(level.score) for level in
                                                       scale.LEVELS], _("Median")],
              [[m.month, *m.self_counts, m.self_median] for m in board.scores]),
    ]


def _statuses() -> list[str]:
    return list(Cycle.Status.values)


def _status_word(icons: object) -> str:
    icon = getattr(icons, "variation_icon", None)
    return str(VARIATION_WORDS.get(icon, "")) if icon else ""
