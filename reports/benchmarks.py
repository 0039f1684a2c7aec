"""Query counts per page for a seeded portal, used by scripts/benchmark_queries.py and
by the test that keeps page queries flat as the number of teams grows."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collaboratives.models import Collaborative
from measures.models import Measure
from measures.months import add_months
from pdsa.models import Cycle
from teams.models import Team


def _pages() -> list[tuple[str, str, Callable[[], str]]]:
    def first() -> Collaborative:
        return Collaborative.objects.get(state="NC")

    def team_a() -> Team:
        return Team.objects.get(memberships__user__username="member-a")

    def cycle_a() -> Cycle:
        return Cycle.objects.filter(team=team_a()).order_by("pk").first()

    def stratified() -> Measure:
        return Measure.objects.filter(collaborative=first()).exclude(stratification="").first()

    def last_month() -> datetime.date:
        return add_months(timezone.localdate().replace(day=1), -1)

    return [
        ("advisor", "collaborative list", lambda: reverse("collaboratives:list")),
        ("advisor", "collaborative detail", lambda: first().get_absolute_url()),
        ("advisor", "team list", lambda: reverse("teams:list")),
        ("advisor", "team detail", lambda: team_a().get_absolute_url()),
        ("admin", "home (several destinations)", lambda: reverse("home")),
        ("member-a", "team detail (member)", lambda: team_a().get_absolute_url()),
        ("member-a", "collaborative detail (member)", lambda: first().get_absolute_url()),
        ("state", "collaborative detail (state)", lambda: first().get_absolute_url()),
        ("member-a", "monthly data (member)", lambda: reverse("measures:team-data", args=[team_a().pk])),
        ("member-a", "month entry (member)", lambda: reverse(
            "measures:team-data-month", args=[team_a().pk, last_month()])),
        ("member-a", "run charts (member)", lambda: reverse("reports:team-charts", args=[team_a().pk])),
        ("advisor", "measure list", lambda: reverse("measures:list", args=[first().pk])),
        ("advisor", "measure detail (advisor)", lambda: stratified().get_absolute_url()),
        ("state", "measure detail (state)", lambda: stratified().get_absolute_url()),
        ("member-a", "PDSA cycles (member)", lambda: reverse("pdsa:cycle-list", args=[team_a().pk])),
        ("member-a", "cycle detail (member)", lambda: reverse("pdsa:cycle-detail", args=[cycle_a().pk])),
        ("advisor", "spread (advisor)", lambda: reverse("pdsa:spread", args=[first().pk])),
        ("state", "spread (state)", lambda: reverse("pdsa:spread", args=[first().pk])),
        ("advisor", "driver diagram editor", lambda: reverse("collaboratives:framework", args=[first().pk])),
        ("advisor", "api teams", lambda: reverse("api:team-list")),
        ("advisor", "api pdsa cycles", lambda: reverse("api:pdsa-cycle-list")),
        ("advisor", "api measure values", lambda: reverse("api:measure-value-list")),
        ("advisor", "api collaboratives", lambda: reverse("api:collaborative-list")),
    ]


def page_query_counts(*, teams: int, months: int = 16) -> dict[str, int]:
    """Seed the demo at this size and count the queries of each page for its persona."""
    call_command("seed_demo", teams=teams, months=months, stdout=io.StringIO())
    users = get_user_model().objects
    counts = {}
    for username, label, url in _pages():
        client = Client()
        client.force_login(users.get(username=username))
        target = url()
        connection.queries_log.clear()  # the log keeps 9000 entries; seeding fills it
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target)
        if response.status_code != 200:
            raise RuntimeError(f"{label}: {target} answered {response.status_code}")
        counts[label] = len(queries)
    return counts
