"""What a monthly report's job reads: the team's month as plain, JSON-ready data.

A constant number of queries per team (measures, values, cycles, members), whatever the
number of months or measures, so a month of 1,000 teams builds in a bounded time.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.db.models import BooleanField, ExpressionWrapper, Q

from measures import selectors as measure_selectors
from measures import summaries
from measures.formatting import format_value
from measures.models import Measure, MeasureValue
from measures.months import add_months, month_range
from measures.phase_selectors import team_phase_starts
from measures.series import Series, team_series
from pdsa.models import Cycle
from teams.models import MemberRole, Membership, Team

SNAPSHOT_VERSION = 1


def team_month_snapshot(team: Team, month: datetime.date) -> dict:
    """The team's PDSA cycles, measure values with their signal and status, missing data
    and composition for ``month``."""
    return {
        "version": SNAPSHOT_VERSION,
        "month": month.isoformat(),
        "cycles": _cycles(team, month),
        "measures": _measures(team, month),
        "composition": _composition(team),
    }


def completed_in(month: datetime.date) -> Q:
    """Cycles completed in the month: by the date the test was done, else the day the
    cycle was marked complete."""
    start, end = month, add_months(month, 1)
    return Q(status=Cycle.Status.COMPLETE) & (
        Q(done_on__gte=start, done_on__lt=end)
        | Q(done_on__isnull=True, completed_at__date__gte=start, completed_at__date__lt=end))


def _cycles(team: Team, month: datetime.date) -> dict:
    """Cycles started (planned start, else entry date) or completed (date done, else the day
    it was marked complete) in the month."""
    start, end = month, add_months(month, 1)
    started = (Q(planned_start__gte=start, planned_start__lt=end)
               | Q(planned_start__isnull=True, created_at__date__gte=start, created_at__date__lt=end))
    completed = completed_in(month)
    cycles = (Cycle.objects.filter(team=team).filter(started | completed)
              .annotate(started_here=ExpressionWrapper(started, output_field=BooleanField()),
                        completed_here=ExpressionWrapper(completed, output_field=BooleanField()))
              .select_related("change_idea").order_by("change_idea__order", "number", "pk"))
    rows = []
    for cycle in cycles:
        done = cycle.completed_here
        rows.append({
            "id": cycle.pk, "number": cycle.number, "title": cycle.title,
            "change_idea": cycle.change_idea.title, "status": cycle.status,
            "status_display": str(cycle.get_status_display()),
            "decision": cycle.decision if done else "",
            "decision_display": str(cycle.get_decision_display()) if done and cycle.decision else "",
            "lead_role": cycle.lead_role,
            "lead_role_display": str(cycle.get_lead_role_display()) if cycle.lead_role else "",
            "started": cycle.started_here, "completed": done, "is_shared": cycle.is_shared,
        })
    decided = [row for row in rows if row["completed"]]
    return {
        "list": rows,
        "started": sum(1 for row in rows if row["started"]),
        "completed": len(decided),
        "decisions": dict(Counter(row["decision"] for row in decided if row["decision"])),
        "led_by_role": dict(Counter(row["lead_role"] for row in rows if row["lead_role"])),
    }


def team_lines_until(team: Team, month: datetime.date) -> list[tuple[Measure, Series]]:
    """Each of the collaborative's measures with the team's line up to ``month`` (ending on
    it), in the phases the team has set: three queries (measures, every value, every phase)
    whatever the number of measures."""
    values: dict[int, list[MeasureValue]] = defaultdict(list)
    for value in MeasureValue.objects.filter(team=team, month__lte=month).order_by("month"):
        values[value.measure_id].append(value)
    phases = team_phase_starts(team)
    lines = []
    for measure in measure_selectors.collaborative_measures(team.collaborative):
        own = values[measure.pk]
        lines.append((measure, team_series(measure, own, team.name,
                                           month_range(own[0].month if own else month, month),
                                           phases=phases.get(measure.pk, ()))))
    return lines


def _measures(team: Team, month: datetime.date) -> list[dict]:
    rows = []
    for measure, line in team_lines_until(team, month):
        point = line.points[-1] if line.points else None
        words = summaries.status_words(line)
        rows.append({
            "id": measure.pk, "name": measure.name, "type": measure.type,
            "missing": point is None or point.value is None,
            "value": None if point is None else point.value,
            "display": format_value(measure, None if point is None else point.value),
            "numerator": None if point is None else point.numerator,
            "denominator": None if point is None else point.denominator,
            "signal": bool(line.points) and (len(line.points) - 1) in line.signal_indices,
            "variation": line.status.variation_icon if line.status else None,
            "assurance": line.status.assurance_icon if line.status else None,
            "variation_text": words.get("variation", ""),
            "assurance_text": words.get("assurance", ""),
            "summary": summaries.summary(line),
            # The phases as the report saw them (a phase started or removed later does not
            # change a submitted report): the phase of the month, and where each began.
            "phase": line.phase_of(len(line.points) - 1) + 1 if line.points else 1,
            "phases": _phases(line),
        })
    return rows


def _phases(line: Series) -> list[dict]:
    """Each phase after the first that the line keeps, as JSON-ready data."""
    return [{"number": segment.number, "month": line.months[segment.first].isoformat(),
             "reason": segment.start.reason, "change_idea": segment.start.change_idea}
            for segment in line.segments() if segment.start is not None]


def _composition(team: Team) -> dict:
    roles = Counter(Membership.objects.accepted().filter(team=team).values_list("role", flat=True))
    labels = dict(MemberRole.choices)
    return {
        "by_role": [{"role": role, "label": str(labels[role]), "count": roles.get(role, 0)}
                    for role in MemberRole.values],
        "members": sum(roles.values()),
        "missing": [str(labels[role]) for role in (MemberRole.EDUCATOR, MemberRole.FAMILY)
                    if not roles.get(role)],
    }
