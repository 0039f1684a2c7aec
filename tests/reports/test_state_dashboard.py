"""The state dashboard: every collaborative of the viewer's state as aggregates, under the
small-cell rules, in the page, the CSV and the Excel file alike."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collaboratives.models import ChangeIdea
from measures.models import Measure
from measures.months import add_months, month_start
from pdsa.models import Cycle
from reports.models import MonthlyReport
from teams.models import MemberRole
from tests import factories

pytestmark = pytest.mark.django_db
MONTH = add_months(month_start(timezone.localdate()), -1)
SECRET = "Private study notes of Team A"


@pytest.fixture
def measure(world):
    return factories.MeasureFactory(collaborative=world.collaborative, name="Exclusions avoided",
                                    type=Measure.Type.OUTCOME, unit="percent", chart_kind="p")


@pytest.fixture
def idea(world):
    return ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")


def add_teams(world, measure, rows):
    """A team per (numerator, denominator) for MONTH, named so a leak is easy to spot."""
    teams = []
    for index, (numerator, denominator) in enumerate(rows):
        team = factories.TeamFactory(collaborative=world.collaborative, name=f"Secret Team {index}")
        factories.MeasureValueFactory(team=team, measure=measure, month=MONTH, numerator=numerator,
                                      denominator=denominator)
        teams.append(team)
    return teams


def state(client, user, query: str = ""):
    client.force_login(user)
    return client.get(reverse("reports:state") + query)


def test_it_is_for_state_viewers_of_the_state(client, world):
    assert state(client, world.state_viewer).status_code == 200
    for user in (world.advisor, world.member_a, world.stranger):
        assert state(client, user).status_code == 403
    # A viewer of Virginia sees Virginia's collaborative, never North Carolina's.
    response = state(client, world.other_state_viewer, "?state=NC")
    assert response.context["state"] == "VA"
    assert world.collaborative.name not in response.text


def test_it_draws_a_funnel_with_no_team_named_and_small_counts_left_off(client, world, measure):
    add_teams(world, measure, [(20, 100), (45, 100), (30, 60), (4, 40)])
    response = state(client, world.state_viewer)
    outcome, = response.context["board"].collaboratives[0].outcomes
    funnel = outcome.figures.funnel
    assert len(funnel.points) == 3
    assert funnel.hidden == 1
    assert "Secret Team" not in response.text
    assert f'id="funnel-{measure.pk}"' in response.text
    assert "1 team is left off to protect privacy" in response.text


def test_it_counts_only_shared_cycles_and_hides_small_counts(client, world, idea):
    for index in range(12):
        Cycle.objects.create(team=world.team_a, change_idea=idea, title=f"Shared {index}", is_shared=True,
                             status=Cycle.Status.COMPLETE, study_summary=SECRET,
                             lead_role=MemberRole.EDUCATOR,
                             decision=Cycle.Decision.ADOPT if index < 10 else Cycle.Decision.ABANDON,
                             completed_at=timezone.now())
    Cycle.objects.create(team=world.team_a, change_idea=idea, title="Private", status=Cycle.Status.COMPLETE,
                         study_summary=SECRET, decision=Cycle.Decision.ADAPT, completed_at=timezone.now())
    response = state(client, world.state_viewer)
    row, = response.context["board"].collaboratives[0].cycles
    assert row.cells["abandon"].value is None  # 2: hidden
    assert row.cells["adopt"].value is None  # 10, its complement: 12 - 0 gives nothing away
    assert row.cells["adapt"].value == 0
    assert row.cells["total"].value == 12  # the private cycle is not counted
    assert SECRET not in response.text
    assert "Shared 1" not in response.text


def test_it_shows_score_medians_only_over_enough_teams(client, world):
    third = factories.TeamFactory(collaborative=world.collaborative)
    for team, score in ((world.team_a, "1.5"), (world.team_b, "2.0"), (third, "3.0")):
        MonthlyReport.objects.create(team=team, month=MONTH, advisor_score=score)
    MonthlyReport.objects.create(team=world.team_a, month=add_months(MONTH, -1), advisor_score="1.0")
    spreads = state(client, world.state_viewer).context["board"].collaboratives[0].scores
    assert [(s.month, s.median) for s in spreads] == [(add_months(MONTH, -1), None), (MONTH, 2.0)]


def numbers_in(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"(?<![\d.])\d+(?![\d.])", text)}


def test_it_exports_no_count_from_1_to_9_in_csv_or_excel(client, world, measure, idea):
    add_teams(world, measure, [(20, 100), (45, 100), (30, 60), (4, 40)])
    for index in range(13):
        Cycle.objects.create(team=world.team_a, change_idea=idea, title=f"c{index}", is_shared=True,
                             status=Cycle.Status.COMPLETE, study_summary="s",
                             lead_role=MemberRole.FAMILY if index < 3 else MemberRole.EDUCATOR,
                             decision=Cycle.Decision.ADOPT, completed_at=timezone.now())
    csv_text = state(client, world.state_viewer, "?format=csv").content.decode("utf-8-sig")
    tables = csv_text.split("\n\n")
    counted = [table for table in tables if table.startswith(("Shared cycles", "Who led", "Participation"))]
    for table in counted:
        for row in list(csv.reader(io.StringIO(table)))[2:]:
            people_or_cycles = row[2:] if not table.startswith("Participation") else row[2:3]
            for cell in people_or_cycles:
                assert not (cell.isdigit() and 0 < int(cell) < 10), (table.splitlines()[0], row)
    book = openpyxl.load_workbook(io.BytesIO(state(client, world.state_viewer, "?format=xlsx").content))
    for title in ("Shared cycles by quarter", "Who led shared cycles"):
        for row in book[title].iter_rows(min_row=2, min_col=3, values_only=True):
            assert not any(isinstance(v, int) and 0 < v < 10 for v in row), (title, row)
    assert "Secret Team" not in csv_text


def grow(world, measure, idea, teams: int) -> None:
    first = world.collaborative.teams.count()
    for index in range(first, first + teams):
        team = factories.TeamFactory(collaborative=world.collaborative, name=f"Extra {index:03}")
        factories.MembershipFactory(team=team, role=MemberRole.FAMILY)
        factories.MeasureValueFactory(team=team, measure=measure, month=MONTH, numerator=12, denominator=40)
        MonthlyReport.objects.create(team=team, month=MONTH, advisor_score="2.0")
        Cycle.objects.create(team=team, change_idea=idea, title="t", is_shared=True, study_summary="s",
                             status=Cycle.Status.COMPLETE, decision=Cycle.Decision.ADOPT,
                             completed_at=timezone.now() - datetime.timedelta(days=index))


def queries(client, world) -> int:
    client.force_login(world.state_viewer)
    client.get(reverse("reports:state"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reports:state")).status_code == 200
    return len(captured)


def test_it_asks_the_same_number_of_queries_for_few_or_many_teams(client, world, measure, idea):
    grow(world, measure, idea, 2)
    few = queries(client, world)
    grow(world, measure, idea, 25)
    assert queries(client, world) == few
    assert few <= 20


def test_it_gives_medians_of_3_teams_but_quartiles_only_of_5(client, world):
    teams = [world.team_a, world.team_b, *(factories.TeamFactory(collaborative=world.collaborative)
                                           for _ in range(3))]
    for team, score in zip(teams[:3], ("1.5", "2.0", "3.0"), strict=True):
        MonthlyReport.objects.create(team=team, month=MONTH, advisor_score=score)
    for team, score in zip(teams, ("1.0", "1.5", "2.0", "2.5", "3.0"), strict=True):
        MonthlyReport.objects.create(team=team, month=add_months(MONTH, -1), advisor_score=score)
    earlier, latest = state(client, world.state_viewer).context["board"].collaboratives[0].scores
    assert (latest.median, latest.lower, latest.upper) == (2.0, None, None)  # 3 teams: their own scores
    assert (earlier.median, earlier.lower, earlier.upper) == (2.0, 1.5, 2.5)


def test_it_counts_cycles_with_no_lead_recorded_so_row_totals_add_up(client, world, idea):
    for index in range(15):
        Cycle.objects.create(team=world.team_a, change_idea=idea, title=f"c{index}", is_shared=True,
                             status=Cycle.Status.COMPLETE, study_summary="s", decision=Cycle.Decision.ADOPT,
                             lead_role=MemberRole.EDUCATOR if index < 12 else "", completed_at=timezone.now())
    board = state(client, world.state_viewer).context["board"].collaboratives[0]
    row, = board.leaders
    assert row.cells["total"].value == 15
    assert row.cells["unknown"].value is None  # 3 with no lead: hidden, not total minus the rest
    assert row.cells["educator"].value is None  # its complement
    assert "too small to show" in board.leadership_summary
