"""The leaders' list of every team's PDSA cycles, its CSV, and the per-team cycle activity the
cohort dashboard reads."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from collaboratives.models import ChangeIdea
from pdsa import selectors
from pdsa.models import Cycle
from teams.models import Team
from tests import factories

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 3, 2, 12, 0))


def make(team: Team, idea: ChangeIdea, title: str = "Test", *, status: str = "plan",
         decision: str = "", lead_role: str = "", shared: bool = False,
         updated: datetime.datetime | None = None, created: datetime.datetime | None = None,
         completed: datetime.datetime | None = None) -> Cycle:
    """A cycle as it stands in the database (the services' rules are tested elsewhere), with
    its timestamps set: ``auto_now`` fields can only be moved by an update."""
    complete = status == Cycle.Status.COMPLETE
    cycle = Cycle.objects.create(
        team=team, change_idea=idea, title=title, status=status, lead_role=lead_role,
        decision=decision or ("adopt" if complete else ""), is_shared=shared,
        study_summary="Studied." if complete else "")
    stamps = {"updated_at": updated or timezone.now(), "created_at": created or timezone.now()}
    if complete:
        stamps["completed_at"] = completed or timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(**stamps)
    cycle.refresh_from_db()
    return cycle


def url(world, name: str = "pdsa:collaborative-cycles") -> str:
    return reverse(name, args=[world.collaborative.pk])


def titles(response) -> list[str]:
    return [cycle.title for cycle in response.context["cycles"]]


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def listed(world, idea, other_idea) -> dict[str, Cycle]:
    """Four cycles of two teams, one of each kind the filters tell apart."""
    a, b = world.team_a, world.team_b
    old = timezone.now() - datetime.timedelta(days=40)
    return {
        "arrival": make(a, idea, "Picture schedule at arrival", lead_role="educator",
                        updated=old),
        "circle": make(a, other_idea, "Feelings chart at circle", status="complete",
                       decision="adapt", lead_role="administrator",
                       updated=old - datetime.timedelta(days=1)),
        "pickup": make(b, idea, "Schedule at pick-up", status="do", lead_role="family",
                       updated=timezone.now() - datetime.timedelta(days=2)),
        "snack": make(b, other_idea, "Feelings at snack", status="study", lead_role=""),
    }


# --- Who may see it -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["pdsa:collaborative-cycles", "pdsa:collaborative-cycles-csv"])
@pytest.mark.parametrize(("persona", "status"), [
    ("advisor", 200), ("coach", 200), ("member_a", 403), ("member_b", 403),
    ("state_viewer", 403), ("other_advisor", 404), ("other_state_viewer", 404), ("stranger", 404),
])
def test_it_shows_the_list_only_to_those_who_lead_the_collaborative(client, world, name, persona,
                                                                     status):
    client.force_login(getattr(world, persona))
    assert client.get(url(world, name)).status_code == status


def test_it_sends_an_anonymous_visitor_to_sign_in(client, world):
    response = client.get(url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_every_teams_cycles_shared_or_not_newest_change_first(client, world, listed):
    make(world.other_team, ChangeIdea.objects.create(collaborative=world.other_collaborative,
                                                     title="Elsewhere"), "Other state's test")
    client.force_login(world.coach)
    response = client.get(url(world))
    assert titles(response) == ["Feelings at snack", "Schedule at pick-up",
                                "Picture schedule at arrival", "Feelings chart at circle"]
    assert "4 cycles in all." in response.content.decode()


# --- Filters ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "expected"), [
    ("status=do", ["pickup"]),
    ("decision=adapt", ["circle"]),
    ("decision=none", ["snack", "pickup", "arrival"]),
    ("lead_role=family", ["pickup"]),
    ("lead_role=unknown", ["snack"]),
    ("stalled=on", ["arrival"]),
    ("q=FEELINGS", ["snack", "circle"]),
])
def test_it_filters_by_each_field(client, world, listed, query, expected):
    client.force_login(world.advisor)
    response = client.get(f"{url(world)}?{query}")
    assert titles(response) == [listed[key].title for key in expected]
    assert response.context["matching"] == len(expected)


def test_it_filters_by_team_and_change_idea(client, world, listed, idea):
    client.force_login(world.advisor)
    assert titles(client.get(url(world), {"team": world.team_a.pk})) == [
        listed["arrival"].title, listed["circle"].title]
    assert titles(client.get(url(world), {"change_idea": idea.pk})) == [
        listed["pickup"].title, listed["arrival"].title]


def test_it_combines_the_filters(client, world, listed, idea):
    client.force_login(world.advisor)
    response = client.get(url(world), {"team": world.team_a.pk, "change_idea": idea.pk,
                                       "decision": "none", "stalled": "on", "q": "arrival"})
    assert titles(response) == [listed["arrival"].title]
    page = response.content.decode()
    assert "1 cycle matches the filters." in page
    assert f"cycles.csv?team={world.team_a.pk}&amp;change_idea={idea.pk}" in page


def test_it_reports_a_filter_it_cannot_use_and_applies_the_others(client, world, listed):
    client.force_login(world.advisor)
    response = client.get(url(world), {"team": world.other_team.pk, "status": "bogus",
                                       "lead_role": "family", "page": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"team", "status"}
    assert titles(response) == [listed["pickup"].title]
    assert "Some filters were not understood" in response.content.decode()


def test_it_sorts_by_team_or_status(client, world, listed):
    client.force_login(world.advisor)
    by_team = titles(client.get(url(world), {"sort": "team"}))
    assert by_team == ["Picture schedule at arrival", "Feelings chart at circle",
                       "Feelings at snack", "Schedule at pick-up"]
    by_status = titles(client.get(url(world), {"sort": "status"}))
    assert by_status == ["Picture schedule at arrival", "Schedule at pick-up",
                         "Feelings at snack", "Feelings chart at circle"]


def test_it_pages_fifty_cycles_at_a_time_and_keeps_the_filters(client, world, idea):
    Cycle.objects.bulk_create([Cycle(team=world.team_a, change_idea=idea, title=f"Test {n}")
                               for n in range(51)])
    client.force_login(world.advisor)
    response = client.get(url(world), {"team": world.team_a.pk, "page": 2})
    assert len(response.context["cycles"]) == 1
    assert response.context["matching"] == 51
    assert f"team={world.team_a.pk}&amp;page=1" in response.content.decode()


# --- No change for 4 weeks -------------------------------------------------------------------

def test_it_calls_a_cycle_stalled_from_exactly_28_days_without_change(world, idea):
    exactly = make(world.team_a, idea, "Exactly", updated=NOW - datetime.timedelta(days=28))
    make(world.team_a, idea, "Almost",
         updated=NOW - datetime.timedelta(days=28) + datetime.timedelta(seconds=1))
    make(world.team_a, idea, "Done long ago", status="complete",
         updated=NOW - datetime.timedelta(days=90))
    cycles = selectors.collaborative_cycles(world.advisor, world.collaborative, now=NOW)
    assert {cycle.title: cycle.is_stalled for cycle in cycles} == {
        "Exactly": True, "Almost": False, "Done long ago": False}
    stalled = selectors.collaborative_cycles(world.advisor, world.collaborative, stalled=True,
                                             now=NOW)
    assert [cycle.pk for cycle in stalled] == [exactly.pk]


def test_it_flags_a_stalled_cycle_on_the_page_in_words(client, world, listed):
    client.force_login(world.advisor)
    page = client.get(url(world)).content.decode()
    # once in the table, once in the list that phones show instead
    assert page.count("No change for 4 weeks</span>") == 2


# --- CSV -------------------------------------------------------------------------------------

def test_it_exports_the_filtered_list(client, world, listed):
    client.force_login(world.advisor)
    response = client.get(url(world, "pdsa:collaborative-cycles-csv"), {"team": world.team_b.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert [(row["team"], row["title"], row["status"], row["lead_role"]) for row in rows] == [
        ("Team B", "Feelings at snack", "study", ""), ("Team B", "Schedule at pick-up", "do",
                                                       "family")]


def test_it_sends_a_bad_export_back_to_the_list_to_say_why(client, world, listed):
    client.force_login(world.advisor)
    response = client.get(url(world, "pdsa:collaborative-cycles-csv"), {"status": "bogus"})
    assert response.status_code == 302
    assert response["Location"] == f"{url(world)}?status=bogus"


def test_it_neutralises_formulas_in_exported_titles(client, world, idea):
    make(world.team_a, idea, "=HYPERLINK(1)")
    client.force_login(world.advisor)
    rows = csv_rows(client.get(url(world, "pdsa:collaborative-cycles-csv")))
    assert not rows[0]["title"].startswith("=")


# --- Query counts ----------------------------------------------------------------------------

def _many(world, idea, teams: int, per_team: int) -> None:
    all_teams = [world.team_a, world.team_b] + [
        factories.TeamFactory(collaborative=world.collaborative) for _ in range(teams - 2)]
    Cycle.objects.bulk_create([
        Cycle(team=team, change_idea=idea, title=f"{team.name} {n}", lead_role="educator")
        for team in all_teams for n in range(per_team)])


@pytest.mark.parametrize(("teams", "per_team"), [(2, 2), (12, 10)])
def test_it_reads_the_page_in_a_fixed_number_of_queries(client, world, idea, teams, per_team,
                                                        django_assert_num_queries):
    _many(world, idea, teams, per_team)
    client.force_login(world.advisor)
    # session, user, the user's roles, teams and states, the collaborative, the filter
    # form's team (to check it) and its choices of team and change idea, count, page
    with django_assert_num_queries(11):
        response = client.get(url(world), {"team": world.team_a.pk, "stalled": ""})
    assert response.status_code == 200


@pytest.mark.parametrize(("teams", "per_team"), [(2, 2), (12, 10)])
def test_it_exports_in_a_fixed_number_of_queries(client, world, idea, teams, per_team,
                                                 django_assert_num_queries):
    _many(world, idea, teams, per_team)
    client.force_login(world.advisor)
    with django_assert_num_queries(7):
        response = client.get(url(world, "pdsa:collaborative-cycles-csv"))
    assert len(csv_rows(response)) == teams * per_team


# --- Activity per team, for the cohort dashboard ---------------------------------------------

def test_it_sums_up_each_teams_cycle_activity(world, idea):
    """Action period from 1 Feb 2026; today 2 March 2026."""
    since = datetime.date(2026, 2, 1)
    before = NOW - datetime.timedelta(days=60)
    a = world.team_a
    make(a, idea, "Old plan, stalled", created=before, updated=before)  # stalled, not counted
    make(a, idea, "New plan", created=NOW - datetime.timedelta(days=10),
         updated=NOW - datetime.timedelta(days=10))
    make(a, idea, "New do, stalled", status="do", created=NOW - datetime.timedelta(days=29),
         updated=NOW - datetime.timedelta(days=29))
    for day, decision, title in [(3, "adopt", "Adopted"), (5, "abandon", "Abandoned"),
                                 (8, "adapt", "Adapted"), (12, "adopt", "Adopted early")]:
        make(a, idea, title, status="complete", decision=decision,
             created=NOW - datetime.timedelta(days=20), updated=NOW - datetime.timedelta(days=day),
             completed=NOW - datetime.timedelta(days=day))
    make(a, idea, "Decided before", status="complete", decision="abandon", created=before,
         completed=before, updated=before)
    activity = selectors.cycle_activity_by_team(world.collaborative, since=since, now=NOW)
    team_a = activity[a.pk]
    assert team_a.by_status == {"plan": 1, "do": 1, "study": 0, "act": 0, "complete": 4}
    assert team_a.total == 6
    assert team_a.stalled == 2
    assert team_a.decisions == {"adopt": 2, "adapt": 1, "abandon": 1}
    assert team_a.latest_decisions == (
        ("Adopt", "Adopted", datetime.date(2026, 2, 27)),
        ("Abandon", "Abandoned", datetime.date(2026, 2, 25)),
        ("Adapt", "Adapted", datetime.date(2026, 2, 22)),
    )
    assert activity[world.team_b.pk] == selectors.CycleActivity(
        by_status={"plan": 0, "do": 0, "study": 0, "act": 0, "complete": 0}, total=0, stalled=0,
        decisions={"adopt": 0, "adapt": 0, "abandon": 0}, latest_decisions=())
    assert world.other_team.pk not in activity


def test_it_counts_all_time_activity_without_a_start(world, idea):
    make(world.team_a, idea, "Years ago", status="complete", decision="adapt",
         created=NOW - datetime.timedelta(days=900), completed=NOW - datetime.timedelta(days=900))
    activity = selectors.cycle_activity_by_team(world.collaborative, since=None, now=NOW)
    assert activity[world.team_a.pk].by_status["complete"] == 1
    assert activity[world.team_a.pk].decisions["adapt"] == 1


@pytest.mark.parametrize(("teams", "per_team"), [(2, 2), (12, 10)])
def test_it_reads_activity_in_two_queries_whatever_the_size(world, idea, teams, per_team,
                                                            django_assert_num_queries):
    _many(world, idea, teams, per_team)
    Cycle.objects.filter(team=world.team_b).update(
        status="complete", decision="adopt", study_summary="S", completed_at=timezone.now())
    with django_assert_num_queries(2):
        activity = selectors.cycle_activity_by_team(world.collaborative,
                                                    since=datetime.date(2020, 1, 1))
    assert len(activity) == teams
    assert len(activity[world.team_b.pk].latest_decisions) == min(per_team, 3)
