"""Demo measures (demo-framework.md) and 12+ months of realistic values for every team.

Values are drawn from a seeded random generator, so a second run computes the same
numbers and the seed stays idempotent. The first four teams carry the patterns the
demo is meant to show: a shift, a trend, no signal, and a disparity that narrows.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from collaboratives.models import Collaborative, Period
from collaboratives.packages import (
    SEL_GROUPS,
    SEL_GROUPS_ES,
    SEL_REFERENCE_GROUP,
    SOCIAL_EMOTIONAL_LEARNING,
)
from measures import aggregates
from measures.models import Measure, MeasureValue, Stratum
from measures.months import add_months, month_range
from measures.services import measure_save
from teams.models import Team

# The demo starts from the built-in change package: its measures (with their Spanish) and
# groups are the package's, so the two never drift apart.
MEASURES = [{name: value for name, value in item.items() if name not in ("strata", "order")}
            for item in SOCIAL_EMOTIONAL_LEARNING.measures]
GROUPS, GROUPS_ES, REFERENCE = SEL_GROUPS, SEL_GROUPS_ES, SEL_REFERENCE_GROUP


def seed_measures(collaborative: Collaborative, teams: list[Team], today: datetime.date) -> None:
    measures = []
    for order, fields in enumerate(MEASURES):
        fields = dict(fields)
        measure = Measure.objects.filter(collaborative=collaborative, name=fields["name"]).first()
        measure = measure or Measure(collaborative=collaborative)
        stratified = bool(fields.get("stratification"))
        measures.append(measure_save(
            measure=measure, strata=GROUPS if stratified else [],
            strata_es=GROUPS_ES if stratified else [],
            reference=REFERENCE if stratified else "", order=order, **fields,
        ))
    # 6 baseline months before the start, through last month (this month is still open).
    first = add_months(collaborative.start_date.replace(day=1), -6)
    last = min(add_months(today.replace(day=1), -1), collaborative.end_date.replace(day=1))
    months = month_range(first, last)
    start = collaborative.start_date.replace(day=1)
    shift = shift_month(collaborative)
    for index, team in enumerate(teams):
        _write_team(team, index, measures, months, start, shift)
    # Bulk writes send no signals: forget the cached figures by hand.
    aggregates.forget_collaborative(collaborative.pk)


def shift_month(collaborative: Collaborative) -> datetime.date:
    """The month after learning session 1: where team A's fidelity shifts up (coaching visits
    adopted at the session), and where the demo starts a new phase of its chart."""
    session = collaborative.periods.filter(kind=Period.Kind.LEARNING_SESSION, number=1).first()
    first_day = session.start_date if session else add_months(collaborative.start_date, 1)
    return add_months(first_day.replace(day=1), 1)


def _write_team(team: Team, index: int, measures: list[Measure], months: list[datetime.date],
                start: datetime.date, shift: datetime.date) -> None:
    wanted: dict[tuple, tuple[Decimal, Decimal | None]] = {}
    for measure in measures:
        # Seeded by names, not ids: the same numbers (and the shift and trend the demo and
        # its tests rely on) whatever ids the database hands out.
        rng = random.Random(f"{team.name}-{measure.name}")
        strata = list(measure.strata.all()) if measure.is_stratified else [None]
        for position, month in enumerate(months):
            progress = max(0.0, (month - start).days / 365)  # years since the start
            for stratum in strata:
                wanted[(measure.pk, stratum.pk if stratum else None, month)] = _value(
                    measure, stratum, index, position, progress, rng, shifted=month >= shift)
    existing = {(v.measure_id, v.stratum_id, v.month): v
                for v in MeasureValue.objects.filter(team=team, measure__in=measures)}
    create, update = [], []
    for (measure_id, stratum_id, month), (numerator, denominator) in wanted.items():
        value = existing.get((measure_id, stratum_id, month))
        if value is None:
            create.append(MeasureValue(team=team, measure_id=measure_id, stratum_id=stratum_id,
                                       month=month, numerator=numerator, denominator=denominator))
        elif (value.numerator, value.denominator) != (numerator, denominator):
            value.numerator, value.denominator = numerator, denominator
            update.append(value)
    MeasureValue.objects.bulk_create(create, batch_size=1000)
    MeasureValue.objects.bulk_update(update, ["numerator", "denominator"], batch_size=1000)


def _value(measure: Measure, stratum: Stratum | None, team_index: int, position: int,
           progress: float, rng: random.Random, *, shifted: bool) -> tuple[Decimal, Decimal | None]:
    """One month's numerator and denominator, shaped by the team's demo pattern."""
    improving = progress > 0
    if measure.name.startswith("Exclusionary"):
        enrolled = rng.randint(8, 16)
        base = 0.09 if stratum and stratum.label == "Black" else 0.05
        if team_index == 3 and stratum and stratum.label == "Black" and improving:
            base = max(0.05, 0.09 - 0.06 * progress)  # the disparity narrows
        rate = base * (1 - 0.5 * min(progress, 1)) if improving else base
        return Decimal(_binomial(rng, enrolled, rate)), Decimal(enrolled)
    if measure.name.startswith("Classrooms"):
        observed = rng.randint(5, 8)
        if team_index == 0:
            share = 0.75 if shifted else 0.3  # a clear shift, from the month after LS1
        elif team_index == 2:
            share = 0.45  # no signal
        else:
            share = 0.3 + 0.35 * min(progress, 1)
        return Decimal(_binomial(rng, observed, share)), Decimal(observed)
    if measure.name.startswith("Behavior"):
        incidents = rng.randint(12, 20)
        share = 0.3 + 0.06 * position if team_index == 1 else 0.4 + 0.3 * min(progress, 1)
        return Decimal(_binomial(rng, incidents, min(share, 0.98))), Decimal(incidents)
    if measure.name.startswith("Positive"):
        weeks = rng.randint(16, 24)
        mean = 2 + 2.5 * min(progress, 1) + rng.uniform(-0.4, 0.4)
        return Decimal(round(mean * weeks)), Decimal(weeks)
    if measure.name.startswith("Reflective"):
        staff = rng.randint(8, 12)
        return Decimal(_binomial(rng, staff, 0.35 + 0.3 * min(progress, 1))), Decimal(staff)
    if measure.name.startswith("Staff well-being"):
        answers = rng.randint(30, 50)
        return Decimal(round(answers * rng.uniform(3.2, 3.8))), Decimal(answers)
    staff = rng.randint(10, 16)
    return Decimal(_binomial(rng, staff, 0.04)), Decimal(staff)


def _binomial(rng: random.Random, trials: int, share: float) -> int:
    return sum(rng.random() < share for _ in range(trials))
