"""The state dashboard: every collaborative of a state, as aggregates a state viewer may see.

Whoever opens it sees what the state sees (``aggregates.public_figures`` and
``aggregates.count_table(full=False)``): no PDSA text, no team-private notes, no team named
beside its own figures, and every count of people or cycles from 1 to 9 hidden with a
second cell where a total would give it away. Cycles are the shared ones only, as for every
reader outside the team (design.md). Rosters are not suppressed: which programs take part
is on the collaborative's page for the same readers.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from collaboratives.models import Collaborative, USState
from collaboratives.selectors import collaborative_timeline
from measures import aggregates, charts
from measures.formatting import format_value
from measures.models import Measure
from pdsa.leadership import UNKNOWN, leadership, quarter_label, role_label
from pdsa.models import Cycle
from reports.dashboard import Timeline, timeline
from reports.exports import Table
from reports.models import MonthlyReport
from teams import access
from teams.dosage import collaborative_dosage
from teams.models import MemberRole, Membership, Organization, Team

FRONTLINE = (MemberRole.EDUCATOR, MemberRole.OTHER_STAFF, MemberRole.FAMILY)


@dataclass(frozen=True)
class ScoreSpread:
    """The advisor's scores of one month as a median and quartiles, or why not shown."""

    month: datetime.date
    teams: int
    median: float | None
    lower: float | None
    upper: float | None


@dataclass
class StateOutcome:
    measure: Measure
    figures: aggregates.Figures
    latest: str
    funnel_figure: dict | None
    figure_id: str


@dataclass
class RoleRow:
    role: str
    label: str
    people: aggregates.CountCell
    session_hours: float | None  # a person, None when the people count is hidden
    affinity_hours: float | None


@dataclass
class CyclesRow:
    label: str
    cells: dict[str, aggregates.CountCell]


@dataclass
class CollaborativeBoard:
    collaborative: Collaborative
    teams: int
    programs: list[tuple[str, int]]
    timeline: Timeline
    scores: list[ScoreSpread]
    outcomes: list[StateOutcome] = field(default_factory=list)
    roles: list[RoleRow] = field(default_factory=list)
    cycles: list[CyclesRow] = field(default_factory=list)
    leaders: list[CyclesRow] = field(default_factory=list)
    leadership_summary: str = ""
    min_teams: int = 3


@dataclass
class StateBoard:
    state: str
    label: str
    collaboratives: list[CollaborativeBoard]


def state_dashboard(state: str, user: access.User, *, today: datetime.date | None = None) -> StateBoard:
    """Every collaborative of ``state`` the user may read, newest first."""
    today = today or timezone.localdate()
    collaboratives = (access.collaboratives_visible_to(user).filter(state=state)
                      .order_by("-start_date", "name"))
    return StateBoard(state, str(dict(USState.choices).get(state, state)),
                      [_board(collaborative, today) for collaborative in collaboratives])


def _board(collaborative: Collaborative, today: datetime.date) -> CollaborativeBoard:
    kinds = dict(Organization.Kind.choices)
    periods = collaborative_timeline(collaborative)  # for the strip and for dosage: read once
    programs = Counter(Team.objects.filter(collaborative=collaborative)
                       .values_list("organization__kind", flat=True))
    board = CollaborativeBoard(
        collaborative=collaborative, teams=sum(programs.values()),
        programs=[(str(kinds[kind]), programs[kind]) for kind in kinds if programs.get(kind)],
        timeline=timeline(collaborative, periods, today),
        scores=_score_spreads(collaborative), min_teams=aggregates.min_teams(),
    )
    # Outcome measures only, without their strata: the figures come from the cache.
    for measure in Measure.objects.filter(collaborative=collaborative, type=Measure.Type.OUTCOME
                                          ).order_by("order", "name"):
        figures = aggregates.public_figures(measure)
        values = [value for value in figures.collaborative.values if value is not None]
        board.outcomes.append(StateOutcome(
            measure, figures, format_value(measure, values[-1] if values else None),
            charts.funnel_chart(figures.funnel, measure) if figures.funnel else None,
            f"funnel-{measure.pk}"))
    board.roles = _roles(collaborative, today, periods)
    shared = Cycle.objects.filter(team__collaborative=collaborative, is_shared=True,
                                  status=Cycle.Status.COMPLETE)
    board.cycles = _cycles_by_quarter(shared)
    board.leaders, board.leadership_summary = _leaders(shared)
    return board


