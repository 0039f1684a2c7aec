"""The cohort dashboard: where advisors and coaches land, one row per team, the figures
above it read from the aggregate layer and the monthly reports, never re-derived."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collaboratives.models import ChangeIdea, Period
from measures.models import Measure
from measures.months import add_months, month_start
from pdsa.models import Cycle
from reports.models import MonthlyReport
from reports.selectors import due_date
from teams.models import MemberRole
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DUE = add_months(month_start(TODAY), -1)  # the month whose data and report are due now


@pytest.fixture
def measure(world):
    return factories.MeasureFactory(collaborative=world.collaborative, name="Fidelity",
                                    type=Measure.Type.OUTCOME, goal=80)


@pytest.fixture
def idea(world):
    return ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")


def cycle(team, idea, **fields) -> Cycle:
    fields.setdefault("title", "Picture schedule")
    return Cycle.objects.create(team=team, change_idea=idea, **fields)


def page(client, world, query: str = ""):
    client.force_login(world.advisor)
    return client.get(reverse("reports:dashboard", args=[world.collaborative.pk]) + query)


def row_of(response, team):
    return next(row for row in response.context["rows"] if row.team == team)


def test_it_flags_late_data_and_a_report_waiting_for_review(client, world, measure):
    factories.MeasureValueFactory(team=world.team_b, measure=measure, month=DUE, numerator=8, denominator=10)
    MonthlyReport.objects.create(team=world.team_b, month=DUE, status=MonthlyReport.Status.SUBMITTED,
                                 self_score="2.5")
    response = page(client, world)
    assert response.status_code == 200
    team_a, team_b = row_of(response, world.team_a), row_of(response, world.team_b)
    flagged = "data_late" in team_a.flags
    assert flagged == (due_date(world.collaborative, DUE, kind="data") < TODAY)
    assert team_a.standing.measures_missing == 1
    assert team_b.standing.measures_missing == 0
    assert "to_review" in team_b.flags
    assert "Report to review: 1" in response.text


def test_it_shows_each_teams_latest_scores_and_their_direction(client, world):
    for month, own, advisor in ((add_months(DUE, -2), "2.0", "1.5"), (add_months(DUE, -1), "2.5", "2.0"),
                                (DUE, "2.5", "1.5")):
        MonthlyReport.objects.create(team=world.team_a, month=month, self_score=own, advisor_score=advisor,
                                     status=MonthlyReport.Status.REVIEWED)
    row = row_of(page(client, world), world.team_a)
    assert (str(row.self_score.value), row.self_score.trend) == ("2.5", 0)
    assert (str(row.advisor_score.value), row.advisor_score.trend) == ("1.5", -1)
    assert "score_gap" in row.flags  # 2.5 against 1.5


def test_it_counts_cycles_and_flags_one_unchanged_for_four_weeks(client, world, idea):
    cycle(world.team_a, idea, status=Cycle.Status.DO)
    stale = cycle(world.team_a, idea, status=Cycle.Status.STUDY, title="Old test")
    Cycle.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - datetime.timedelta(days=29))
    response = page(client, world)
    row = row_of(response, world.team_a)
    assert row.activity.stalled == 1
    assert "stalled" in row.flags
    assert "no_cycles" in row_of(response, world.team_b).flags


def test_it_flags_a_team_that_is_not_cross_role(client, world):
    # Team A has an educator and an administrator, no family member.
    row = row_of(page(client, world), world.team_a)
    assert "not_cross_role" in row.flags
    assert "no_family_in_cycles" in row.flags


def test_it_shows_each_measures_variation_for_each_team(client, world, measure):
    for index in range(12):
        factories.MeasureValueFactory(team=world.team_a, measure=measure, month=add_months(DUE, -index),
                                      numerator=5, denominator=10)
    response = page(client, world)
    (shown, icons), = row_of(response, world.team_a).statuses
    assert shown == measure
    assert icons is not None
    assert icons.variation_icon == "common_cause"
    assert '<span class="visually-hidden">Fidelity</span></th>' in response.text
    # The outcome's line has its data table: 12 months, 50% each, one team reporting.
    outcome, = response.context["board"].outcomes
    assert [(point.value, teams) for point, teams in outcome.rows][-1] == (50.0, 1)
    assert "Teams reporting</th>" in response.text
    assert 'class="mdc-i mdc-common_cause" role="img" aria-label="No significant change"' in response.text


def test_it_filters_and_orders_the_teams(client, world):
    factories.TeamFactory(collaborative=world.collaborative, name="Zebra Center")
    response = page(client, world, "?q=zeb")
    assert [row.team.name for row in response.context["rows"]] == ["Zebra Center"]
    response = page(client, world, "?flag=no_cycles&sort=name")
    assert [row.team.name for row in response.context["rows"]] == ["Team A", "Team B", "Zebra Center"]
    # A bad value is no error: its default is used, and the other choices stay.
    response = page(client, world, "?flag=nonsense&sort=%00&q=zeb")
    assert [row.team.name for row in response.context["rows"]] == ["Zebra Center"]


def test_it_marks_today_on_the_timeline(client, world):
    Period.objects.create(collaborative=world.collaborative, kind=Period.Kind.ACTION_PERIOD, number=2,
                          start_date=TODAY - datetime.timedelta(days=10),
                          end_date=TODAY + datetime.timedelta(days=20))
    response = page(client, world)
    timeline = response.context["board"].timeline
    assert timeline.current.label == "Action period 2"
    assert "which ends in 20 days" in timeline.summary
    assert timeline.today_x is not None
    assert 'class="tl-today"' in response.text
    assert response.context["board"].since == TODAY - datetime.timedelta(days=10)


def test_it_exports_the_teams_as_csv_and_excel(client, world, measure):
    response = page(client, world, "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Teams"
    assert {row[0] for row in rows[2:4]} == {"Team A", "Team B"}
    response = page(client, world, "?format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Teams"
    assert book["Teams"]["A2"].value in {"Team A", "Team B"}


def test_it_is_for_the_leaders_only(client, world):
    url = reverse("reports:dashboard", args=[world.collaborative.pk])
    for user, status in ((world.coach, 200), (world.member_a, 403), (world.state_viewer, 403),
                         (world.other_advisor, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status


def grow(world, measure, idea, teams: int) -> None:
    """``teams`` more teams, each with members, a month of data, a report and cycles."""
    first = world.collaborative.teams.count()
    for index in range(first, first + teams):
        team = factories.TeamFactory(collaborative=world.collaborative, name=f"Extra {index:03}")
        for role in (MemberRole.EDUCATOR, MemberRole.FAMILY):
            factories.MembershipFactory(team=team, role=role)
        factories.MeasureValueFactory(team=team, measure=measure, month=DUE, numerator=3, denominator=9)
        MonthlyReport.objects.create(team=team, month=DUE, self_score="2.0", advisor_score="2.0")
        cycle(team, idea, status=Cycle.Status.COMPLETE, decision=Cycle.Decision.ADOPT, study_summary="x",
              completed_at=timezone.now())


def queries(client, world) -> int:
    client.force_login(world.advisor)
    url = reverse("reports:dashboard", args=[world.collaborative.pk])
    client.get(url)  # warm the aggregate layer's cache, as a second visit finds it
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_it_asks_the_same_number_of_queries_for_3_or_30_teams(client, world, measure, idea):
    grow(world, measure, idea, 1)
    few = queries(client, world)
    grow(world, measure, idea, 27)
    assert queries(client, world) == few
    assert few <= 20


def test_it_compares_the_two_scores_of_the_same_month(client, world):
    MonthlyReport.objects.create(team=world.team_a, month=add_months(DUE, -1), self_score="2.0",
                                 advisor_score="2.0", status=MonthlyReport.Status.REVIEWED)
    # This month the team scored itself 3.0 and the advisor has not scored it yet.
    MonthlyReport.objects.create(team=world.team_a, month=DUE, self_score="3.0",
                                 status=MonthlyReport.Status.SUBMITTED)
    row = row_of(page(client, world), world.team_a)
    assert str(row.score_gap) == "0.0"
    assert "score_gap" not in row.flags
