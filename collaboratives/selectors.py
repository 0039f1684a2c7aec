"""Reads about collaboratives, shared by views, the API and tasks."""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from collaboratives.models import Collaborative, CollaborativeRole, Period


def collaboratives_with_counts(collaboratives: QuerySet[Collaborative]) -> QuerySet[Collaborative]:
    return collaboratives.annotate(team_count=Count("teams", distinct=True)).order_by(
        "-start_date", "name"
    )


def collaborative_timeline(collaborative: Collaborative) -> list[Period]:
    return sorted(collaborative.periods.all(), key=lambda period: period.sequence_key)


def current_period(periods: list[Period], today: datetime.date | None = None) -> Period | None:
    today = today or timezone.localdate()
    return next((p for p in periods if p.start_date <= today <= p.end_date), None)


def collaborative_staff(collaborative: Collaborative) -> QuerySet[CollaborativeRole]:
    return collaborative.roles.select_related("user").order_by(
        "role", "user__last_name", "user__first_name"
    )
