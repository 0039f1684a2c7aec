"""CSV in and out of a team's monthly data: a template, an all-or-nothing import that lists
every problem by line and column, and an export safe to open in a spreadsheet."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from collaboratives.csvfiles import ImportRejected, Problem, csv_text, read_rows
from collaboratives.csvfiles import safe_cell as safe_cell  # re-exported: measures' CSV API
from measures import aggregates, summaries
from measures.models import Measure, MeasureValue
from measures.months import parse_month
from measures.selectors import earliest_entry_month
from measures.services import Entry, entry_errors, measure_values_record
from teams.models import Team

COLUMNS = ["month", "measure", "group", "numerator", "denominator", "note"]
MAX_BYTES = 1_000_000
MAX_ROWS = 10_000
MAX_CELL = 10_000  # a note keeps 500 characters; anything much longer is not a value


def events_only_message(measure: Measure) -> str:
    """Why a typed count of a measure that ``records_events`` is refused (here and in the
    API): its monthly counts are derived from the events the team records with their dates."""
    return _("%(measure)s counts events recorded with their dates: its monthly counts come "
             "from the events page, where the team records each event, so they cannot be "
             "typed or imported.") % {"measure": measure.display_name}


def write_csv(rows: Iterable[Iterable[object]]) -> str:
    """Monthly values under the import's own header, so an export can be imported again."""
    return csv_text(COLUMNS, rows)


