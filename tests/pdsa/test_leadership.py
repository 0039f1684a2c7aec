"""Distributed leadership: who leads and takes part in PDSA cycles, by role and quarter; teams
where no family member leads or takes part; the page and its CSV."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from collaboratives.models import ChangeIdea
from pdsa.leadership import leadership
from pdsa.models import Cycle, CycleParticipant
from teams.models import Team
from tests import factories

pytestmark = pytest.mark.django_db

FEB_2025 = timezone.make_aware(datetime.datetime(2025, 2, 14, 12, 0))
AUG_2025 = timezone.make_aware(datetime.datetime(2025, 8, 14, 12, 0))


def make(team: Team, idea: ChangeIdea, *, lead_role: str, created: datetime.datetime,
         took_part: tuple[str, ...] = (), shared: bool = False) -> Cycle:
    cycle = Cycle.objects.create(team=team, change_idea=idea, title="Test", lead_role=lead_role,
                                 is_shared=shared)
    Cycle.objects.filter(pk=cycle.pk).update(created_at=created)
    CycleParticipant.objects.bulk_create([
        CycleParticipant(cycle=cycle, user=factories.UserFactory(), role=role)
        for role in took_part])
    return cycle


@pytest.fixture
def team_c(world) -> Team:
    """A team that has not logged a cycle yet."""
    return factories.TeamFactory(collaborative=world.collaborative, name="Team C")


@pytest.fixture
def example(world, idea, team_c) -> None:
    """Nine cycles over two quarters. Team B's family member leads or takes part; team A's
    never do, and team C has no cycle at all.

    Q1 2025: 5 cycles led by administrator (3), educator, unknown → 1 of 4 known = 25%.
    Q3 2025: 4 cycles led by administrator, educator, other staff, family → 3 of 4 = 75%.
    """
    a, b = world.team_a, world.team_b
    make(a, idea, lead_role="administrator", took_part=("educator",), created=FEB_2025)
    make(a, idea, lead_role="administrator", created=FEB_2025)
    make(b, idea, lead_role="educator", took_part=("family",), created=FEB_2025, shared=True)
    make(a, idea, lead_role="", created=FEB_2025)
    make(b, idea, lead_role="administrator", created=FEB_2025)
    make(a, idea, lead_role="educator", created=AUG_2025, shared=True)
    make(b, idea, lead_role="family", created=AUG_2025)
    make(a, idea, lead_role="other_staff", took_part=("administrator", "educator"),
         created=AUG_2025)
    make(a, idea, lead_role="administrator", took_part=("administrator",), created=AUG_2025)


def everything(world):
    return Cycle.objects.filter(team__collaborative=world.collaborative)


def test_it_counts_who_led_each_quarter(world, example):
    result = leadership(everything(world))
    assert [(row.quarter, row.cycles) for row in result.rows] == [
        (datetime.date(2025, 1, 1), 5), (datetime.date(2025, 7, 1), 4)]
    assert result.rows[0].led_by == {"administrator": 3, "educator": 1, "other_staff": 0,
                                     "family": 0, "unknown": 1}
    assert result.rows[1].led_by == {"administrator": 1, "educator": 1, "other_staff": 1,
                                     "family": 1, "unknown": 0}
    assert result.total.led_by == {"administrator": 4, "educator": 2, "other_staff": 1,
                                   "family": 1, "unknown": 1}
    assert result.total.cycles == 9


def test_it_counts_each_cycle_once_per_role_that_took_part(world, example):
    result = leadership(everything(world))
    assert result.rows[0].took_part == {"administrator": 3, "educator": 2, "other_staff": 0,
                                        "family": 1}
    # The last cycle's administrator leads and is listed too: it counts once.
    assert result.rows[1].took_part == {"administrator": 2, "educator": 2, "other_staff": 1,
                                        "family": 1}


def test_it_works_out_the_frontline_share_of_cycles_with_a_known_lead(world, example):
    result = leadership(everything(world))
    assert [row.frontline_share for row in result.rows] == [0.25, 0.75]
    assert result.total.frontline_share == 0.5
    assert result.summary == ("Educators, other staff and family members led 50% of the cycles "
                              "with a known lead: 75% in Q3 2025, up from 25% in Q1 2025.")


def test_it_has_no_share_when_no_lead_role_is_known(world, idea):
    make(world.team_a, idea, lead_role="", created=FEB_2025)
    result = leadership(everything(world))
    assert result.total.frontline_share is None
    assert result.summary == "No cycle has its lead's role recorded yet."


def test_it_says_when_there_are_no_cycles(world):
    result = leadership(everything(world), world.collaborative.teams.all())
    assert (result.rows, result.total.cycles, result.summary) == ([], 0, "No PDSA cycles yet.")
    assert [name for _pk, name in result.teams_without_family] == ["Team A", "Team B"]


def test_it_flags_teams_where_no_family_member_led_or_took_part(world, example, team_c):
    result = leadership(everything(world), world.collaborative.teams.all())
    assert result.teams_without_family == [(world.team_a.pk, "Team A"), (team_c.pk, "Team C")]


def test_it_flags_no_team_unless_asked_which(world, example):
    assert leadership(everything(world)).teams_without_family == []


def test_it_never_counts_beyond_the_cycles_it_is_given(world, example):
    """The state dashboard passes shared cycles only: team B's family-led cycle is private."""
    shared = everything(world).filter(is_shared=True)
    result = leadership(shared, world.collaborative.teams.all())
    assert result.total.cycles == 2
    assert result.total.led_by["educator"] == 2
    assert result.teams_without_family[0] == (world.team_a.pk, "Team A")
    assert (world.team_b.pk, "Team B") not in result.teams_without_family  # a shared family part


