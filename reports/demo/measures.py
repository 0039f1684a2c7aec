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
from collaboratives.packages import SEL_GROUPS_ES, SOCIAL_EMOTIONAL_LEARNING
from measures import aggregates
from measures.models import Measure, MeasureValue, Stratum
from measures.months import add_months, month_range
from measures.services import measure_save
from teams.models import Team

M = Measure
_IN_ENGLISH = [
    dict(name="Exclusionary discipline rate", type=M.Type.OUTCOME, unit=M.Unit.RATE, rate_per=100,
         direction=M.Direction.DOWN, chart_kind=M.ChartKind.U, goal=Decimal("2.0"),
         operational_definition="Suspensions, expulsions and early pick-ups in the month, per 100 "
         "enrolled children. Count each event once, whatever its length.",
         numerator_definition="Exclusion events (suspensions + expulsions + early pick-ups)",
         denominator_definition="Children enrolled on the 15th of the month",
         numerator_label="Exclusion events", denominator_label="Children enrolled on the 15th",
         stratification="Child's race/ethnicity", baseline_length=6),
    dict(name="Classrooms implementing with fidelity", type=M.Type.OUTCOME, unit=M.Unit.PERCENT,
         direction=M.Direction.UP, chart_kind=M.ChartKind.P, goal=Decimal("80"),
         operational_definition="Classrooms scoring 80% or more on the program's Pyramid Model "
         "practice observation this month.",
         numerator_definition="Classrooms scoring ≥ 80% on the practice observation",
         denominator_definition="Classrooms observed this month", baseline_length=6,
         numerator_label="Classrooms at 80% or more", denominator_label="Classrooms observed"),
    dict(name="Behavior incidents reviewed within 7 days", type=M.Type.PROCESS,
         unit=M.Unit.PERCENT, direction=M.Direction.UP, chart_kind=M.ChartKind.P, goal=Decimal("90"),
         operational_definition="Behavior incidents the leadership team reviewed, with an equity "
         "lens, within 7 days of the incident.",
         numerator_definition="Incidents reviewed within 7 days",
         denominator_definition="Behavior incidents recorded", baseline_length=6,
         numerator_label="Incidents reviewed within 7 days", denominator_label="Incidents recorded"),
    dict(name="Positive family contacts", type=M.Type.PROCESS, unit=M.Unit.MEAN,
         direction=M.Direction.UP, chart_kind=M.ChartKind.RUN, goal=Decimal("5"),
         operational_definition="Positive notes or calls home per classroom per week, as a "
         "monthly mean.",
         numerator_definition="Positive notes and calls home in the month",
         denominator_definition="Classroom-weeks in the month", baseline_length=6,
         numerator_label="Positive notes and calls home", denominator_label="Classroom-weeks"),
    dict(name="Reflective supervision completed", type=M.Type.PROCESS, unit=M.Unit.PERCENT,
         direction=M.Direction.UP, chart_kind=M.ChartKind.RUN, goal=Decimal("75"),
         operational_definition="Teaching staff who had a reflective supervision session this month.",
         numerator_definition="Teaching staff with a session this month",
         denominator_definition="Teaching staff employed",
         numerator_label="Staff who had a session", denominator_label="Teaching staff"),
    dict(name="Staff well-being", type=M.Type.BALANCING, unit=M.Unit.MEAN,
         direction=M.Direction.UP, chart_kind=M.ChartKind.RUN,
         operational_definition="Mean score of the 5-item monthly staff pulse survey (1–5).",
         numerator_definition="Sum of all survey scores",
         denominator_definition="Survey items answered",
         numerator_label="Sum of survey scores", denominator_label="Survey items answered"),
    dict(name="Staff turnover", type=M.Type.BALANCING, unit=M.Unit.PERCENT,
         direction=M.Direction.DOWN, chart_kind=M.ChartKind.RUN,
         operational_definition="Staff who left this month, of all staff employed.",
         numerator_definition="Staff who left", denominator_definition="Staff employed",
         numerator_label="Staff who left", denominator_label="Staff employed"),
]
# The Spanish of each measure (name_es, the definitions and labels) comes from the built-in
# package the demo starts from, so the two never drift apart.
_SPANISH: dict[str, dict[str, str]] = {
    item["name"]: {name: value for name, value in item.items() if name.endswith("_es")}
    for item in SOCIAL_EMOTIONAL_LEARNING.measures
}
MEASURES = [{**fields, **_SPANISH.get(fields["name"], {})} for fields in _IN_ENGLISH]
GROUPS = ["Black", "Hispanic/Latino", "White", "Asian", "Multiracial or other"]
GROUPS_ES = SEL_GROUPS_ES
REFERENCE = "White"


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
