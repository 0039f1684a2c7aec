"""The activity history people can read: who changed what, when, and each field old → new.

Every tracked model keeps its history in a table of its own (django-simple-history). This
module sits in ``reports``, the top layer, because a team's page reads the history of every
layer below. A page of any length costs a fixed number of queries:

- the heads (kind, id, date, person, action) of every history table in scope, UNIONed,
  counted and sliced in SQL: 2 queries;
- the page's rows and the row before each, per history model: 1 query each (the row before
  is found by a subquery, and whether the object still exists by EXISTS);
- the many-to-many history of those rows: 1 query per such field;
- the names their foreign keys point to: 1 query per kind of object, 1 for people (and 1
  more per kind only when some target has since been deleted, read from its history).

Who may see a scope is the view's business (``teams.access``); what is in a team's scope is
filtered here with the access module's team-work rule, so another team's private work can
never appear on a page.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import get_m2m_reverse_field_name

from collaboratives.models import (
    ChangeIdea,
    Collaborative,
    CollaborativeRole,
    Period,
    PrimaryDriver,
    SecondaryDriver,
)
from measures.models import Measure, MeasureValue, Stratum
from pdsa.models import Cycle
from reports.models import MonthlyReport
from teams import access
from teams.models import Membership, Team

PER_PAGE = 50
# Past this many characters a value is cut, with the whole text in a <details>.
SHORT_TEXT = 120
# Bookkeeping, not an edit anyone made: never listed as a change.
NOT_SHOWN = frozenset({"version", "ready_notified_at", "notified_at"})

CREATED, CHANGED, DELETED = "+", "~", "-"
ACTIONS = {CREATED: gettext_lazy("created"), CHANGED: gettext_lazy("changed"),
           DELETED: gettext_lazy("deleted")}

Names = dict[tuple[type[models.Model], Any], str]


# --- What each kind of object is called and where it is opened ---------------------------------

def _person(names: Names, user_id: int | None) -> str:
    return names.get((get_user_model(), user_id), _("someone")) if user_id else _("nobody")


def _named(model: type[models.Model], pk: Any, names: Names) -> str:
    if pk is None:
        return "—"
    return names.get((model, pk)) or _("#%(id)s (removed)") % {"id": pk}


def _period_name(row: Any, names: Names) -> str:
    label = str(Period.Kind(row.kind).label) if row.kind in Period.Kind.values else row.kind
    return f"{label} {row.number}" if row.number else label


def _value_name(row: Any, names: Names) -> str:
    parts = [_named(Measure, row.measure_id, names), formats.date_format(row.month, "YEAR_MONTH_FORMAT")]
    if row.stratum_id:
        parts.append(_named(Stratum, row.stratum_id, names))
    return " — ".join(parts)


def _with_role(row: Any, names: Names) -> str:
    role = row._meta.get_field("role")
    return f"{_person(names, row.user_id)} — {dict(role.flatchoices).get(row.role, row.role)}"


@dataclass(frozen=True)
class Kind:
    """One kind of object on an activity page: its history, its name as of a row, what its
    name needs resolved (foreign keys, by field name) and where it opens."""

    key: str
    model: type[models.Model]
    name: Callable[[Any, Names], str]
    name_needs: tuple[str, ...] = ()
    link: Callable[[Any], str | None] = lambda row: None

    @property
    def label(self) -> str:
        return capfirst(self.model._meta.verbose_name)

    @property
    def history(self) -> type[models.Model]:
        return self.model.history.model


KINDS = {kind.key: kind for kind in (
    Kind("collaborative", Collaborative, lambda row, names: row.name,
         link=lambda row: reverse("collaboratives:detail", args=[row.id])),
    Kind("role", CollaborativeRole, _with_role, ("user",)),
    Kind("period", Period, _period_name,
         link=lambda row: reverse("collaboratives:detail", args=[row.collaborative_id])),
    Kind("primary_driver", PrimaryDriver, lambda row, names: row.title,
         link=lambda row: reverse("collaboratives:framework", args=[row.collaborative_id])),
    Kind("secondary_driver", SecondaryDriver, lambda row, names: row.title,
         link=lambda row: reverse("collaboratives:framework", args=[row.collaborative_id])),
    Kind("change_idea", ChangeIdea, lambda row, names: row.title,
         link=lambda row: reverse("collaboratives:framework", args=[row.collaborative_id])),
    Kind("measure", Measure, lambda row, names: row.name,
         link=lambda row: reverse("measures:detail", args=[row.id])),
    Kind("stratum", Stratum, lambda row, names: f"{_named(Measure, row.measure_id, names)}: {row.label}",
         ("measure",)),
    Kind("team", Team, lambda row, names: row.name,
         link=lambda row: reverse("teams:detail", args=[row.id])),
    Kind("membership", Membership, _with_role, ("user",),
         link=lambda row: reverse("teams:detail", args=[row.team_id])),
    Kind("cycle", Cycle, lambda row, names: row.title,
         link=lambda row: reverse("pdsa:cycle-detail", args=[row.id])),
    Kind("measure_value", MeasureValue, _value_name, ("measure", "stratum"),
         link=lambda row: reverse("measures:team-data", args=[row.team_id])),
    Kind("report", MonthlyReport,
         lambda row, names: formats.date_format(row.month, "YEAR_MONTH_FORMAT"),
         link=lambda row: reverse("reports:report-detail", args=[row.id])),
)}


# --- Scopes: which history rows a page covers ---------------------------------------------------

@dataclass(frozen=True)
class Source:
    kind: Kind
    rows: QuerySet


def _history(model: type[models.Model]) -> QuerySet:
    return model.history.model.objects.order_by()


def collaborative_activity_sources(collaborative: Collaborative) -> list[Source]:
    """The collaborative, its leaders, timeline, framework, measures, teams and members.
    No team's own work: that is on each team's page. Teams and measures removed since are
    still followed through their history, so their rows stay listed."""
    pk = collaborative.pk
    team_ids = _history(Team).filter(collaborative_id=pk).values("id")
    measure_ids = _history(Measure).filter(collaborative_id=pk).values("id")
    scoped = {
        "collaborative": Q(id=pk), "role": Q(collaborative_id=pk), "period": Q(collaborative_id=pk),
        "primary_driver": Q(collaborative_id=pk), "secondary_driver": Q(collaborative_id=pk),
        "change_idea": Q(collaborative_id=pk), "measure": Q(collaborative_id=pk),
        "stratum": Q(measure_id__in=measure_ids), "team": Q(collaborative_id=pk),
        "membership": Q(team_id__in=team_ids),
    }
    return [Source(KINDS[key], _history(KINDS[key].model).filter(where)) for key, where in scoped.items()]


def team_activity_sources(user: access.User, team: Team) -> list[Source]:
    """The team, its members, and its own work: PDSA cycles (private ones too — this page is
    for the team and its collaborative's leaders), measure values and monthly reports. The
    work is filtered with the access module's team-work rule as well, so the page can never
    show work the person may not read, whoever calls it."""
    own_work = Q(team_id=team.pk) & access.team_work_q(user)
    scoped = {"team": Q(id=team.pk), "membership": Q(team_id=team.pk), "cycle": own_work,
              "measure_value": own_work, "report": own_work}
    return [Source(KINDS[key], _history(KINDS[key].model).filter(where)) for key, where in scoped.items()]


# --- Filters ------------------------------------------------------------------------------------

SYSTEM = "system"


@dataclass(frozen=True)
class ActivityFilters:
    """``person`` is a user id, SYSTEM (Celery jobs and commands: no person) or None (anyone)."""

    kind: str | None = None
    person: int | str | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None


def _filtered(source: Source, filters: ActivityFilters) -> QuerySet:
    rows = source.rows
    if filters.person == SYSTEM:
        rows = rows.filter(history_user__isnull=True)
    elif filters.person is not None:
        rows = rows.filter(history_user_id=filters.person)
    if filters.since:
        rows = rows.filter(history_date__gte=_start_of(filters.since))
    if filters.until:
        rows = rows.filter(history_date__lt=_start_of(filters.until + datetime.timedelta(days=1)))
    return rows


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def activity_kinds(sources: Iterable[Source]) -> list[tuple[str, str]]:
    """The kinds of object a page covers, for its filter."""
    return [(source.kind.key, source.kind.label) for source in sources]


def activity_people_ids(sources: list[Source]) -> list[int | None]:
    """Everyone who made a change in scope (None for the system), in one query."""
    heads = [source.rows.values_list("history_user_id") for source in sources]
    ids = {row[0] for row in heads[0].union(*heads[1:])} if heads else set()
    return sorted(ids, key=lambda pk: (pk is not None, pk or 0))


# --- A page of rows -------------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def is_long(self) -> bool:
        return len(self.old) > SHORT_TEXT or len(self.new) > SHORT_TEXT

    @property
    def old_short(self) -> str:
        return _cut(self.old)

    @property
    def new_short(self) -> str:
        return _cut(self.new)


def _cut(text: str) -> str:
    return text if len(text) <= SHORT_TEXT else text[:SHORT_TEXT].rstrip() + "…"


@dataclass
class ActivityRow:
    when: datetime.datetime
    who: str
    by_system: bool
    kind: str
    kind_label: str
    name: str
    url: str | None
    action: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return str(ACTIONS[self.action])


@dataclass
class ActivityPage:
    page: Page
    rows: list[ActivityRow]
    people: list[tuple[str, str]]


def activity_page(sources: list[Source], *, filters: ActivityFilters, number: Any = 1,
                  people_ids: Iterable[int | None] = (), per_page: int = PER_PAGE) -> ActivityPage:
    """One page of the scope's history, newest first. ``people_ids`` (from
    ``activity_people_ids``) are named in the same query as the page's people, for the
    filter's list."""
    chosen = [s for s in sources if filters.kind in (None, s.kind.key)]
    heads = [_filtered(s, filters).annotate(activity_kind=Value(s.kind.key, output_field=CharField()))
             .values_list("activity_kind", "history_id", "history_date", "history_user_id", "history_type")
             for s in chosen]
    if not heads:
        union = _history(Team).none().values_list("history_id")
    elif len(heads) == 1:
        union = heads[0].order_by("-history_date", "-history_id")
    else:
        union = heads[0].union(*heads[1:], all=True).order_by("-history_date", "-history_id", "activity_kind")
    page = Paginator(union, per_page).get_page(number)
    page_heads = list(page.object_list)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, history_id, *_rest in page_heads:
        by_kind[kind].append(history_id)
    fetched = {key: _rows_with_previous(KINDS[key], ids) for key, ids in by_kind.items()}
    diffs = {key: _diffs(KINDS[key], rows, by_kind[key]) for key, rows in fetched.items()}
    people_ids = list(people_ids)
    names = _resolve(fetched, diffs, people_ids)
    rows = [_row(KINDS[kind], fetched[kind][history_id], diffs[kind].get(history_id, []), names)
            for kind, history_id, *_rest in page_heads]
    people = sorted(((SYSTEM if pk is None else str(pk), _("System (scheduled jobs)") if pk is None
                      else _person(names, pk)) for pk in people_ids),
                    key=lambda choice: (choice[0] != SYSTEM, choice[1].casefold()))
    return ActivityPage(page, rows, people)


