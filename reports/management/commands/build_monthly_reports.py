"""Build the monthly reports of a month: through Celery when a broker is configured (the
fan-out task), in this process otherwise (Celery's eager mode runs the same tasks)."""

from __future__ import annotations

from celery.result import EagerResult
from django.core.management.base import BaseCommand, CommandError, CommandParser

from measures.months import parse_month
from reports.tasks import build_monthly_reports, build_team_report
from teams.models import Team


class Command(BaseCommand):
    help = "Build (or refresh) the monthly team reports of a month."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--team", type=int, help="Only this team's report (its id).")

    def handle(self, *args: object, month: str, team: int | None = None, **options: object) -> None:
        try:
            day = parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if team is not None:
            if not Team.objects.filter(pk=team).exists():
                raise CommandError(f"There is no team {team}.")
            build_team_report.delay(team_id=team, month=day.isoformat())
            self.stdout.write(f"Building the {day:%Y-%m} report of team {team}.")
            return
        result = build_monthly_reports.delay(month=day.isoformat())
        if isinstance(result, EagerResult):  # no broker: it ran here, and we know how many
            self.stdout.write(f"Built the {day:%Y-%m} reports of {result.get()} teams.")
        else:
            self.stdout.write(f"Queued the {day:%Y-%m} reports of the active teams.")
