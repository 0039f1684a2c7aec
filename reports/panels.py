"""The reports layer's panel on the team page: where the team stands on the month now due
(last month's data and report), what is late, and the way to it."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from measures.months import add_months, month_start
from reports import selectors
from teams import access
from teams.models import Team


def team_month_panel(request: HttpRequest, team: Team) -> dict | None:
    """For the team's members and its leaders (the page's other readers see no team work)."""
    if not access.can_read_team(request.user, team):
        return None
    month = add_months(month_start(timezone.localdate()), -1)
    standing = selectors.team_months_of(team, [month])[0]
    return {"standing": standing, "can_write": access.can_write_team_work(request.user, team)}
