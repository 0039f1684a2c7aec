"""Scheduled emails of the reports layer: the reminder to a team before its month's data or
report is due, and the weekly digest for advisors and coaches.

The selectors decide who gets what and return plain data; the two senders claim an
``EmailClaim`` before sending, so a repeated or retried task never sends the same email
twice, and give the claim back when the mail server fails so the retry can send it."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery

from collaboratives.emails import send_templated_email
from collaboratives.language import email_language
from collaboratives.models import Collaborative, CollaborativeRole, EmailClaim
from measures.months import add_months, month_start
from pdsa.models import Cycle, CycleComment
from reports import scale
from reports.models import MonthlyReport
from reports.selectors import TeamMonth, due_date, team_months
from teams import access
from teams.models import Membership, Team

UserModel = get_user_model()

KINDS = ("data", "report")
REMINDER_DAYS_BEFORE = 3
STALLED_AFTER_DAYS = 28
NEW_COMMENT_DAYS = 7
DIGEST_ROLES = (CollaborativeRole.Role.ADVISOR, CollaborativeRole.Role.COACH)
DIGEST_SECTIONS = ("late_data", "late_reports", "stalled_cycles", "new_comments", "score_gaps")
LATE_SECTION = {"data": "late_data", "report": "late_reports"}
EMAIL_REMINDER = "due_reminder"
EMAIL_DIGEST = "weekly_digest"


def _people_wanting(preference: str) -> QuerySet:
    """Active people with an email who did not turn ``preference`` off (no row: on)."""
    return (UserModel.objects.filter(is_active=True).exclude(email="")
            .exclude(**{f"notification_preferences__{preference}": False}))


def _covers(collaborative: Collaborative, month: datetime.date) -> bool:
    return collaborative.start_date < add_months(month, 1) and collaborative.end_date >= month


# --- The reminder before a month is due ---------------------------------------------------------

@dataclass(frozen=True)
class MissingWork:
    """One team's unfinished part of the month: its data (``measures_missing`` measures
    with no value) or its report (not submitted yet)."""

    team: Team
    kind: str
    due: datetime.date
    measures_missing: int = 0


@dataclass(frozen=True)
class Reminder:
    """What one person is reminded of for one collaborative and month."""

    person: AbstractBaseUser
    collaborative: Collaborative
    month: datetime.date
    missing: tuple[MissingWork, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind in KINDS if any(item.kind == kind for item in self.missing))

    @property
    def due(self) -> datetime.date:
        return self.missing[0].due


def reminder_month(collaborative: Collaborative, today: datetime.date
                   ) -> tuple[datetime.date | None, tuple[str, ...]]:
    """The month whose data and/or report (the kinds) fall due exactly three days after
    ``today`` in this collaborative; ``(None, ())`` when nothing does."""
    due = today + datetime.timedelta(days=REMINDER_DAYS_BEFORE)
    month = add_months(month_start(due), -1)
    kinds = tuple(kind for kind in KINDS if due_date(collaborative, month, kind=kind) == due)
    if not kinds or not _covers(collaborative, month):
        return None, ()
    return month, kinds


def due_reminders(today: datetime.date) -> list[Reminder]:
    """Everyone to remind today: in each active collaborative, the members of teams whose
    month falling due in three days is incomplete (data missing, or the report not
    submitted). One reminder per person and collaborative, naming every team and kind
    missing; when data and report fall due the same day, one email covers both."""
    reminders = []
    for collaborative in Collaborative.objects.filter(status=Collaborative.Status.ACTIVE).order_by("pk"):
        month, kinds = reminder_month(collaborative, today)
        if month is not None:
            reminders += _reminders(collaborative, month, kinds)
    return reminders


def reminder_for(person: AbstractBaseUser, collaborative: Collaborative, month: datetime.date,
                 kinds: tuple[str, ...]) -> Reminder | None:
    """One person's reminder, worked out again when it is sent: a team that finished its
    month in the meantime, or a person who turned reminders off, gets none."""
    found = _reminders(collaborative, month, kinds, person=person)
    return found[0] if found else None


def _reminders(collaborative: Collaborative, month: datetime.date, kinds: tuple[str, ...], *,
               person: AbstractBaseUser | None = None) -> list[Reminder]:
    """Five queries whatever the number of teams and people."""
    teams = collaborative.teams.all()
    if person is not None:
        teams = teams.filter(memberships__user=person)
    missing: dict[int, list[MissingWork]] = {}
    for row in team_months(list(teams), month):
        items = []
        if "data" in kinds and row.measures_missing:
            items.append(MissingWork(row.team, "data", row.data_due, row.measures_missing))
        if "report" in kinds and (row.report is None or row.report.team_can_edit):
            items.append(MissingWork(row.team, "report", row.report_due))
        if items:
            missing[row.team.pk] = items
    if not missing:
        return []
    memberships = (Membership.objects.accepted()
                   .filter(team_id__in=missing, user__in=_people_wanting("due_reminders"))
                   .select_related("user").order_by("user_id", "team__name"))
    if person is not None:
        memberships = memberships.filter(user=person)
    by_person: dict[int, list[Membership]] = defaultdict(list)
    for membership in memberships:
        by_person[membership.user_id].append(membership)
    return [Reminder(person=held[0].user, collaborative=collaborative, month=month,
                     missing=tuple(item for membership in held for item in missing[membership.team_id]))
            for held in by_person.values()]


def reminder_send(*, reminder: Reminder) -> bool:
    """Email one reminder, at most once per person, collaborative, month and kind: each
    kind is claimed first, and the email names only the kinds this call claimed."""
    person, month = reminder.person, reminder.month
    claims = {kind: claim for kind in reminder.kinds
              if (claim := _claim(EMAIL_REMINDER, f"{reminder.collaborative.pk}:{month:%Y-%m}:{kind}",
                                  person))}
    if not claims:
        return False
    reminder = replace(reminder, missing=tuple(item for item in reminder.missing if item.kind in claims))
    _deliver(list(claims.values()), "reports/emails/reminder", person, {"reminder": reminder})
    return True


# --- The weekly digest ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CommentedCycle:
    cycle: Cycle
    comments: int
    authors: tuple[str, ...]


@dataclass(frozen=True)
class ScoreGap:
    report: MonthlyReport
    gap: Decimal


@dataclass(frozen=True)
class CollaborativeDigest:
    """One collaborative's part of a digest; ``sections`` holds only the non-empty ones,
    by the names in ``DIGEST_SECTIONS``."""

    collaborative: Collaborative
    sections: dict[str, list]


@dataclass(frozen=True)
class Digest:
    person: AbstractBaseUser
    week: datetime.date
    collaboratives: tuple[CollaborativeDigest, ...]


def digest_recipients() -> QuerySet:
    """Advisors and coaches of active collaboratives who want the digest."""
    return (_people_wanting("weekly_digest")
            .filter(collaborative_roles__role__in=DIGEST_ROLES,
                    collaborative_roles__collaborative__status=Collaborative.Status.ACTIVE)
            .distinct().order_by("pk"))


def digest_collaboratives(person: AbstractBaseUser) -> QuerySet[Collaborative]:
    """The active collaboratives the person advises or coaches (faculty get no digest),
    within what the access rules let them manage."""
    return (access.collaboratives_managed_by(person)
            .filter(status=Collaborative.Status.ACTIVE, roles__user=person, roles__role__in=DIGEST_ROLES)
            .distinct().order_by("name"))


def weekly_digest(person: AbstractBaseUser, today: datetime.date) -> Digest | None:
    """What an advisor or coach should look at this week, across the collaboratives they
    lead: data and reports late (for the latest month already past its due day), cycles not
    complete and not changed for four weeks, other people's comments of the last seven
    days, and teams whose latest reviewed report has a self-score and advisor's score at
    least ``scale.GAP`` apart. ``None`` when every section is empty. A fixed number of
    queries whatever the number of collaboratives and teams."""
    collaboratives = list(digest_collaboratives(person))
    if not collaboratives:
        return None
    sections: dict[int, dict[str, list]] = {c.pk: defaultdict(list) for c in collaboratives}
    teams = list(Team.objects.filter(collaborative__in=collaboratives).select_related("collaborative"))
    for kind, row in _late(teams, today):
        sections[row.team.collaborative_id][LATE_SECTION[kind]].append(row)
    scope = access.team_work_q(person)
    for cycle in (Cycle.objects.filter(scope, team__collaborative__in=collaboratives)
                  .exclude(status=Cycle.Status.COMPLETE)
                  .filter(updated_at__date__lte=today - datetime.timedelta(days=STALLED_AFTER_DAYS))
                  .select_related("team").order_by("team__name", "updated_at")):
        sections[cycle.team.collaborative_id]["stalled_cycles"].append(cycle)
    for entry in _commented_cycles(person, collaboratives, today):
        sections[entry.cycle.team.collaborative_id]["new_comments"].append(entry)
    for gap in _score_gaps(person, collaboratives):
        sections[gap.report.team.collaborative_id]["score_gaps"].append(gap)
    parts = tuple(CollaborativeDigest(c, {name: sections[c.pk][name] for name in DIGEST_SECTIONS
                                          if sections[c.pk][name]})
                  for c in collaboratives if any(sections[c.pk].values()))
    return Digest(person=person, week=today, collaboratives=parts) if parts else None


def _latest_month_due(collaborative: Collaborative, today: datetime.date, kind: str) -> datetime.date:
    """Last month once its due day has passed, the month before until then (so the early
    Mondays of a month still show who is late)."""
    last = add_months(month_start(today), -1)
    return last if today > due_date(collaborative, last, kind=kind) else add_months(last, -1)


def _late(teams: list[Team], today: datetime.date) -> list[tuple[str, TeamMonth]]:
    """(kind, standing) of each team late with its data or report; one ``team_months`` call
    per month looked at (at most two)."""
    wanted: dict[datetime.date, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for team in teams:
        for kind in KINDS:
            month = _latest_month_due(team.collaborative, today, kind)
            if _covers(team.collaborative, month):
                wanted[month][team.pk].add(kind)
    late = []
    for month, kinds_by_team in sorted(wanted.items()):
        for row in team_months([team for team in teams if team.pk in kinds_by_team], month, today=today):
            kinds = kinds_by_team[row.team.pk]
            if "data" in kinds and row.data_late:
                late.append(("data", row))
            if "report" in kinds and row.report_late:
                late.append(("report", row))
    return sorted(late, key=lambda item: item[1].team.name)


def _commented_cycles(person: AbstractBaseUser, collaboratives: list[Collaborative],
                      today: datetime.date) -> list[CommentedCycle]:
    comments = (CycleComment.objects
                .filter(access.team_work_q(person, "cycle__team"),
                        cycle__team__collaborative__in=collaboratives,
                        created_at__date__gte=today - datetime.timedelta(days=NEW_COMMENT_DAYS),
                        created_at__date__lt=today)
                .exclude(author=person)
                .select_related("cycle__team", "author")
                .order_by("cycle__team__name", "cycle_id", "created_at"))
    by_cycle: dict[int, list[CycleComment]] = defaultdict(list)
    for comment in comments:
        by_cycle[comment.cycle_id].append(comment)
    return [CommentedCycle(
        cycle=thread[0].cycle, comments=len(thread),
        authors=tuple(dict.fromkeys(c.author.get_full_name() or c.author.get_username()
                                    for c in thread if c.author is not None)),
    ) for thread in by_cycle.values()]


def _score_gaps(person: AbstractBaseUser, collaboratives: list[Collaborative]) -> list[ScoreGap]:
    reviewed = MonthlyReport.objects.filter(status=MonthlyReport.Status.REVIEWED)
    latest = reviewed.filter(team=OuterRef("team")).order_by("-month").values("pk")[:1]
    reports = (reviewed.filter(access.team_work_q(person), team__collaborative__in=collaboratives,
                               pk=Subquery(latest), self_score__isnull=False, advisor_score__isnull=False)
               .select_related("team").order_by("team__name"))
    return [ScoreGap(report, report.score_gap) for report in reports if report.score_gap >= scale.GAP]


def digest_send(*, digest: Digest) -> bool:
    """Email one digest, at most once per person and week."""
    claim = _claim(EMAIL_DIGEST, digest.week.isoformat(), digest.person)
    if claim is None:
        return False
    _deliver([claim], "reports/emails/digest", digest.person, {"digest": digest, "gap": scale.GAP})
    return True


# --- Claims and delivery ----------------------------------------------------------------------------

def _claim(kind: str, key: str, person: AbstractBaseUser) -> EmailClaim | None:
    try:
        with transaction.atomic():  # a savepoint: a lost claim leaves any outer transaction usable
            return EmailClaim.objects.create(kind=kind, key=key, recipient=person)
    except IntegrityError:
        return None  # this person already has it


def _deliver(claims: list[EmailClaim], template: str, person: AbstractBaseUser, context: dict) -> None:
    context = {**context, "person": person, "site_url": settings.SITE_URL}
    try:
        send_templated_email(template=template, context=context, to=person.email,
                         language=email_language(person))
    except OSError:
        for claim in claims:
            claim.delete()  # not sent: the retry may send it
        raise
