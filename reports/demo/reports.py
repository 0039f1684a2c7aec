"""Demo monthly reports: for the first teams of a collaborative every month from the start
to last month, scores rising over the year, most submitted and reviewed; one team scores
itself a full point above its advisor, and one team has not yet submitted last month's.
Every other team has last month's report, submitted.

Rows are written directly (no emails), found by team and month, so a second run leaves the
same reports.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from collaboratives.models import Collaborative
from measures.months import add_months, month_range
from reports import scale
from reports.models import MonthlyReport
from reports.snapshots import team_month_snapshot
from teams.models import Team

DEMO_TEAMS = 8
DISAGREES = 1  # Little Oaks scores itself a point above its advisor
LATE = 2  # has not submitted last month's report

WORDS = [
    ("Two educators and a parent ran their first tests.", "Finding time to meet as a team.",
     "Test the picture schedule in a second room.", "A coach visit to watch a transition."),
    ("The family member led a test at home and shared it at the team meeting.",
     "Data for incidents came in late.", "Spread the feelings check-in to all rooms.",
     "Ideas from other teams on reviewing incidents quickly."),
    ("Fidelity checks show most rooms using the schedule.", "Staff turnover in one room.",
     "Write the schedule into our handbook.", ""),
]


def seed_reports(collaborative: Collaborative, teams: list[Team], advisor: AbstractBaseUser,
                 today: datetime.date) -> None:
    start = collaborative.start_date.replace(day=1)
    last = min(add_months(today.replace(day=1), -1), collaborative.end_date.replace(day=1))
    months = month_range(start, last) if start <= last else []
    now = timezone.now()
    for index, team in enumerate(teams):
        # The first teams carry the year's story; the others (a scaled demo) last month's
        # report only, as the job on the 1st built it and most teams then submitted it.
        for position, month in enumerate(months):
            if index >= DEMO_TEAMS and position < len(months) - 1:
                continue
            fields = _fields(index, position, len(months), advisor, now)
            if fields.get("submitted_at"):
                fields["submitted_by"] = team.memberships.order_by("-is_lead", "pk").first().user
            report, _created = MonthlyReport.objects.update_or_create(
                team=team, month=month, defaults=fields)
            report.snapshot = team_month_snapshot(team, month)
            report.built_at = now
            report.save(update_fields=["snapshot", "built_at"])


def _fields(index: int, position: int, count: int, advisor: AbstractBaseUser,
            now: datetime.datetime) -> dict:
    """Scores climb half a step every two or three months (teams differ a little)."""
    score = min(Decimal("0.5") + Decimal("0.5") * ((position + index % 3) // 2), Decimal("4.5"))
    self_score = min(score + scale.GAP, Decimal("5.0")) if index == DISAGREES else score
    successes, challenges, next_steps, supports = WORDS[min(position // 4, len(WORDS) - 1)]
    fields = {"successes": successes, "challenges": challenges, "next_steps": next_steps,
              "supports_needed": supports, "ready_notified_at": now}
    last = position == count - 1
    if last and index == LATE:
        return {**fields, "successes": "", "challenges": "", "next_steps": "", "supports_needed": "",
                "status": MonthlyReport.Status.GENERATED, "self_score": None, "advisor_score": None,
                "feedback": "", "submitted_at": None, "reviewed_at": None}
    fields.update(status=MonthlyReport.Status.SUBMITTED, self_score=self_score, submitted_at=now)
    if last and index % 2:
        return {**fields, "advisor_score": None, "feedback": "", "reviewed_at": None}
    return {**fields, "status": MonthlyReport.Status.REVIEWED, "advisor_score": score,
            "feedback": "Good tests this month; bring the data to the next call.",
            "reviewed_at": now, "reviewed_by": advisor}
