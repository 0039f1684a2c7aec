"""Demo chart phases: team A's fidelity chart starts a new phase the month after learning
session 1, where its shift begins (reports/demo/measures.py), and the pooled fidelity chart
starts one in the same month, when every team began testing changes.

Idempotent: each phase is found by its chart and reason; one already in its month is left
as it is, one in another month (a demo of another length) is moved. A month without data
yet (a demo seeded before it) gets no phase.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from collaboratives.models import ChangeIdea, Collaborative
from measures.models import Measure, MeasurePhase
from measures.phase_services import phase_create, phase_delete
from reports.demo.measures import shift_month
from teams.models import Team

FIDELITY = "Classrooms implementing with fidelity"
TEAM_REASON = "Adopted: coaching visits every two weeks"
POOLED_REASON = "Learning session 1: teams began testing Pyramid Model practices"


def seed_phases(collaborative: Collaborative, teams: list[Team]) -> list[MeasurePhase]:
    """The demo's phases (team A's, then the pooled chart's) that could be placed."""
    measure = Measure.objects.filter(collaborative=collaborative, name=FIDELITY).first()
    if measure is None or not teams:
        return []
    month = shift_month(collaborative)
    # No change idea of the demo's diagram is "coaching visits": the phase names none.
    placed = [_phase(measure, teams[0], month, TEAM_REASON, None),
              _phase(measure, None, month, POOLED_REASON, None)]
    return [phase for phase in placed if phase is not None]


def _phase(measure: Measure, team: Team | None, month, reason: str,
           idea: ChangeIdea | None) -> MeasurePhase | None:
    existing = MeasurePhase.objects.filter(measure=measure, team=team, reason=reason).first()
    if existing is not None:
        if existing.start_month == month:
            return existing
        phase_delete(phase=existing)
    try:
        return phase_create(measure=measure, team=team, start_month=month, reason=reason,
                            change_idea=idea)
    except ValidationError:
        return None  # no data in that month yet, or another phase too close
