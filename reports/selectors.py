"""Reads of monthly reports, scoped by ``teams.access``: a team's report is team work (its
members and the collaborative's leaders read it; nobody else knows it exists)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from collaboratives.models import Collaborative, CollaborativeRole
from measures.models import Measure, MeasureValue
from measures.months import add_months, month_start
from reports.models import MonthlyReport, ReportBuild
from teams import access
from teams.models import Team


def reports_visible_to(user: access.User) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(access.team_work_q(user)).select_related(
        "team__collaborative", "submitted_by", "reviewed_by")


def report_for(user: access.User, pk: int, *, write: bool = False, review: bool = False) -> MonthlyReport:
    """The report, or 404 if the user may not read it, or 403 if they may read it but not
    write it (``write``: the team's members) or review it (``review``: the leaders)."""
    report = reports_visible_to(user).filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    if write and not access.can_write_team_work(user, report.team):
        raise PermissionDenied
    if review and not access.can_manage_team(user, report.team):
        raise PermissionDenied
    return report


def due_date(collaborative: Collaborative, month: datetime.date, *, kind: str) -> datetime.date:
    """When ``month``'s data (``kind="data"``) or report (``"report"``) is due: the
    collaborative's due day of the following month."""
    day = collaborative.data_due_day if kind == "data" else collaborative.report_due_day
    return add_months(month_start(month), 1).replace(day=day)


@dataclass(frozen=True)
class TeamMonth:
    """Where one team stands for one month: its report and its data, and what is late."""

    team: Team
    month: datetime.date
    report: MonthlyReport | None
    measures_missing: int
    data_due: datetime.date
    report_due: datetime.date
    today: datetime.date

    @property
    def data_late(self) -> bool:
        return self.measures_missing > 0 and self.today > self.data_due

    @property
    def report_late(self) -> bool:
        waiting = self.report is None or self.report.team_can_edit
        return waiting and self.today > self.report_due

    @property
    def awaits_review(self) -> bool:
        return self.report is not None and self.report.status == MonthlyReport.Status.SUBMITTED


def team_months(teams: list[Team], month: datetime.date, *, today: datetime.date | None = None
                ) -> list[TeamMonth]:
    """Each team's standing for ``month``, in three queries whatever the number of teams."""
    return _standings(teams, [month], today)


def team_months_of(team: Team, months: list[datetime.date], *, today: datetime.date | None = None
                   ) -> list[TeamMonth]:
    """One team's standing for several months, in three queries whatever the number of months."""
    return _standings([team], months, today)


def _standings(teams: list[Team], months: list[datetime.date], today: datetime.date | None
               ) -> list[TeamMonth]:
    """The grid of teams by months (team by team, months in the order given): reports, measures
    expected and measures filled are three queries."""
    today = today or timezone.localdate()
    months = [month_start(month) for month in months]
    team_ids = [team.pk for team in teams]
    # Without the snapshot: the bulk of a report, and decoding 200 of them cost 80 ms.
    reports = {(r.team_id, r.month): r for r in MonthlyReport.objects.filter(
        team_id__in=team_ids, month__in=months).defer("snapshot")}
    expected = _measure_counts(teams)
    filled = Counter((team_id, month) for team_id, month, _measure in MeasureValue.objects.filter(
        team_id__in=team_ids, month__in=months).order_by()
        .values_list("team_id", "month", "measure_id").distinct())
    return [TeamMonth(team, month, reports.get((team.pk, month)),
                      max(expected.get(team.collaborative_id, 0) - filled.get((team.pk, month), 0), 0),
                      due_date(team.collaborative, month, kind="data"),
                      due_date(team.collaborative, month, kind="report"), today)
            for team in teams for month in months]


def _measure_counts(teams: list[Team]) -> dict[int, int]:
    collaborative_ids = {team.collaborative_id for team in teams}
    return Counter(Measure.objects.filter(collaborative_id__in=collaborative_ids)
                   .values_list("collaborative_id", flat=True))


def report_email_recipients(report: MonthlyReport, event: str) -> list[AbstractBaseUser]:
    """Who hears about a report event: the team when it is ready or reviewed, the
    collaborative's advisors and coaches when it is submitted. Active people with an email."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if event == "submitted":
        people = users.filter(collaborative_roles__collaborative_id=report.team.collaborative_id,
                              collaborative_roles__role__in=[CollaborativeRole.Role.ADVISOR,
                                                             CollaborativeRole.Role.COACH])
    else:
        people = users.filter(memberships__team_id=report.team_id, memberships__accepted_at__isnull=False)
    return list(people.distinct().order_by("pk"))


def report_build_for(collaborative: Collaborative, pk: int) -> ReportBuild:
    build = ReportBuild.objects.filter(collaborative=collaborative, pk=pk).first()
    if build is None:
        raise Http404("No such build.")
    return build


def report_build_progress(build: ReportBuild) -> int:
    """How many of the build's reports have been built since it was asked for."""
    return MonthlyReport.objects.filter(team__collaborative_id=build.collaborative_id, month=build.month,
                                        built_at__gte=build.requested_at).count()
