"""Learning sessions and affinity groups: who may take part, who did, and for how long.

Reads list people as plain rows (one query, no model instances) so a collaborative of 200
teams costs what one of 2 does. Writes are atomic and all-or-nothing: every row is checked
before anything is saved, and a refused save names each person (or CSV line) at fault.
Attendance rows copy the person's team and role from their membership at the time, so a
later change of team or role does not rewrite who took part (models.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from collaboratives.csvfiles import ImportRejected, Problem, csv_text, read_rows
from collaboratives.models import Collaborative, CollaborativeRole, Period
from teams.models import (
    AffinityAttendance,
    AffinityGroup,
    AffinityMeeting,
    MemberRole,
    Membership,
    SessionAttendance,
    Team,
)

HOURS_MIN = Decimal("0.5")
HOURS_MAX = Decimal("24")
MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_CELL = 254  # the longest email address there can be


# --- People -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """A member of one of the collaborative's teams, as attendance screens list them."""

    user_id: int
    name: str
    email: str
    username: str
    team_id: int
    team_name: str
    role: str
    role_label: str


def collaborative_people(collaborative: Collaborative, *, role: str | None = None,
                         team_ids: Iterable[int] | None = None) -> list[Person]:
    """Every member of the collaborative's teams (of one ``role``, of some teams), sorted by
    team and name, in one query. Someone on two teams is listed once, with the first."""
    # Invitations not yet accepted are not members (and their accounts are not shown).
    memberships = Membership.objects.accepted().filter(team__collaborative=collaborative)
    if role is not None:
        memberships = memberships.filter(role=role)
    if team_ids is not None:
        memberships = memberships.filter(team_id__in=list(team_ids))
    labels = dict(MemberRole.choices)
    people: dict[int, Person] = {}
    for row in memberships.order_by("team__name", "team_id", "user__last_name",
                                    "user__first_name", "user_id").values(
            "user_id", "user__first_name", "user__last_name", "user__email", "user__username",
            "team_id", "team__name", "role"):
        if row["user_id"] in people:
            continue
        full = f"{row['user__first_name']} {row['user__last_name']}".strip()
        people[row["user_id"]] = Person(
            user_id=row["user_id"], name=full or row["user__username"], email=row["user__email"],
            username=row["user__username"], team_id=row["team_id"], team_name=row["team__name"],
            role=row["role"], role_label=str(labels.get(row["role"], row["role"])))
    return list(people.values())


def people_by_team(people: Sequence[Person]) -> list[tuple[int, str, list[Person]]]:
    """``people`` (sorted by team) grouped as (team id, team name, people)."""
    groups: list[tuple[int, str, list[Person]]] = []
    for person in people:
        if not groups or groups[-1][0] != person.team_id:
            groups.append((person.team_id, person.team_name, []))
        groups[-1][2].append(person)
    return groups


def hours_parse(raw: str | None) -> Decimal | None:
    """Hours as typed ("6", "5.5", "5,5"); None when left empty. Raises ValidationError
    with a sentence a person can act on."""
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        hours = Decimal(text)
        if not hours.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise ValidationError(_("“%(raw)s” is not a number of hours.") % {"raw": text[:20]},
                              code="invalid") from None
    hours_check(hours)
    return hours


def hours_check(hours: Decimal) -> None:
    if not HOURS_MIN <= hours <= HOURS_MAX:
        raise ValidationError(_("Hours run from 0.5 to 24."), code="out_of_range")
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError(_("Give hours to one decimal place at most (e.g. 5.5)."),
                              code="too_precise")


# --- Learning sessions --------------------------------------------------------------------

def learning_sessions(collaborative: Collaborative) -> QuerySet[Period]:
    return collaborative.periods.filter(kind=Period.Kind.LEARNING_SESSION).order_by(
        "start_date", "number")


def agenda_items(period: Period) -> list[str]:
    """The agenda, one item a line; blank lines dropped."""
    return [line.strip() for line in period.agenda.splitlines() if line.strip()]


@dataclass(frozen=True)
class SessionSummary:
    period: Period
    people: int
    hours: Decimal
    teams: int


def session_summaries(collaborative: Collaborative) -> list[SessionSummary]:
    """Each learning session with how many people attended, their hours and teams (one query)."""
    periods = learning_sessions(collaborative).annotate(
        people=Count("attendance"), total_hours=Sum("attendance__hours"),
        team_count=Count("attendance__team", distinct=True))
    return [SessionSummary(period=period, people=period.people,
                           hours=period.total_hours or Decimal(0), teams=period.team_count)
            for period in periods]