def _rows_with_previous(kind: Kind, ids: list[int]) -> dict[int, Any]:
    """The page's rows of one history table and the row before each, in one query."""
    history = kind.history
    earlier = (history.objects.order_by("-history_date", "-history_id")
               .filter(id=OuterRef("id"))
               .filter(Q(history_date__lt=OuterRef("history_date"))
                       | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")))
               .values("history_id")[:1])
    previous_ids = history.objects.order_by().filter(history_id__in=ids).annotate(
        previous=Subquery(earlier)).values("previous")
    rows = (history.objects.order_by()
            .filter(Q(history_id__in=ids) | Q(history_id__in=previous_ids))
            .annotate(previous_id=Subquery(earlier),
                      alive=Exists(kind.model.objects.order_by().filter(pk=OuterRef("id")))))
    return {row.history_id: row for row in rows}


@dataclass(frozen=True)
class _Change:
    """A change before its values are named: raw values, or sets of ids for a m2m field."""

    field: models.Field
    old: Any
    new: Any


def _diffs(kind: Kind, rows: dict[int, Any], page_ids: list[int]) -> dict[int, list[_Change]]:
    changed = [rows[pk] for pk in page_ids if rows[pk].history_type == CHANGED
               and rows[pk].previous_id in rows]
    history = kind.history
    m2m = list(history._history_m2m_fields)
    skipped = {f.name for f in m2m} | NOT_SHOWN
    related = _m2m_rows(history, m2m, [row.history_id for row in changed]
                        + [row.previous_id for row in changed])
    diffs: dict[int, list[_Change]] = {}
    for row in changed:
        previous = rows[row.previous_id]
        delta = row.diff_against(previous, excluded_fields=skipped)
        found = [_Change(kind.model._meta.get_field(c.field), c.old, c.new) for c in delta.changes]
        for m2m_field in m2m:
            old = related[m2m_field.name].get(previous.history_id, frozenset())
            new = related[m2m_field.name].get(row.history_id, frozenset())
            if old != new:
                found.append(_Change(m2m_field, old, new))
        diffs[row.history_id] = found
    return diffs


def _m2m_rows(history: type[models.Model], m2m: list[models.Field],
              history_ids: list[int]) -> dict[str, dict[int, frozenset]]:
    """For each m2m field, the ids it held at each history row (one query per field)."""
    found: dict[str, dict[int, frozenset]] = {}
    for m2m_field in m2m:
        through = history.__dict__[m2m_field.name].model
        target = get_m2m_reverse_field_name(m2m_field) + "_id"
        held: dict[int, set] = defaultdict(set)
        if history_ids:
            for history_id, target_id in through.objects.filter(
                    history_id__in=history_ids).values_list("history_id", target):
                held[history_id].add(target_id)
        found[m2m_field.name] = {pk: frozenset(ids) for pk, ids in held.items()}
    return found


def _resolve(fetched: dict[str, dict[int, Any]], diffs: dict[str, dict[int, list[_Change]]],
             people_ids: list[int | None]) -> Names:
    """Name every object the page points to: one query per kind of object."""
    User = get_user_model()
    wanted: dict[type[models.Model], set] = defaultdict(set)
    wanted[User].update(pk for pk in people_ids if pk is not None)
    for key, rows in fetched.items():
        kind = KINDS[key]
        for row in rows.values():
            if row.history_user_id:
                wanted[User].add(row.history_user_id)
            for name in kind.name_needs:
                fk = kind.model._meta.get_field(name)
                wanted[fk.related_model].add(getattr(row, fk.attname))
        for changes in diffs[key].values():
            for change in changes:
                if change.field.many_to_many:
                    wanted[change.field.related_model].update(change.old | change.new)
                elif change.field.is_relation:
                    wanted[change.field.related_model].update((change.old, change.new))
    names: Names = {}
    for model, ids in wanted.items():
        ids.discard(None)
        if ids:
            names.update(_names_of(model, ids))
    return names


def _names_of(model: type[models.Model], ids: set) -> Names:
    User = get_user_model()
    if model is User:
        return {(User, person.pk): person.get_full_name() or person.get_username()
                for person in User.objects.filter(pk__in=ids)}
    # Only models whose __str__ reads no relation are named here (all of them in KINDS'
    # foreign keys: names, titles, labels), so naming costs no query per object.
    names = {(model, item.pk): str(item) for item in model._default_manager.filter(pk__in=ids)}
    gone = ids - {pk for _model, pk in names}
    if gone and hasattr(model, "history"):
        # Removed since: named as they last were, with the fact said.
        last = model.history.model.objects.filter(id__in=gone).order_by("id", "-history_date", "-history_id")
        for item in last:
            names.setdefault((model, item.id), _("%(name)s (removed)") % {"name": item.instance})
    return names


def _row(kind: Kind, row: Any, changes: list[_Change], names: Names) -> ActivityRow:
    return ActivityRow(
        when=row.history_date,
        who=_person(names, row.history_user_id) if row.history_user_id else _("system"),
        by_system=row.history_user_id is None,
        kind=kind.key, kind_label=kind.label, name=kind.name(row, names),
        url=kind.link(row) if row.alive else None,
        action=row.history_type,
        changes=[FieldChange(capfirst(change.field.verbose_name), _shown(change.field, change.old, names),
                             _shown(change.field, change.new, names)) for change in changes],
    )


def _shown(model_field: models.Field, value: Any, names: Names) -> str:
    """A value as people read it: choice labels, names for foreign keys, local dates."""
    if model_field.many_to_many:
        shown = sorted(_named(model_field.related_model, pk, names) for pk in value)
        return ", ".join(shown) if shown else "—"
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return _named(model_field.related_model, value, names)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):  # 3.00 reads as 3; 2.50 as 2.5
        return formats.localize(value.quantize(1) if value == value.to_integral() else value.normalize())
    if isinstance(value, float | int):
        return formats.localize(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)
