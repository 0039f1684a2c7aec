"""Reads about measures and values, shared by views, the API, imports and tasks."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from collaboratives.models import Collaborative
from measures.models import Measure, MeasureValue, Stratum
from measures.months import add_months, month_range, month_start
from teams.models import Team

# Months before the collaborative starts that a team may enter as baseline.
BASELINE_MONTHS_BEFORE_START = 12


def collaborative_measures(collaborative: Collaborative) -> list[Measure]:
    return list(collaborative.measures.prefetch_related("strata").order_by("order", "name"))


def entry_months(collaborative: Collaborative, today: datetime.date | None = None) -> list[datetime.date]:
    """The months a team is expected to report: from the collaborative's first month to
    this month (or its last month, if it has ended), newest first."""
    today = today or timezone.localdate()
    last = min(month_start(today), month_start(collaborative.end_date))
    return list(reversed(month_range(collaborative.start_date, last)))


def earliest_entry_month(collaborative: Collaborative) -> datetime.date:
    return add_months(month_start(collaborative.start_date), -BASELINE_MONTHS_BEFORE_START)


def team_values(team: Team) -> QuerySet[MeasureValue]:
    return MeasureValue.objects.filter(team=team).select_related("measure", "stratum")


@dataclass
class Row:
    """One line of the data-entry page: a measure, or one group of a stratified measure."""

    measure: Measure
    stratum: Stratum | None
    current: MeasureValue | None = None
    previous: MeasureValue | None = None

    @property
    def key(self) -> str:
        return f"m{self.measure.pk}" + (f"s{self.stratum.pk}" if self.stratum else "")


def month_rows(team: Team, measures: list[Measure], month: datetime.date) -> list[Row]:
    """Every measure (and group) for one month, with this month's and last month's values,
    in one query."""
    previous_month = add_months(month, -1)
    values = {
        (value.measure_id, value.stratum_id, value.month): value
        for value in MeasureValue.objects.filter(team=team, month__in=[month, previous_month])
    }
    rows = []
    for measure in measures:
        for stratum in (list(measure.strata.all()) or [None]) if measure.is_stratified else [None]:
            stratum_id = stratum.pk if stratum else None
            rows.append(Row(measure, stratum, values.get((measure.pk, stratum_id, month)),
                            values.get((measure.pk, stratum_id, previous_month))))
    return rows


@dataclass
class MonthStatus:
    month: datetime.date
    filled: int = 0
    expected: int = 0
    measures_missing: list[str] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return self.expected > 0 and self.filled >= self.expected


def month_overview(team: Team, measures: list[Measure], months: list[datetime.date]) -> list[MonthStatus]:
    """For each month, how many of the measures have a value: what is missing at a glance."""
    filled: dict[datetime.date, set[int]] = defaultdict(set)
    for measure_id, month in MeasureValue.objects.filter(team=team, month__in=months).values_list(
        "measure_id", "month"
    ).distinct():
        filled[month].add(measure_id)
    overview = []
    for month in months:
        missing = [m.display_name for m in measures if m.pk not in filled[month]]
        overview.append(MonthStatus(month, len(measures) - len(missing), len(measures), missing))
    return overview


def month_to_offer(overview: list[MonthStatus]) -> datetime.date | None:
    """The month the data page offers to enter next: the newest one not yet complete.
    ``overview`` runs newest first (as ``entry_months`` gives it). None when every month is
    complete, or when there are no measures: a form with nothing to fill is no next step."""
    return next((status.month for status in overview
                 if status.expected and not status.is_complete), None)


def recent_entry_months(collaborative: Collaborative, today: datetime.date | None = None,
                        count: int = 6) -> list[datetime.date]:
    """The last ``count`` months a team may enter, up to this month (or the collaborative's
    last), oldest first: the strip of months done on the data-entry page. Baseline months
    before the start are included when they are among them."""
    today = today or timezone.localdate()
    last = min(month_start(today), month_start(collaborative.end_date))
    first = max(add_months(last, 1 - count), earliest_entry_month(collaborative))
    return month_range(first, last)