def member_count(collaborative: Collaborative) -> int:
    return (Membership.objects.accepted().filter(team__collaborative=collaborative)
            .values("user").distinct().count())


@dataclass(frozen=True)
class Attendee:
    name: str
    role_label: str
    hours: Decimal


@dataclass(frozen=True)
class TeamAttendance:
    team_id: int
    team_name: str
    members: int
    attended: int
    hours: Decimal
    people: list[Attendee]


@dataclass(frozen=True)
class RoleAttendance:
    role: str
    label: str
    members: int
    attended: int
    hours: Decimal


@dataclass(frozen=True)
class SessionAttendanceReport:
    teams: list[TeamAttendance]
    roles: list[RoleAttendance]
    attended: int
    members: int
    hours: Decimal


def session_attendance_report(period: Period) -> SessionAttendanceReport:
    """Who attended one session, by team (every team, with names) and by role: three queries."""
    teams = Team.objects.filter(collaborative_id=period.collaborative_id).annotate(
        members=Count("memberships", filter=Q(memberships__accepted_at__isnull=False))
    ).order_by("name", "pk").values_list("pk", "name", "members")
    by_role = dict(Membership.objects.accepted().filter(team__collaborative_id=period.collaborative_id)
                   .values("role").annotate(n=Count("pk")).values_list("role", "n"))
    labels = dict(MemberRole.choices)
    attendees: dict[int, list[Attendee]] = {}
    role_people: dict[str, list[Decimal]] = {}
    for row in period.attendance.order_by("user__last_name", "user__first_name", "pk").values(
            "team_id", "role", "hours", "user__first_name", "user__last_name", "user__username"):
        name = f"{row['user__first_name']} {row['user__last_name']}".strip() or row["user__username"]
        attendees.setdefault(row["team_id"], []).append(
            Attendee(name, str(labels.get(row["role"], row["role"])), row["hours"]))
        role_people.setdefault(row["role"], []).append(row["hours"])
    team_rows = [TeamAttendance(pk, name, members, len(attendees.get(pk, [])),
                                sum((a.hours for a in attendees.get(pk, [])), Decimal(0)),
                                attendees.get(pk, []))
                 for pk, name, members in teams]
    role_rows = [RoleAttendance(role, str(label), by_role.get(role, 0),
                                len(role_people.get(role, [])), sum(role_people.get(role, []), Decimal(0)))
                 for role, label in MemberRole.choices]
    return SessionAttendanceReport(
        teams=team_rows, roles=role_rows, attended=sum(row.attended for row in team_rows),
        members=sum(row.members for row in team_rows),
        hours=sum((row.hours for row in team_rows), Decimal(0)))


def session_hours_of(period: Period, user_ids: Iterable[int]) -> dict[int, Decimal]:
    """Hours already recorded for these people at this session."""
    return dict(period.attendance.filter(user_id__in=list(user_ids)).values_list("user_id", "hours"))


@dataclass(frozen=True)
class AttendanceRow:
    """One person on an attendance screen or sheet. ``hours`` None: the session's (or the
    meeting's) length."""

    user_id: int
    attended: bool = True
    hours: Decimal | None = None


@dataclass(frozen=True)
class AttendanceSaved:
    created: int
    updated: int
    removed: int

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


@transaction.atomic
def session_attendance_save(*, period: Period, rows: Iterable[AttendanceRow],
                            recorded_by: AbstractBaseUser | None) -> AttendanceSaved:
    """Record who attended a learning session: people ticked are created or updated, people
    unticked are removed, people not in ``rows`` are left as they are. Refuses the whole
    save (ValidationError naming each person) if anyone is not on a team of the
    collaborative or has hours out of range."""
    if period.kind != Period.Kind.LEARNING_SESSION:
        raise ValidationError(_("Attendance is recorded for learning sessions only."), code="not_session")
    rows = list(rows)
    people = {person.user_id: person for person in _people_of(
        Membership.objects.accepted().filter(team__collaborative_id=period.collaborative_id), rows)}
    return _attendance_sync(
        model=SessionAttendance, parent={"period": period}, rows=rows, people=people,
        default_hours=period.hours, history_user=recorded_by,
        extra={"recorded_by": recorded_by, "recorded_at": timezone.now()},
        outsider=_("%(name)s is not on a team of this collaborative."))


