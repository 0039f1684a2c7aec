"""/api/v1/pdsa-cycles/: the pages' rules, in JSON. Paths are written out: they are the API's
public contract."""

from __future__ import annotations

import pytest

from pdsa.models import Cycle
from tests.pdsa.conftest import complete

pytestmark = pytest.mark.django_db

CYCLES = "/api/v1/pdsa-cycles/"
KEYS = {"id", "team", "change_idea", "title", "status", "decision", "is_shared", "version",
        "objective", "questions", "prediction", "plan_who", "plan_what", "plan_when",
        "plan_where", "data_collection_plan", "measures", "do_what_happened", "do_problems",
        "do_unexpected", "done_on", "study_summary", "study_learned", "next_step", "scale",
        "lead", "participants", "planned_start"}


def call(client, user, method: str, path: str, data: dict | None = None):
    client.force_login(user)
    return getattr(client, method)(path, data, content_type="application/json")


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["results"]}


def test_it_creates_a_cycle_for_a_member(client, world, idea):
    response = call(client, world.member_a, "post", CYCLES, {
        "team": world.team_a.pk, "change_idea": idea.pk, "title": "Arrival schedule",
        "prediction": "Calmer mornings"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) >= KEYS
    assert (body["status"], body["version"], body["lead"]) == ("plan", 1, world.member_a.pk)


def test_it_refuses_creation_to_coaches(client, world, idea):
    response = call(client, world.coach, "post", CYCLES, {
        "team": world.team_a.pk, "change_idea": idea.pk, "title": "T"})
    assert response.status_code == 403
    assert not Cycle.objects.exists()


def test_it_names_the_field_of_a_change_idea_of_another_collaborative(client, world, foreign_idea):
    response = call(client, world.member_a, "post", CYCLES, {
        "team": world.team_a.pk, "change_idea": foreign_idea.pk, "title": "T"})
    assert response.status_code == 400
    assert set(response.json()) == {"change_idea"}


def test_it_names_the_field_of_a_lead_who_is_not_on_the_team(client, world, idea):
    response = call(client, world.member_a, "post", CYCLES, {
        "team": world.team_a.pk, "change_idea": idea.pk, "title": "T", "lead": world.coach.pk})
    assert response.status_code == 400
    assert set(response.json()) == {"lead"}


def test_it_lists_by_the_access_rules(client, world, make_cycle):
    private = make_cycle(title="Private")
    shared = complete(make_cycle(title="Shared", follows=private), shared=True)
    assert ids(call(client, world.member_a, "get", CYCLES)) == {private.pk, shared.pk}
    assert ids(call(client, world.coach, "get", CYCLES)) == {private.pk, shared.pk}
    assert ids(call(client, world.member_b, "get", CYCLES)) == {shared.pk}
    assert ids(call(client, world.state_viewer, "get", CYCLES)) == set()
    assert ids(call(client, world.other_advisor, "get", CYCLES)) == set()


def test_it_lists_every_cycle_of_a_team_to_a_superuser(client, superuser, world, five_cycles):
    response = call(client, superuser, "get", f"{CYCLES}?team={world.team_a.pk}")
    assert ids(response) == {cycle.pk for cycle in five_cycles}
    private = five_cycles[-1]
    assert call(client, superuser, "get", f"{CYCLES}{private.pk}/").status_code == 200


def test_it_filters_by_status_and_decision(client, world, make_cycle, other_idea):
    done = complete(make_cycle(), decision="adapt")
    planned = make_cycle(change_idea=other_idea)
    assert ids(call(client, world.member_a, "get", CYCLES + "?status=plan")) == {planned.pk}
    assert ids(call(client, world.member_a, "get", CYCLES + "?decision=adapt")) == {done.pk}
    assert ids(call(client, world.member_a, "get",
                    f"{CYCLES}?change_idea={other_idea.pk}&team={world.team_a.pk}")) == {planned.pk}
    assert call(client, world.member_a, "get", CYCLES + "?status=maybe").status_code == 400


def test_it_updates_the_worksheet_and_steps_the_status(client, world, make_cycle):
    cycle = make_cycle()
    response = call(client, world.member_a, "patch", f"{CYCLES}{cycle.pk}/", {
        "version": 1, "objective": "Calm", "status": "do"})
    assert response.status_code == 200
    assert (response.json()["objective"], response.json()["status"]) == ("Calm", "do")
    assert response.json()["version"] == 3


def test_it_refuses_a_stale_version_with_409(client, world, make_cycle):
    cycle = make_cycle()
    call(client, world.lead_a, "patch", f"{CYCLES}{cycle.pk}/", {"version": 1, "objective": "A"})
    response = call(client, world.member_a, "patch", f"{CYCLES}{cycle.pk}/",
                    {"version": 1, "objective": "B"})
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    cycle.refresh_from_db()
    assert cycle.objective == "A"


def test_it_asks_for_the_version_on_a_change(client, world, make_cycle):
    cycle = make_cycle()
    response = call(client, world.member_a, "patch", f"{CYCLES}{cycle.pk}/", {"objective": "B"})
    assert response.status_code == 400
    assert set(response.json()) == {"version"}


def test_it_refuses_to_move_on_from_do_without_what_happened(client, world, make_cycle):
    cycle = make_cycle()
    Cycle.objects.filter(pk=cycle.pk).update(status="do")
    response = call(client, world.member_a, "patch", f"{CYCLES}{cycle.pk}/",
                    {"version": 1, "status": "study"})
    assert response.status_code == 400
    assert response.json() == {"do_what_happened": [
        "Do needs what happened: write it before you move on to Study."]}
    cycle.refresh_from_db()
    assert (cycle.status, cycle.version) == ("do", 1)


def test_it_refuses_to_complete_without_a_decision(client, world, make_cycle):
    cycle = make_cycle()
    Cycle.objects.filter(pk=cycle.pk).update(status="act", do_what_happened="It ran.",
                                             study_learned="Mornings matter.")
    response = call(client, world.member_a, "patch", f"{CYCLES}{cycle.pk}/",
                    {"version": 1, "status": "complete", "study_summary": "As predicted"})
    assert response.status_code == 400
    assert set(response.json()) == {"decision"}
    cycle.refresh_from_db()
    assert (cycle.status, cycle.study_summary, cycle.version) == ("act", "", 1)


def test_it_refuses_worksheet_writes_to_coaches(client, world, make_cycle):
    cycle = make_cycle()
    response = call(client, world.coach, "patch", f"{CYCLES}{cycle.pk}/",
                    {"version": 1, "objective": "Coach's"})
    assert response.status_code == 403


def test_it_hides_a_private_cycle_from_other_teams(client, world, make_cycle):
    cycle = make_cycle()
    assert call(client, world.member_b, "get", f"{CYCLES}{cycle.pk}/").status_code == 404


@pytest.mark.parametrize(("persona", "expected"), [
    ("member_a", 403), ("coach", 403), ("lead_a", 204), ("advisor", 204), ("member_b", 404)])
def test_it_lets_only_the_team_lead_or_advisor_delete(client, world, make_cycle, persona,
                                                      expected):
    cycle = make_cycle()
    response = call(client, getattr(world, persona), "delete", f"{CYCLES}{cycle.pk}/")
    assert response.status_code == expected
    assert Cycle.objects.filter(pk=cycle.pk).exists() == (expected != 204)


# --- Review fixes ---------------------------------------------------------------------------

@pytest.mark.parametrize("param", ["team", "change_idea"])
def test_it_refuses_an_id_filter_of_non_ascii_digits(client, world, param):
    response = call(client, world.member_a, "get", f"{CYCLES}?{param}=²")
    assert response.status_code == 400
    assert set(response.json()) == {param}


def test_it_refuses_a_line_break_in_the_title(client, world, idea):
    response = call(client, world.member_a, "post", CYCLES, {
        "team": world.team_a.pk, "change_idea": idea.pk, "title": "Morning\nschedule"})
    assert response.status_code == 400
    assert set(response.json()) == {"title"}
    assert not Cycle.objects.exists()


def test_it_lists_cycles_in_the_same_number_of_queries_however_many(client, world, idea):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pdsa import services

    client.force_login(world.member_a)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CYCLES).status_code == 200
        return len(queries)

    def add(n: int) -> None:
        for i in range(n):
            services.cycle_create(team=world.team_a, created_by=world.member_a,
                                  change_idea=idea, title=f"Test {i}",
                                  participants=[world.member_a, world.lead_a])

    add(3)
    few = count_queries()
    add(9)
    assert count_queries() == few


