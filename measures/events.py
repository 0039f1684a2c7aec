"""Rare events recorded with their dates (an expulsion on 3 March), and the monthly counts
derived from them.

A measure that ``records_events`` is a plain count. Its team records each event on its own
date (team-private: a date could identify a child); after every change this module derives
the team's monthly counts into ``MeasureValue`` rows, so the c charts, the aggregate layer,
its privacy rules, reports and CSV exports all keep working on counts, unchanged, and no
event date ever reaches a figure about more than one team.

The rule for months without an event: from the month of the team's first event to the last
month that has ended (or the collaborative's last month, if earlier), a month with no event
counts as 0. The current month has a value only once it has an event: a 0 before the month
is over would be a guess. Before the first event nothing is known, so nothing is counted.
For these measures the events are the only source of the monthly counts: values typed for
months outside that range are removed (simple-history keeps them).
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from collaboratives.validators import validate_date_in_window, validate_one_line
from measures.models import Measure, MeasureEvent, MeasureValue
from measures.months import add_months, month_range, month_start
from measures.selectors import earliest_entry_month
from teams.models import Team

NOTE_MAX = 200


# --- reads ------------------------------------------------------------------------------

def event_measures(measures: Iterable[Measure]) -> list[Measure]:
    """The measures whose teams record events, from an already-read list."""
    return [measure for measure in measures if measure.records_events]


def team_events(team: Team, measure: Measure) -> QuerySet[MeasureEvent]:
    """A team's events of one measure, newest first."""
    return MeasureEvent.objects.filter(team=team, measure=measure).order_by("-date", "-pk")


def days_between(events: Iterable[MeasureEvent | datetime.date]) -> list[float]:
    """Days from each event to the next, in date order: one fewer than the events. Two
    events on the same day are 0 days apart (a g chart takes it; a t chart cannot)."""
    dates = sorted(event.date if isinstance(event, MeasureEvent) else event for event in events)
    return [float((later - earlier).days) for earlier, later in itertools.pairwise(dates)]


# --- validation ---------------------------------------------------------------------------

def _check_measure(measure: Measure, team: Team) -> None:
    if measure.collaborative_id != team.collaborative_id:
        raise ValidationError(_("%(measure)s is not a measure of this team's collaborative.")
                              % {"measure": measure}, code="foreign_measure")
    if not measure.records_events:
        raise ValidationError(_("Teams do not record events with their dates for %(measure)s: "
                                "enter its monthly value instead.") % {"measure": measure},
                              code="not_recording_events")
    if measure.has_denominator or measure.is_stratified:
        raise ValidationError(_("%(measure)s has a denominator or groups: events with dates "
                                "only make a plain count.") % {"measure": measure},
                              code="events_need_plain_count")


def event_errors(*, measure: Measure, team: Team, date: datetime.date | None, note: str,
                 today: datetime.date | None = None) -> dict[str, list[str]]:
    """What is wrong with an event, by field; the months allowed are those of monthly data
    entry (``measures.services.entry_errors``): baseline back to ``earliest_entry_month``,
    nothing in the future."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if date is None:
        errors["date"] = [_("Enter the date of the event.")]
    else:
        earliest = earliest_entry_month(team.collaborative)
        try:
            validate_date_in_window(date)
        except ValidationError as exc:
            errors["date"] = exc.messages
        else:
            if date > today:
                errors["date"] = [_("%(date)s has not happened yet.") % {"date": date.isoformat()}]
            elif date < earliest:
                errors["date"] = [_("%(date)s is too long before the collaborative; baseline data "
                                    "goes back to %(earliest)s.")
                                  % {"date": date.isoformat(), "earliest": earliest.strftime("%Y-%m")}]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("Keep the note to %(max)s characters.") % {"max": NOTE_MAX}]
    else:
        try:
            validate_one_line(note)
        except ValidationError as exc:
            errors["note"] = exc.messages
    return errors


# --- writes -------------------------------------------------------------------------------

@transaction.atomic
def event_record(*, measure: Measure, team: Team, date: datetime.date, note: str = "",
                 user: AbstractBaseUser | None, today: datetime.date | None = None) -> MeasureEvent:
    """Record one event and re-derive the team's monthly counts, all or nothing."""
    _check_measure(measure, team)
    note = (note or "").strip()
    errors = event_errors(measure=measure, team=team, date=date, note=note, today=today)
    if errors:
        raise ValidationError(errors)
    event = MeasureEvent(measure=measure, team=team, date=date, note=note, created_by=user)
    event.full_clean()
    event.save()
    monthly_counts_derive(measure=measure, team=team, user=user, today=today)
    return event


@transaction.atomic
def event_delete(*, event: MeasureEvent, user: AbstractBaseUser | None,
                 today: datetime.date | None = None) -> None:
    """Remove an event (simple-history keeps it) and re-derive the monthly counts."""
    measure, team = event.measure, event.team
    event.delete()
    monthly_counts_derive(measure=measure, team=team, user=user, today=today)


def derived_counts(dates: Iterable[datetime.date], *, last_month: datetime.date,
                   today: datetime.date) -> dict[datetime.date, int]:
    """The monthly counts the rule above gives: month → number of events. ``last_month`` is
    the collaborative's last month (no zeros after it)."""
    counts = Counter(month_start(date) for date in dates)
    if not counts:
        return {}
    last_ended = min(add_months(month_start(today), -1), last_month)
    months = set(month_range(min(counts), last_ended)) | set(counts)
    return {month: counts.get(month, 0) for month in sorted(months)}


def monthly_counts_derive(*, measure: Measure, team: Team, user: AbstractBaseUser | None,
                          today: datetime.date | None = None) -> int:
    """Bring the team's ``MeasureValue`` rows of the measure in line with its events.
    Returns the number of rows created, changed or removed. Rows are saved one by one, so
    the history shows each month's count changing (a team has a few dozen months)."""
    today = today or timezone.localdate()
    dates = MeasureEvent.objects.filter(team=team, measure=measure).values_list("date", flat=True)
    wanted = derived_counts(dates, last_month=month_start(team.collaborative.end_date), today=today)
    existing = {value.month: value for value in MeasureValue.objects.select_for_update().filter(
        team=team, measure=measure, stratum__isnull=True)}
    written = 0
    for month, value in existing.items():
        if month not in wanted:
            value.delete()
            written += 1
    for month, count in wanted.items():
        value = existing.get(month)
        if value is not None and value.numerator == count and value.denominator is None:
            continue
        value = value or MeasureValue(team=team, measure=measure, month=month)
        value.numerator, value.denominator, value.entered_by = Decimal(count), None, user
        value.save()
        written += 1
    return written