def _score_spreads(collaborative: Collaborative) -> list[ScoreSpread]:
    by_month: dict[datetime.date, list[float]] = defaultdict(list)
    for month, score in (MonthlyReport.objects.filter(team__collaborative=collaborative,
                                                      advisor_score__isnull=False)
                         .order_by().values_list("month", "advisor_score")):
        by_month[month].append(float(score))
    spreads = []
    for month, scores in sorted(by_month.items()):
        if aggregates.teams_figure_shown(len(scores)):
            lower, median, upper = statistics.quantiles(scores, n=4, method="inclusive")
            if not aggregates.quartiles_shown(len(scores)):
                lower = upper = None
            spreads.append(ScoreSpread(month, len(scores), median, lower, upper))
        else:
            spreads.append(ScoreSpread(month, len(scores), None, None, None))
    return spreads


def _roles(collaborative: Collaborative, today: datetime.date, periods: list) -> list[RoleRow]:
    labels = dict(MemberRole.choices)
    people = Counter(dict(Membership.objects.accepted().filter(team__collaborative=collaborative).order_by()
                          .values_list("role").annotate(n=Count("user", distinct=True))))
    counts = aggregates.count_table(
        {"people": {**{role: people.get(role, 0) for role in MemberRole.values},
                    "total": sum(people.values())}}, full=False)["people"]
    dosage = {row.role: row for row in collaborative_dosage(collaborative, today=today,
                                                            periods=periods).roles}
    rows = []
    for role in MemberRole.values:
        cell, hours = counts[role], dosage.get(role)
        shown = bool(cell.value) and aggregates.mean_shown(cell.value, full=False) and hours
        rows.append(RoleRow(role, str(labels[role]), cell,
                            round(hours.session_hours, 1) if shown else None,
                            round(hours.affinity_hours, 1) if shown else None))
    rows.append(RoleRow("total", _("All roles"), counts["total"], None, None))
    return rows


def _cycles_by_quarter(shared) -> list[CyclesRow]:
    """Shared, completed cycles a quarter, by decision."""
    grid: dict[datetime.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Cycle.Decision.values, 0))
    for quarter, decision, count in (shared.order_by().annotate(quarter=TruncQuarter("completed_at"))
                                     .values_list("quarter", "decision").annotate(n=Count("pk"))):
        if quarter is not None and decision:
            grid[_date(quarter)][decision] += count
    table = aggregates.count_table(
        {quarter: {**cells, "total": sum(cells.values())} for quarter, cells in sorted(grid.items())},
        full=False)
    return [CyclesRow(quarter_label(quarter), cells) for quarter, cells in table.items()]


LEAD_COLUMNS = (*MemberRole.values, UNKNOWN)


def _leaders(shared) -> tuple[list[CyclesRow], str]:
    """Who led the shared cycles, a quarter a row (the quarter each was completed, as in the
    table of decisions); every row's cells add up to its total, "not recorded" included, so
    the total gives nothing away. The frontline share is said only when no cell is hidden:
    sums over the quarters would otherwise let a hidden cell be worked out."""
    result = leadership(shared, by="completed_at")
    table = aggregates.count_table(
        {row.quarter: {**{key: row.led_by.get(key, 0) for key in LEAD_COLUMNS}, "total": row.cycles}
         for row in result.rows if row.quarter is not None}, full=False)
    rows = [CyclesRow(quarter_label(quarter), cells) for quarter, cells in table.items()]
    if not result.total.cycles:
        return rows, _("No shared cycle yet.")
    if any(cell.value is None for row in rows for cell in row.cells.values()):
        return rows, _("Some counts are too small to show, so the share led by educators, other "
                       "staff and family members is not given: it would reveal them.")
    frontline = sum(result.total.led_by.get(role, 0) for role in FRONTLINE)
    led = frontline + result.total.led_by.get(MemberRole.ADMINISTRATOR, 0)
    if not led:
        return rows, _("None of the shared cycles records who led it.")
    return rows, _("Educators, other staff and family members led %(share)s of the shared cycles "
                   "(%(frontline)s of %(led)s whose lead is recorded); administrators led the "
                   "rest.") % {"share": f"{100 * frontline / led:.0f}%", "frontline": frontline, "led": led}