def _errors_for(client, world, idea, **fields) -> dict:
    response = call(client, world.member_a, "post", CYCLES, {
        "team": world.team_a.pk, "change_idea": idea.pk, "title": "T", **fields})
    assert response.status_code == 400
    return response.json()


def test_it_names_the_problem_with_people_ideas_and_measures_out_of_reach(client, world, idea,
                                                                          foreign_idea):
    from tests import factories

    stranger_on_a_team = world.other_team.memberships.get().user  # another collaborative
    foreign_measure = factories.MeasureFactory(collaborative=world.other_collaborative)
    missing = 999_999
    for field, existing, message in (
            ("lead", stranger_on_a_team.pk, "Choose people who are on the team."),
            ("participants", [stranger_on_a_team.pk], "Choose people who are on the team."),
            ("measures", [foreign_measure.pk], "Link only measures of your collaborative."),
    ):
        absent = [missing] if isinstance(existing, list) else missing
        refused = _errors_for(client, world, idea, **{field: existing})
        assert refused == _errors_for(client, world, idea, **{field: absent})  # says nothing more
        assert message in str(refused[field])
        assert "does not exist" not in str(refused)
    refused = _errors_for(client, world, foreign_idea)
    assert refused == {"change_idea": ["Choose a change idea from your collaborative's change "
                                       "framework."]}
    assert refused == _errors_for(client, world, type(idea)(pk=missing))