def _people_of(memberships: QuerySet[Membership], rows: list[AttendanceRow]) -> list[Person]:
    """The memberships of the people in ``rows`` (first team by name for someone on two)."""
    ids = {row.user_id for row in rows}
    found: dict[int, Person] = {}
    for user_id, team_id, role in memberships.filter(user_id__in=ids).order_by(
            "team__name", "team_id").values_list("user_id", "team_id", "role"):
        found.setdefault(user_id, Person(user_id, "", "", "", team_id, "", role, ""))
    return list(found.values())


def _attendance_sync(*, model: type[models.Model], parent: dict, rows: list[AttendanceRow],
                     people: dict[int, Person], default_hours: Decimal | None,
                     history_user: AbstractBaseUser | None, extra: dict,
                     outsider: str) -> AttendanceSaved:
    """Create, update and remove attendance rows in a constant number of queries, with
    their history (bulk: the per-row signals would cost a query each)."""
    problems: list[tuple[int, str]] = []  # (person, sentence with %(name)s)
    wanted: dict[int, Decimal] = {}
    seen: set[int] = set()
    for row in rows:
        if row.user_id in seen:
            problems.append((row.user_id, _("%(name)s is listed twice.")))
            continue
        seen.add(row.user_id)
        if row.user_id not in people:
            problems.append((row.user_id, outsider))
            continue
        if not row.attended:
            continue
        hours = row.hours if row.hours is not None else default_hours
        if hours is None:
            problems.append((row.user_id, _("Give the hours %(name)s attended.")))
            continue
        try:
            hours_check(hours)
        except ValidationError as error:
            problems.append((row.user_id, "%(name)s: " + error.messages[0].replace("%", "%%")))
            continue
        wanted[row.user_id] = hours
    if problems:
        names = _names(user_id for user_id, _sentence in problems)  # only when refusing
        raise ValidationError([sentence % {"name": names.get(user_id, str(user_id))}
                               for user_id, sentence in problems], code="invalid_attendance")
    existing = {item.user_id: item for item in model.objects.filter(**parent, user_id__in=seen)}
    created, updated = [], []
    for user_id, hours in wanted.items():
        person = people[user_id]
        item = existing.get(user_id)
        if item is None:
            created.append(model(**parent, user_id=user_id, team_id=person.team_id,
                                 role=person.role, hours=hours, **extra))
        elif (item.hours, item.team_id, item.role) != (hours, person.team_id, person.role):
            item.hours, item.team_id, item.role = hours, person.team_id, person.role
            for field, value in extra.items():
                setattr(item, field, value)
            updated.append(item)
    removed = [item for user_id, item in existing.items() if user_id not in wanted]
    history = model.history
    if created:
        history.bulk_history_create(model.objects.bulk_create(created), default_user=history_user)
    if updated:
        model.objects.bulk_update(updated, ["hours", "team", "role", *extra])
        history.bulk_history_create(updated, update=True, default_user=history_user)
    if removed:
        _delete_with_history(model, removed, history_user)
    return AttendanceSaved(len(created), len(updated), len(removed))


def _delete_with_history(model: type[models.Model], items: list[models.Model],
                         history_user: AbstractBaseUser | None) -> None:
    """Delete rows with a "-" history record each, in two queries. ``QuerySet.delete()``
    would send simple_history's post_delete signal, and a history insert, per row; these
    rows have no dependants, so Django's own fast delete (``_raw_delete``) is safe."""
    now = timezone.now()
    historical = model.history.model
    tracked = [field.attname for field in historical.tracked_fields]
    historical.objects.bulk_create([
        historical(history_date=now, history_user=history_user, history_type="-",
                   history_change_reason="", **{name: getattr(item, name) for name in tracked})
        for item in items])
    queryset = model.objects.filter(pk__in=[item.pk for item in items])
    queryset._raw_delete(router.db_for_write(model))


def _names(user_ids: Iterable[int]) -> dict[int, str]:
    ids = set(user_ids)
    if not ids:
        return {}
    users = get_user_model().objects.filter(pk__in=ids).values_list(
        "pk", "first_name", "last_name", "username")
    return {pk: f"{first} {last}".strip() or username for pk, first, last, username in users}


# --- The CSV sign-in sheet -----------------------------------------------------------------

TEMPLATE_COLUMNS = ["email", "username", "hours", "name", "team"]


