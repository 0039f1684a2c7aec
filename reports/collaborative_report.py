"""The collaborative's monthly report for funders and the state: aggregates only, under
the rules every state viewer's figure follows (whoever opens it, leaders included), so the
advisor can send it on as it is."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from collaboratives.models import Collaborative
from measures import aggregates, summaries
from measures import selectors as measure_selectors
from measures.formatting import format_value
from measures.models import Measure
from pdsa.models import Cycle
from reports import scale
from reports.models import MonthlyReport
from reports.selectors import team_months
from reports.snapshots import completed_in
from teams.models import MemberRole, Membership


@dataclass
class MeasureLine:
    measure: Measure
    display: str
    hidden: str
    variation: str
    assurance: str
    summary: str


@dataclass
class CollaborativeMonth:
    collaborative: Collaborative
    month: datetime.date
    teams: int
    data_complete: int
    reports_submitted: int
    outcomes: list[MeasureLine] = field(default_factory=list)
    scores: list[tuple[scale.Level, int]] | None = None  # None: too few teams scored to show
    scored_teams: int = 0
    cycles_completed: int = 0
    decisions: dict[str, int] = field(default_factory=dict)
    led_by_role: list[tuple[str, int]] = field(default_factory=list)
    members_by_role: list[tuple[str, int]] = field(default_factory=list)


def collaborative_month(collaborative: Collaborative, month: datetime.date) -> CollaborativeMonth:
    teams = list(collaborative.teams.select_related("collaborative"))
    standing = team_months(teams, month)
    result = CollaborativeMonth(
        collaborative, month, len(teams),
        data_complete=sum(1 for row in standing if not row.measures_missing),
        reports_submitted=sum(1 for row in standing if row.report and not row.report.team_can_edit),
    )
    result.outcomes = [_outcome(measure, month) for measure in
                       measure_selectors.collaborative_measures(collaborative)
                       if measure.type == Measure.Type.OUTCOME]
    _scores(result, collaborative, month)
    _cycles(result, collaborative, month)
    labels = dict(MemberRole.choices)
    members = Counter(Membership.objects.accepted().filter(team__collaborative=collaborative)
                      .values_list("role", flat=True))
    result.members_by_role = [(str(labels[role]), members.get(role, 0)) for role in MemberRole.values]
    return result


def _outcome(measure: Measure, month: datetime.date) -> MeasureLine:
    figures = aggregates.public_figures(measure)
    line = figures.collaborative
    index = line.months.index(month) if month in line.months else None
    value = None if index is None else line.values[index]
    reason = "" if index is None else summaries.hidden_words(line.hidden.get(index), figures.min_teams)
    words = summaries.status_words(line)
    return MeasureLine(measure, format_value(measure, value), reason, words.get("variation", ""),
                       words.get("assurance", ""), figures.summary)


def _scores(result: CollaborativeMonth, collaborative: Collaborative, month: datetime.date) -> None:
    """The advisor's scores of the month, by level, when enough teams were scored."""
    scores = list(MonthlyReport.objects.filter(team__collaborative=collaborative, month=month,
                                               advisor_score__isnull=False)
                  .values_list("advisor_score", flat=True))
    result.scored_teams = len(scores)
    if aggregates.teams_figure_shown(len(scores)):
        counts = Counter(scale.level_of(score).score for score in scores)
        result.scores = [(level, counts.get(level.score, 0)) for level in scale.LEVELS]


def _cycles(result: CollaborativeMonth, collaborative: Collaborative, month: datetime.date) -> None:
    """Cycles completed in the month that teams shared with the collaborative: a team's
    private work never shows in a figure that leaves the portal."""
    cycles = list(Cycle.objects.filter(completed_in(month), team__collaborative=collaborative,
                                       is_shared=True).values_list("decision", "lead_role"))
    result.cycles_completed = len(cycles)
    decisions = dict(Cycle.Decision.choices)
    counted = Counter(decision for decision, _role in cycles if decision)
    result.decisions = {str(decisions[key]): counted.get(key, 0) for key in decisions}
    labels = dict(MemberRole.choices)
    roles = Counter(role for _decision, role in cycles if role)
    result.led_by_role = [(str(labels[role]), roles.get(role, 0)) for role in MemberRole.values]


def csv_rows(report: CollaborativeMonth) -> tuple[list[str], list[list[object]]]:
    """The same figures as a long table: section, item, value."""
    month = report.month.strftime("%Y-%m")
    rows: list[list[object]] = [
        [month, "teams", "teams in the collaborative", report.teams],
        [month, "teams", "teams with complete data", report.data_complete],
        [month, "teams", "reports submitted", report.reports_submitted],
    ]
    for line in report.outcomes:
        rows.append([month, "outcome measure", line.measure.name, line.hidden or line.display])
    if report.scores is not None:
        rows += [[month, "advisor scores", f"{level.score} {level.name}", count]
                 for level, count in report.scores]
    rows.append([month, "PDSA cycles shared and completed", "total", report.cycles_completed])
    rows += [[month, "decisions", name, count] for name, count in report.decisions.items()]
    rows += [[month, "cycles led by", name, count] for name, count in report.led_by_role]
    rows += [[month, "team members", name, count] for name, count in report.members_by_role]
    return ["month", "section", "item", "value"], rows
