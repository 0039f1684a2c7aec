"""Demo data for events recorded with their dates: a rare-event count measure
("Expulsions and suspensions", a g chart of the days between them) and each team's sparse
events, most months none or one, fewer after the collaborative starts.

Idempotent: the measure is found by its name and saved through ``measure_save``; a team
that already has events of it is left as it is. Bulk writes (fast at 200 teams by 24 months)
send no signals, so the monthly counts are derived here with the rule of
``measures.events.derived_counts`` and the cached figures forgotten by hand.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from collaboratives.models import Collaborative
from measures import aggregates
from measures.events import derived_counts
from measures.models import Measure, MeasureEvent, MeasureValue
from measures.months import add_months, month_range, month_start
from measures.services import measure_save
from teams.models import Team

M = Measure
EVENT_MEASURE = {
    "name": "Expulsions and suspensions",
    "type": M.Type.OUTCOME,
    "operational_definition": (
        "Every suspension or expulsion of a child from the program, recorded on the day it "
        "happens. Early pick-ups are counted in the exclusionary discipline rate, not here."),
    "numerator_definition": "Suspensions and expulsions (each recorded with its date)",
    "numerator_label": "Suspensions and expulsions",
    "unit": M.Unit.COUNT, "direction": M.Direction.DOWN, "chart_kind": M.ChartKind.G,
    "records_events": True, "order": 50,
    "name_es": "Expulsiones y suspensiones",
    "operational_definition_es": (
        "Cada suspensión o expulsión de un niño o una niña del programa, registrada el día en "
        "que ocurre. Las salidas tempranas se cuentan en la tasa de disciplina de exclusión, "
        "no aquí."),
    "numerator_definition_es": "Suspensiones y expulsiones (cada una con su fecha)",
    "numerator_label_es": "Suspensiones y expulsiones",
}


def seed_events(collaborative: Collaborative, teams: list[Team], *, today: datetime.date,
                baseline_months: int = 6) -> Measure:
    """The demo's rare-event measure and its events for ``teams``, from ``baseline_months``
    before the collaborative's start to yesterday. Returns the measure."""
    measure = Measure.objects.filter(collaborative=collaborative, name=EVENT_MEASURE["name"]).first()
    measure = measure_save(measure=measure or Measure(collaborative=collaborative), **EVENT_MEASURE)
    start = month_start(collaborative.start_date)
    first = add_months(start, -baseline_months)
    last_day = min(today - datetime.timedelta(days=1), collaborative.end_date)
    done = set(MeasureEvent.objects.filter(measure=measure, team__in=teams)
               .values_list("team_id", flat=True).distinct())
    fresh = [team for team in teams if team.pk not in done]
    events = []
    for team in fresh:
        rng = random.Random(f"{team.name}-events")  # by name: the same events whatever the ids
        for month in month_range(first, month_start(last_day)):
            # About one event in two months before the start, one in four or five after.
            rate = 0.55 if month < start else 0.22
            count = 1 if rng.random() < rate else 0
            if count and rng.random() < 0.15:
                count = 2  # now and then two in a month
            days = (add_months(month, 1) - month).days
            for _ in range(count):
                day = month + datetime.timedelta(days=rng.randrange(days))
                if day <= last_day:
                    events.append(MeasureEvent(measure=measure, team=team, date=day))
    MeasureEvent.objects.bulk_create(events, batch_size=1000)
    _derive_in_bulk(measure, fresh, events, collaborative, today)
    aggregates.forget_measure(measure.pk)
    return measure


def _derive_in_bulk(measure: Measure, teams: list[Team], events: list[MeasureEvent],
                    collaborative: Collaborative, today: datetime.date) -> None:
    by_team: dict[int, list[datetime.date]] = {team.pk: [] for team in teams}
    for event in events:
        by_team[event.team_id].append(event.date)
    MeasureValue.objects.filter(measure=measure, team__in=teams).delete()
    last_month = month_start(collaborative.end_date)
    MeasureValue.objects.bulk_create([
        MeasureValue(team_id=team_id, measure=measure, month=month, numerator=Decimal(count))
        for team_id, dates in by_team.items()
        for month, count in derived_counts(dates, last_month=last_month, today=today).items()
    ], batch_size=1000)