def attendance_template_csv(period: Period) -> str:
    """A sign-in sheet: every member with the session's hours; delete the lines of people
    who did not come. ``name`` and ``team`` are there to read; the import ignores them."""
    hours = _number(period.hours)
    return csv_text(TEMPLATE_COLUMNS, (
        [person.email, person.username, hours, person.name, person.team_name]
        for person in collaborative_people(period.collaborative)))


def session_attendance_import(*, period: Period, data: bytes,
                              recorded_by: AbstractBaseUser | None) -> AttendanceSaved:
    """Check the whole sheet, then add or update the attendance of everyone on it (nobody
    is removed: a second sheet for another room adds to the first). Raises ImportRejected
    listing every problem by line; nothing is saved then."""
    rows, problems = _sheet_read(period, data)
    if problems:
        raise ImportRejected(problems)
    try:
        return session_attendance_save(period=period, rows=rows, recorded_by=recorded_by)
    except ValidationError as error:  # already checked; a change in between lands here
        raise ImportRejected([Problem(0, "", message) for message in error.messages]) from error


def _sheet_read(period: Period, data: bytes) -> tuple[list[AttendanceRow], list[Problem]]:
    header, lines, problems = read_rows(data, max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_cell=MAX_CELL)
    if problems and not header:
        return [], problems  # not a CSV file we can read at all
    keys = [column for column in ("email", "username") if column in header]
    if not keys:
        return [], [Problem(1, "", _("The first line must name the columns: email (or username) "
                                     "and, if you like, hours — e.g. “email,hours”."))]
    return _sheet_rows(period, lines, header, keys, problems)


def _sheet_rows(period: Period, sheet: list[tuple[int, list[str]]], header: list[str],
                keys: list[str], problems: list[Problem]) -> tuple[list[AttendanceRow], list[Problem]]:
    people = collaborative_people(period.collaborative)
    by_key = {key: _index(people, key) for key in keys}
    lines: list[tuple[int, str, str, str]] = []  # line, column, identifier, hours
    hours_at = header.index("hours") if "hours" in header else None
    for start, cells in sheet:
        values = dict(zip(header, cells, strict=False))
        key = next((k for k in keys if (values.get(k) or "").strip()), None)
        if key is None:
            problems.append(Problem(start, keys[0], _("No email or username on this line.")))
            continue
        raw_hours = cells[hours_at] if hours_at is not None and hours_at < len(cells) else ""
        lines.append((start, key, values[key].strip(), raw_hours))
    unknown = _unknown_people([(key, ident) for _line, key, ident, _h in lines
                               if ident.casefold() not in by_key[key]])
    rows: list[AttendanceRow] = []
    seen: dict[int, int] = {}
    for start, key, ident, raw_hours in lines:
        matches = by_key[key].get(ident.casefold(), [])
        if not matches:
            if ident.casefold() in unknown[key]:
                message = _("“%(who)s” has an account but is not on a team of this collaborative.")
            elif key == "email":
                message = _("Nobody with the email address “%(who)s” is known here.")
            else:
                message = _("Nobody with the username “%(who)s” is known here.")
            problems.append(Problem(start, key, message % {"who": ident}))
            continue
        if len(matches) > 1:
            problems.append(Problem(start, key, _("Several members have the email “%(who)s”; "
                                                  "use the username column.") % {"who": ident}))
            continue
        person = matches[0]
        if person.user_id in seen:
            problems.append(Problem(start, key, _("%(name)s is already on line %(line)s.")
                                    % {"name": person.name, "line": seen[person.user_id]}))
            continue
        seen[person.user_id] = start
        try:
            hours = hours_parse(raw_hours)
        except ValidationError as error:
            problems.append(Problem(start, "hours", error.messages[0]))
            continue
        if hours is None and period.hours is None:
            problems.append(Problem(start, "hours", _("Give the hours: the session has no length set.")))
            continue
        rows.append(AttendanceRow(person.user_id, True, hours))
    return rows, sorted(problems, key=lambda problem: problem.line)


def _index(people: list[Person], key: str) -> dict[str, list[Person]]:
    index: dict[str, list[Person]] = {}
    for person in people:
        value = getattr(person, key).casefold()
        if value:
            index.setdefault(value, []).append(person)
    return index


def _unknown_people(wanted: list[tuple[str, str]]) -> dict[str, set[str]]:
    """Of the identifiers matching no member, those that do belong to an account (one
    query): the message then says "not on a team" rather than "unknown"."""
    found: dict[str, set[str]] = {"email": set(), "username": set()}
    if not wanted:
        return found
    condition = Q(pk__in=[])
    for key in ("email", "username"):
        values = {ident.casefold() for k, ident in wanted if k == key}
        if values:
            condition |= Q(**{f"folded_{key}__in": values})
    users = get_user_model().objects.annotate(
        folded_email=Lower("email"), folded_username=Lower("username")).filter(condition)
    for email, username in users.values_list("folded_email", "folded_username"):
        found["email"].add(email)
        found["username"].add(username)
    return found


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