def write_table(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """A CSV with its own header row, every cell safe against spreadsheet formulas."""
    return csv_text(header, rows)


def figures_rows(figures: aggregates.Figures) -> tuple[list[str], list[list[object]]]:
    """The collaborative figures of a measure as its audience may see them (the aggregate
    layer has already applied the small-cell rules): a row per line and month."""
    counts = figures.full and figures.kind != aggregates.MEDIAN
    # Read by people (it is not imported back): the header in the reader's language.
    header = [pgettext("CSV column", "series"), pgettext("CSV column", "month"),
              pgettext("CSV column", "teams_reporting"), pgettext("CSV column", "value"),
              *([pgettext("CSV column", "numerator"), pgettext("CSV column", "denominator")]
                if counts else []),
              pgettext("CSV column", "hidden")]
    lines = [(figures.collaborative, figures.reporting), *((line, None) for line in figures.strata)]
    rows = []
    for line, reporting in lines:
        for index, point in enumerate(line.points):
            reason = line.hidden.get(index)
            rows.append([
                line.label, point.month.strftime("%Y-%m"), "" if reporting is None else reporting[index],
                "" if point.value is None else round(point.value, 4),
                *([_float(point.numerator), _float(point.denominator)] if counts else []),
                summaries.hidden_words(reason, figures.min_teams) if reason else "",
            ])
    return header, rows


def _float(number: float | None) -> str:
    return "" if number is None else f"{number:g}"


def template_rows(measures: list[Measure], month: datetime.date) -> list[list[object]]:
    """A blank row per measure (and group) to fill in; none for a measure whose counts come
    from its events."""
    return [
        [month.strftime("%Y-%m"), measure.name, stratum.label if stratum else "", "", "", ""]
        for measure in measures if not measure.records_events
        for stratum in (list(measure.strata.all()) if measure.is_stratified else [None])
    ]


def export_rows(values: Iterable[MeasureValue]) -> list[list[object]]:
    return [
        [value.month.strftime("%Y-%m"), value.measure.name,
         value.stratum.label if value.stratum else "", _number(value.numerator),
         _number(value.denominator), value.note]
        for value in values
    ]


def measure_values_import(
    *, team: Team, measures: list[Measure], data: bytes, entered_by: AbstractBaseUser,
    today: datetime.date | None = None,
) -> int:
    """Validate the whole file, then save it in one transaction. Raises ImportRejected
    listing every problem; nothing is saved then. Returns the number of values written."""
    earliest = earliest_entry_month(team.collaborative)
    entries_by_month, problems = _read(data, measures, today, earliest, _derived_counts(team, measures))
    if problems:
        raise ImportRejected(problems)
    written = 0
    with transaction.atomic():
        for month, entries in entries_by_month.items():
            try:
                written += measure_values_record(team=team, month=month, entries=entries,
                                                 entered_by=entered_by, today=today)
            except ValidationError as exc:  # already checked; a race would land here
                raise ImportRejected([Problem(0, "", message) for message in exc.messages]) from exc
    return written


def _derived_counts(team: Team, measures: list[Measure]) -> dict[tuple[int, datetime.date], Decimal]:
    """The team's counts derived from its events (measure id, month → count): an export
    imported again carries them unchanged, and those lines are let through, saving nothing."""
    event_ids = [measure.pk for measure in measures if measure.records_events]
    if not event_ids:
        return {}
    return {(measure_id, month): numerator for measure_id, month, numerator in
            MeasureValue.objects.filter(team=team, measure_id__in=event_ids, stratum__isnull=True)
            .values_list("measure_id", "month", "numerator")}


def _read(data: bytes, measures: list[Measure], today: datetime.date | None,
          earliest: datetime.date, derived: dict[tuple[int, datetime.date], Decimal] | None = None,
          ) -> tuple[dict[datetime.date, list[Entry]], list[Problem]]:
    header, rows, problems = read_rows(data, max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_cell=MAX_CELL)
    if problems and not header:
        return {}, problems  # not a CSV file we can read at all
    missing = [column for column in COLUMNS[:5] if column not in header]
    if missing:
        return {}, [Problem(1, ", ".join(missing), ngettext(
            "A column is missing; the first line must be: %(cols)s.",
            "Some columns are missing; the first line must be: %(cols)s.", len(missing))
            % {"cols": ",".join(COLUMNS)})]
    by_name = {measure.name.casefold(): measure for measure in measures}
    # A file may name a measure in Spanish (a team working in Spanish); English wins a clash.
    by_name = {measure.name_es.casefold(): measure for measure in measures if measure.name_es} | by_name
    entries: dict[datetime.date, list[Entry]] = defaultdict(list)
    seen: dict[tuple, int] = {}
    for line, cells in rows:
        row = dict(zip(header, cells, strict=False))
        parsed = _parse_row(line, row, by_name, problems)
        if parsed is None:
            continue
        month, entry = parsed
        key = (month, entry.measure.pk, entry.stratum.pk if entry.stratum else None)
        if key in seen:
            problems.append(Problem(line, "measure", _("Same month, measure and group as line %(line)s.")
                                    % {"line": seen[key]}))
            continue
        seen[key] = line
        if entry.is_blank:
            continue  # a template row left empty: nothing to say (removal is on the page)
        if entry.measure.records_events:
            # Its counts come from the events: the count already derived (an export read
            # back) passes and saves nothing; any other is refused.
            if (entry.denominator is not None or (derived or {}).get(
                    (entry.measure.pk, month)) != entry.numerator):
                problems.append(Problem(line, "measure", events_only_message(entry.measure)))
            continue
        for column, message in entry_errors(entry, month, today=today, earliest=earliest).items():
            problems.append(Problem(line, column, message))
        entries[month].append(entry)
    return dict(entries), sorted(problems, key=lambda problem: problem.line)


def _parse_row(line: int, row: dict, by_name: dict[str, Measure], problems: list[Problem]
               ) -> tuple[datetime.date, Entry] | None:
    before = len(problems)
    month = None
    try:
        month = parse_month(row.get("month") or "")
    except ValueError as exc:
        problems.append(Problem(line, "month", str(exc)))
    measure = by_name.get((row.get("measure") or "").strip().casefold())
    if measure is None:
        problems.append(Problem(line, "measure", _("No measure called “%(name)s” in this collaborative.")
                                % {"name": (row.get("measure") or "").strip()}))
    numbers = {}
    for column in ("numerator", "denominator"):
        raw = (row.get(column) or "").strip().replace(",", "")
        try:
            numbers[column] = Decimal(raw) if raw else None
            if numbers[column] is not None and not numbers[column].is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append(Problem(line, column, _("“%(raw)s” is not a number.") % {"raw": raw}))
            continue
        try:  # the digits the database keeps, said here with the line rather than at save
            MeasureValue._meta.get_field(column).run_validators(numbers[column])
        except ValidationError as exc:
            problems.append(Problem(line, column, " ".join(exc.messages)))
    stratum = None
    if measure is not None:
        label = (row.get("group") or "").strip()
        strata = {s.label.casefold(): s for s in measure.strata.all()}
        if measure.is_stratified:
            stratum = strata.get(label.casefold())
            if stratum is None:
                problems.append(Problem(line, "group", _("%(measure)s needs a group, one of: %(groups)s.")
                                        % {"measure": measure.display_name,
                                           "groups": ", ".join(s.label for s in measure.strata.all())}))
        elif label:
            problems.append(Problem(line, "group",
                                    _("%(measure)s is not split by group; leave the group empty.")
                                    % {"measure": measure.display_name}))
    if len(problems) > before:
        return None
    return month, Entry(measure, stratum, numbers["numerator"], numbers["denominator"],
                        (row.get("note") or "").strip()[:500])


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"