def _date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def tables(board: StateBoard) -> list[Table]:
    """Every table of the dashboard for CSV and Excel, with the page's suppression: a hidden
    cell is the words saying why, never the number."""
    def cell(count: aggregates.CountCell) -> object:
        return count.value if count.value is not None else count.hidden

    programs, scores, outcomes, funnels, roles, cycles, leaders = [], [], [], [], [], [], []
    for item in board.collaboratives:
        name = item.collaborative.name
        programs += [[name, kind, count] for kind, count in item.programs]
        hidden = _("hidden (under %(count)s teams)") % {"count": item.min_teams}
        hidden_iqr = _("hidden (too few teams for quartiles)")
        scores += [[name, spread.month, spread.median,
                    *((spread.lower, spread.upper) if spread.lower is not None else (hidden_iqr,) * 2)]
                   if spread.median is not None else [name, spread.month, hidden, "", ""]
                   for spread in item.scores]
        for outcome in item.outcomes:
            improving = outcome.figures.improving
            outcomes.append([name, outcome.measure.display_name, outcome.latest,
                             improving.teams if improving else "", improving.of if improving else "",
                             outcome.figures.summary])
            funnel = outcome.figures.funnel
            if funnel:
                funnels += [[name, outcome.measure.display_name, funnel.start, funnel.month,
                             point.denominator, round(point.value, 2), point.outside]
                            for point in funnel.points]
        roles += [[name, row.label, cell(row.people), row.session_hours, row.affinity_hours]
                  for row in item.roles]
        decisions = list(Cycle.Decision.values)
        cycles += [[name, row.label, *[cell(row.cells[d]) for d in decisions], cell(row.cells["total"])]
                   for row in item.cycles]
        leaders += [[name, row.label, *[cell(row.cells[key]) for key in LEAD_COLUMNS],
                     cell(row.cells["total"])] for row in item.leaders]
    decision_names = [str(label) for _v, label in Cycle.Decision.choices]
    role_names = [role_label(key) for key in LEAD_COLUMNS]
    return [
        Table(_("Programs"), [_("Collaborative"), _("Kind of program"), _("Teams")], programs),
        Table(_("Advisor scores"), [_("Collaborative"), _("Month"), _("Median"), _("Lower quartile"),
                                    _("Upper quartile")], scores),
        Table(_("Outcome measures"), [_("Collaborative"), _("Measure"), _("Latest"),
                                      _("Teams improving"), _("Teams with a chart"), _("Summary")], outcomes),
        Table(_("Funnel plots"), [_("Collaborative"), _("Measure"), _("From"), _("To"), _("Denominator"),
                                  _("Value"),
                                  _("Outside the %(percent)s limits") % {"percent": "99.8%"}], funnels),
        Table(_("Participation and dosage"), [_("Collaborative"), _("Role"), _("People"),
                                              _("Learning-session hours a person"),
                                              _("Affinity-group hours a person")], roles),
        Table(_("Shared cycles by quarter"), [_("Collaborative"), _("Quarter"), *decision_names, _("Total")],
              cycles),
        Table(_("Who led shared cycles"), [_("Collaborative"), _("Quarter"), *role_names, _("Total")],
              leaders),
    ]