# --- Affinity groups -------------------------------------------------------------------------

def collaborative_leaders(collaborative: Collaborative) -> QuerySet:
    """The people who may coach an affinity group: the collaborative's leaders."""
    return get_user_model().objects.filter(
        collaborative_roles__collaborative=collaborative).order_by("last_name", "first_name", "pk")


@transaction.atomic
def affinity_group_save(*, collaborative: Collaborative, group: AffinityGroup | None = None,
                        name: str, role: str, coach: AbstractBaseUser | None,
                        description: str = "") -> AffinityGroup:
    """Create or change an affinity group; its coach must lead the collaborative."""
    group = group or AffinityGroup(collaborative=collaborative)
    if coach is not None and not CollaborativeRole.objects.filter(
            collaborative=collaborative, user=coach).exists():
        raise ValidationError({"coach": _("Choose the coach from the collaborative's leaders.")},
                              code="coach_not_leader")
    name = name.strip()
    if collaborative.affinity_groups.exclude(pk=group.pk).filter(name__iexact=name).exists():
        raise ValidationError({"name": _("This collaborative already has a group with this name.")},
                              code="duplicate_name")
    group.name, group.role, group.coach, group.description = name, role, coach, description
    group.full_clean()
    group.save()
    return group


@dataclass(frozen=True)
class GroupSummary:
    group: AffinityGroup
    people: int
    meetings: int
    last_meeting: datetime.date | None


def affinity_group_summaries(groups: QuerySet[AffinityGroup]) -> list[GroupSummary]:
    """Groups with their meeting counts (one query) and how many people each is for (one)."""
    groups = list(groups.select_related("coach").annotate(
        meeting_count=Count("meetings"), last_meeting=models.Max("meetings__date")).order_by("name"))
    collaborative_ids = {group.collaborative_id for group in groups}
    counts = {(row["team__collaborative_id"], row["role"]): row["n"] for row in Membership.objects.accepted(
    ).filter(team__collaborative_id__in=collaborative_ids).values("team__collaborative_id", "role").annotate(
        n=Count("user", distinct=True))}
    return [GroupSummary(group, counts.get((group.collaborative_id, group.role), 0),
                         group.meeting_count, group.last_meeting) for group in groups]


def affinity_group_people(group: AffinityGroup) -> list[Person]:
    return collaborative_people(group.collaborative, role=group.role)


def affinity_meetings(group: AffinityGroup) -> QuerySet[AffinityMeeting]:
    return group.meetings.annotate(people=Count("attendance")).order_by("-date", "-pk")


def affinity_hours_by_person(group: AffinityGroup) -> dict[int, Decimal]:
    return dict(AffinityAttendance.objects.filter(meeting__group=group).values("user_id").annotate(
        total=Sum("hours")).values_list("user_id", "total"))


def affinity_meeting_hours_of(meeting: AffinityMeeting) -> dict[int, Decimal]:
    return dict(meeting.attendance.values_list("user_id", "hours"))


@transaction.atomic
def affinity_meeting_save(*, group: AffinityGroup, meeting: AffinityMeeting | None = None,
                          date: datetime.date, hours: Decimal, topic: str, notes: str = "",
                          attendance: Iterable[AttendanceRow],
                          saved_by: AbstractBaseUser | None) -> AffinityMeeting:
    """Create or change a meeting and who came (people of the group's role; hours default to
    the meeting's length). All or nothing."""
    meeting = meeting or AffinityMeeting(group=group)
    meeting.date, meeting.hours, meeting.topic, meeting.notes = date, hours, topic.strip(), notes
    meeting.full_clean()
    meeting.save()
    rows = list(attendance)
    people = {person.user_id: person for person in _people_of(Membership.objects.accepted().filter(
        team__collaborative_id=group.collaborative_id, role=group.role),
        rows)}
    _attendance_sync(model=AffinityAttendance, parent={"meeting": meeting}, rows=rows, people=people,
                     default_hours=meeting.hours, history_user=saved_by, extra={},
                     outsider=_("%(name)s is not in this group (wrong role or not on a team)."))
    return meeting