@pytest.mark.parametrize("teams", [2, 8])
def test_it_reads_everything_in_two_queries(world, idea, teams, django_assert_num_queries):
    for n in range(teams - 2):
        team = factories.TeamFactory(collaborative=world.collaborative)
        make(team, idea, lead_role="family", took_part=("educator",), created=FEB_2025)
        make(team, idea, lead_role="educator", created=AUG_2025 + datetime.timedelta(days=n * 30))
    with django_assert_num_queries(2):
        result = leadership(everything(world), world.collaborative.teams.all())
    assert result.total.cycles == 2 * (teams - 2)


# --- The page and its CSV --------------------------------------------------------------------

def url(world, name: str = "pdsa:leadership") -> str:
    return reverse(name, args=[world.collaborative.pk])


@pytest.mark.parametrize("name", ["pdsa:leadership", "pdsa:leadership-csv"])
@pytest.mark.parametrize(("persona", "status"), [
    ("advisor", 200), ("coach", 200), ("member_a", 403), ("member_b", 403),
    ("state_viewer", 403), ("other_advisor", 404), ("other_state_viewer", 404), ("stranger", 404),
])
def test_it_shows_leadership_only_to_those_who_lead_the_collaborative(client, world, name,
                                                                      persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(url(world, name)).status_code == status


def test_it_draws_the_chart_with_its_table_summary_and_flagged_teams(client, world, example,
                                                                      team_c):
    client.force_login(world.advisor)
    response = client.get(url(world))
    page = response.content.decode()
    assert "up from 25% in Q1 2025." in page
    figure = json.loads(page.split('id="leadership-figure" type="application/json">')[1]
                        .split("</script>")[0])
    assert figure["layout"]["barmode"] == "stack"
    assert figure["data"][0]["y"] == [3, 1]  # administrators
    assert "<td class=\"text-end\">75%</td>" in page
    assert f'href="{reverse("teams:detail", args=[team_c.pk])}">Team C</a>' in page
    assert f'href="{reverse("teams:detail", args=[world.team_b.pk])}"' not in page


def test_it_exports_the_table(client, world, example):
    client.force_login(world.advisor)
    response = client.get(url(world, "pdsa:leadership-csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["quarter"], row["cycles"], row["led_by_administrator"], row["took_part_family"],
             row["frontline_led_percent"]) for row in rows] == [
        ("2025-Q1", "5", "3", "1", "25"), ("2025-Q3", "4", "1", "1", "75"),
        ("all", "9", "4", "2", "50")]


@pytest.mark.parametrize("teams", [2, 8])
def test_it_reads_the_page_in_a_fixed_number_of_queries(client, world, idea, teams,
                                                        django_assert_num_queries):
    for _n in range(teams - 2):
        team = factories.TeamFactory(collaborative=world.collaborative)
        make(team, idea, lead_role="family", created=FEB_2025)
    client.force_login(world.advisor)
    # session, user, the user's roles, teams and states, the collaborative, the quarters,
    # the teams without a family member
    with django_assert_num_queries(8):
        assert client.get(url(world)).status_code == 200
    with django_assert_num_queries(8):
        assert client.get(url(world, "pdsa:leadership-csv")).status_code == 200
