"""Demo Pareto tallies: reasons for early pick-ups, one tally per team."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser

from measures.models import ParetoCategory, ParetoTally
from teams.models import Team

DEMO_PICK_UPS = [("Transport", 22), ("Illness", 12), ("Work hours", 8), ("Family event", 4),
                 ("Appointments", 3), ("Weather", 3)]


def seed_pareto(teams: list[Team], *, end: datetime.date, saved_by: AbstractBaseUser | None = None) -> int:
    """One "Early pick-ups" tally per team for the quarter ending ``end``; idempotent (by team
    and title), and cheap at 200 teams: one query per team plus one bulk insert."""
    start = (end.replace(day=1) - datetime.timedelta(days=62)).replace(day=1)
    fresh: list[ParetoCategory] = []
    for offset, team in enumerate(teams):
        tally, created = ParetoTally.objects.get_or_create(
            team=team, title="Early pick-ups",
            defaults={"start": start, "end": end, "created_by": saved_by})
        if created:
            fresh += [ParetoCategory(tally=tally, label=label, count=(count + offset) % 25, order=i)
                      for i, (label, count) in enumerate(DEMO_PICK_UPS)]
    ParetoCategory.objects.bulk_create(fresh)
    return len(fresh)
