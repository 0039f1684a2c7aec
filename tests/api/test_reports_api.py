"""/api/v1/reports/: monthly team reports under the pages' rules. A team's members and the
collaborative's leaders read them, nobody else knows they exist (404); members write the
narrative and submit, leaders review (each 403 on the other's step); the job builds them,
so the API neither creates nor deletes.

Paths are written out: they are the API's public contract."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import services
from reports.models import MonthlyReport
from tests import factories

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"
D = datetime.date
MARCH = D(2026, 3, 1)  # due 2026-04-10: long past
FAR_AHEAD = D(2099, 1, 1)  # due 2099-02-10: not yet
KEYS = {"id", "team", "collaborative", "month", "status", "status_display", "snapshot",
        "successes", "challenges", "next_steps", "supports_needed", "self_score",
        "self_score_level", "advisor_score", "advisor_score_level", "feedback", "submitted_at",
        "reviewed_at", "report_due", "report_late"}
LOCKED = ["This report was submitted; the advisor has it now."]


def get(client, user, path: str):
    client.force_login(user)
    return client.get(path)


def post(client, user, path: str, data: dict | None = None):
    client.force_login(user)
    return client.post(path, data or {}, content_type="application/json")


def patch(client, user, path: str, data: dict):
    client.force_login(user)
    return client.patch(path, data, content_type="application/json")


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["results"]}


def url(report: MonthlyReport, step: str = "") -> str:
    return f"{REPORTS}{report.pk}/" + (f"{step}/" if step else "")


def build(team, month: datetime.date = MARCH) -> MonthlyReport:
    return services.monthly_report_build(team=team, month=month)


def submitted(report: MonthlyReport, world, score: str = "2.5") -> MonthlyReport:
    report = services.monthly_report_save(report=report, self_score=Decimal(score))
    return services.monthly_report_submit(report=report, submitted_by=world.member_a)


def reloaded(report: MonthlyReport) -> MonthlyReport:
    return MonthlyReport.objects.get(pk=report.pk)


@pytest.fixture
def report_a(world) -> MonthlyReport:
    return build(world.team_a)


@pytest.fixture
def reports(world, report_a) -> dict[str, MonthlyReport]:
    return {"a": report_a, "b": build(world.team_b), "other": build(world.other_team)}


# --- Who reads what --------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "expected"), [
    ("member_a", {"a"}), ("lead_a", {"a"}), ("member_b", {"b"}), ("advisor", {"a", "b"}),
    ("coach", {"a", "b"}), ("other_advisor", {"other"}), ("state_viewer", set()),
    ("other_state_viewer", set()), ("stranger", set()),
])
def test_it_lists_a_teams_reports_to_its_members_and_its_collaboratives_leaders(
        client, world, reports, persona, expected):
    response = get(client, getattr(world, persona), REPORTS)
    assert response.status_code == 200
    assert ids(response) == {reports[name].pk for name in expected}


@pytest.mark.parametrize(("persona", "expected"), [
    ("member_a", 200), ("lead_a", 200), ("advisor", 200), ("coach", 200), ("member_b", 404),
    ("other_advisor", 404), ("state_viewer", 404), ("other_state_viewer", 404), ("stranger", 404),
])
def test_it_reads_a_report_only_to_its_team_and_leaders(client, world, report_a, persona, expected):
    assert get(client, getattr(world, persona), url(report_a)).status_code == expected


def test_it_refuses_anonymous_callers(client, report_a):
    assert client.get(REPORTS).status_code == 401
    assert client.get(url(report_a)).status_code == 401


def test_it_answers_404_for_a_report_that_does_not_exist(client, world, report_a):
    missing = MonthlyReport.objects.order_by("-pk").first().pk + 1
    assert get(client, world.advisor, f"{REPORTS}{missing}/").status_code == 404
    assert post(client, world.member_a, f"{REPORTS}{missing}/submit/").status_code == 404
    assert post(client, world.advisor, f"{REPORTS}{missing}/review/").status_code == 404
    assert patch(client, world.member_a, f"{REPORTS}{missing}/", {}).status_code == 404


def test_it_pages_the_list(client, world, reports):
    body = get(client, world.advisor, REPORTS).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2


def test_it_gives_the_report_with_its_team_month_and_snapshot(client, world, report_a):
    body = get(client, world.member_a, url(report_a)).json()
    assert set(body) == KEYS
    assert body["team"] == {"id": world.team_a.pk, "name": "Team A"}
    assert body["collaborative"] == world.collaborative.pk
    assert (body["month"], body["status"], body["status_display"]) == (
        "2026-03", "generated", "Ready for the team")
    assert body["snapshot"] == report_a.snapshot
    assert body["snapshot"] != {}


def test_it_gives_each_score_with_the_name_of_its_level(client, world, report_a):
    services.monthly_report_review(report=submitted(report_a, world, "2.5"), reviewed_by=world.advisor,
                                   advisor_score=Decimal("3.0"), feedback="Good tests.")
    body = get(client, world.member_a, url(report_a)).json()
    assert (body["self_score"], body["self_score_level"]) == (2.5, "Changes tested, but no improvement")
    assert (body["advisor_score"], body["advisor_score_level"]) == (3.0, "Modest improvement")


def test_it_gives_no_level_to_a_missing_score(client, world, report_a):
    body = get(client, world.member_a, url(report_a)).json()
    assert (body["self_score"], body["self_score_level"]) == (None, None)
    assert (body["advisor_score"], body["advisor_score_level"]) == (None, None)


# --- Filters ---------------------------------------------------------------------------------

def test_it_filters_by_team(client, world, reports):
    response = get(client, world.advisor, f"{REPORTS}?team={world.team_b.pk}")
    assert ids(response) == {reports["b"].pk}


def test_it_filters_by_month(client, world, reports):
    april = build(world.team_a, D(2026, 4, 1))
    assert ids(get(client, world.member_a, f"{REPORTS}?month=2026-04")) == {april.pk}
    assert ids(get(client, world.member_a, f"{REPORTS}?month=2026-03")) == {reports["a"].pk}


def test_it_filters_by_status(client, world, reports):
    submitted(reports["a"], world)
    assert ids(get(client, world.advisor, f"{REPORTS}?status=submitted")) == {reports["a"].pk}
    assert ids(get(client, world.advisor, f"{REPORTS}?status=generated")) == {reports["b"].pk}


def test_it_never_widens_the_scope_with_a_filter(client, world, reports):
    assert ids(get(client, world.member_a, f"{REPORTS}?team={world.team_b.pk}")) == set()
    assert ids(get(client, world.advisor, f"{REPORTS}?team={world.other_team.pk}")) == set()


@pytest.mark.parametrize(("query", "field"), [
    ("team=a", "team"), ("team=²", "team"), ("month=March", "month"), ("month=2026-13", "month"),
    ("status=late", "status"),
])
def test_it_refuses_a_filter_it_cannot_read_naming_it(client, world, query, field):
    response = get(client, world.advisor, f"{REPORTS}?{query}")
    assert (response.status_code, list(response.json())) == (400, [field])


# --- The team's narrative ----------------------------------------------------------------------

def test_it_saves_the_narrative_for_a_member(client, world, report_a):
    response = patch(client, world.member_a, url(report_a), {
        "successes": "Calmer arrivals.", "supports_needed": "Coaching on transitions.",
        "self_score": 2.5})
    assert response.status_code == 200
    assert (response.json()["successes"], response.json()["self_score"]) == ("Calmer arrivals.", 2.5)
    report = reloaded(report_a)
    assert (report.successes, report.supports_needed, report.self_score) == (
        "Calmer arrivals.", "Coaching on transitions.", Decimal("2.5"))
    assert report.status == MonthlyReport.Status.GENERATED


def test_it_keeps_the_fields_a_patch_leaves_out(client, world, report_a):
    services.monthly_report_save(report=report_a, challenges="Staffing.", self_score=Decimal("2.0"))
    patch(client, world.lead_a, url(report_a), {"next_steps": "Try it in two rooms."})
    report = reloaded(report_a)
    assert (report.challenges, report.self_score, report.next_steps) == (
        "Staffing.", Decimal("2.0"), "Try it in two rooms.")


def test_it_clears_the_self_score_with_null(client, world, report_a):
    services.monthly_report_save(report=report_a, self_score=Decimal("2.0"))
    assert patch(client, world.member_a, url(report_a), {"self_score": None}).status_code == 200
    assert reloaded(report_a).self_score is None


@pytest.mark.parametrize("score", [2.7, 0, 5.5, 12, "high"])
def test_it_refuses_a_self_score_off_the_scale_naming_it(client, world, report_a, score):
    response = patch(client, world.member_a, url(report_a), {"self_score": score})
    assert (response.status_code, list(response.json())) == (400, ["self_score"])
    assert reloaded(report_a).self_score is None


@pytest.mark.parametrize("field", ["advisor_score", "feedback", "status"])
def test_it_refuses_the_review_and_status_in_a_narrative_patch_naming_them(client, world, report_a,
                                                                           field):
    value = {"advisor_score": 4.0, "feedback": "Mine.", "status": "submitted"}[field]
    response = patch(client, world.member_a, url(report_a), {"successes": "S", field: value})
    assert (response.status_code, list(response.json())) == (400, [field])
    assert reloaded(report_a).successes == ""


@pytest.mark.parametrize("persona", ["advisor", "coach"])
def test_it_refuses_the_narrative_to_leaders(client, world, report_a, persona):
    response = patch(client, getattr(world, persona), url(report_a), {"successes": "Leader's"})
    assert response.status_code == 403
    assert reloaded(report_a).successes == ""


@pytest.mark.parametrize("persona", ["member_b", "other_advisor", "state_viewer", "stranger"])
def test_it_hides_the_report_from_writers_who_may_not_read_it(client, world, report_a, persona):
    response = patch(client, getattr(world, persona), url(report_a), {"successes": "Theirs"})
    assert response.status_code == 404
    assert reloaded(report_a).successes == ""


def test_it_refuses_the_narrative_of_a_submitted_report_with_the_services_message(
        client, world, report_a):
    submitted(report_a, world)
    response = patch(client, world.member_a, url(report_a), {"successes": "Too late"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": LOCKED}
    assert reloaded(report_a).successes == ""


# --- Submitting --------------------------------------------------------------------------------

def test_it_submits_for_a_member(client, world, report_a):
    services.monthly_report_save(report=report_a, self_score=Decimal("2.0"))
    response = post(client, world.lead_a, url(report_a, "submit"))
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["submitted_at"] is not None
    assert reloaded(report_a).submitted_by == world.lead_a


def test_it_asks_for_a_self_score_before_submitting_naming_it(client, world, report_a):
    response = post(client, world.member_a, url(report_a, "submit"))
    assert (response.status_code, list(response.json())) == (400, ["self_score"])
    assert reloaded(report_a).status == MonthlyReport.Status.GENERATED


def test_it_refuses_a_second_submission(client, world, report_a):
    submitted(report_a, world)
    response = post(client, world.member_a, url(report_a, "submit"))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This report was already submitted."]}


@pytest.mark.parametrize(("persona", "expected"), [
    ("advisor", 403), ("coach", 403), ("member_b", 404), ("other_advisor", 404),
    ("state_viewer", 404), ("stranger", 404),
])
def test_it_lets_only_the_team_submit(client, world, report_a, persona, expected):
    services.monthly_report_save(report=report_a, self_score=Decimal("2.0"))
    assert post(client, getattr(world, persona), url(report_a, "submit")).status_code == expected
    assert reloaded(report_a).status == MonthlyReport.Status.GENERATED


# --- Reviewing ---------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["advisor", "coach"])
def test_it_records_a_leaders_review(client, world, report_a, persona):
    submitted(report_a, world)
    response = post(client, getattr(world, persona), url(report_a, "review"),
                    {"advisor_score": 3.0, "feedback": "Good tests."})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["advisor_score"], body["feedback"]) == ("reviewed", 3.0, "Good tests.")
    assert body["reviewed_at"] is not None
    assert reloaded(report_a).reviewed_by == getattr(world, persona)


def test_it_sends_a_report_back_with_feedback_and_the_team_edits_it_again(client, world, report_a):
    submitted(report_a, world)
    response = post(client, world.advisor, url(report_a, "review"),
                    {"feedback": "Say which rooms.", "changes_requested": True})
    assert response.json()["status"] == "changes_requested"
    assert patch(client, world.member_a, url(report_a), {"successes": "Rooms 2 and 3."}).status_code == 200
    assert post(client, world.member_a, url(report_a, "submit")).json()["status"] == "submitted"


def test_it_asks_what_to_change_when_changes_are_requested_naming_feedback(client, world, report_a):
    submitted(report_a, world)
    response = post(client, world.advisor, url(report_a, "review"), {"changes_requested": True})
    assert (response.status_code, list(response.json())) == (400, ["feedback"])
    assert reloaded(report_a).status == MonthlyReport.Status.SUBMITTED


def test_it_asks_for_a_score_to_finish_a_review_naming_it(client, world, report_a):
    submitted(report_a, world)
    response = post(client, world.advisor, url(report_a, "review"), {"feedback": "Fine."})
    assert (response.status_code, list(response.json())) == (400, ["advisor_score"])


def test_it_refuses_an_advisor_score_off_the_scale_naming_it(client, world, report_a):
    submitted(report_a, world)
    response = post(client, world.advisor, url(report_a, "review"), {"advisor_score": 3.3})
    assert (response.status_code, list(response.json())) == (400, ["advisor_score"])


def test_it_refuses_to_review_a_report_not_yet_submitted(client, world, report_a):
    response = post(client, world.advisor, url(report_a, "review"), {"advisor_score": 3.0})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The team has not submitted this report yet."]}
    assert reloaded(report_a).advisor_score is None


@pytest.mark.parametrize(("persona", "expected"), [
    ("member_a", 403), ("lead_a", 403), ("member_b", 404), ("other_advisor", 404),
    ("state_viewer", 404), ("other_state_viewer", 404), ("stranger", 404),
])
def test_it_lets_only_the_collaboratives_leaders_review(client, world, report_a, persona, expected):
    submitted(report_a, world)
    response = post(client, getattr(world, persona), url(report_a, "review"),
                    {"advisor_score": 5.0, "feedback": "Perfect."})
    assert response.status_code == expected
    report = reloaded(report_a)
    assert (report.status, report.advisor_score) == (MonthlyReport.Status.SUBMITTED, None)


# --- Due and late ------------------------------------------------------------------------------

def test_it_gives_the_due_date_from_the_collaboratives_due_day(client, world, report_a):
    world.collaborative.report_due_day = 15
    world.collaborative.save()
    assert get(client, world.member_a, url(report_a)).json()["report_due"] == "2026-04-15"


def test_it_flags_a_report_the_team_still_has_after_its_due_date(client, world, report_a):
    assert get(client, world.member_a, url(report_a)).json()["report_late"] is True


def test_it_does_not_flag_a_submitted_report(client, world, report_a):
    submitted(report_a, world)
    assert get(client, world.member_a, url(report_a)).json()["report_late"] is False


def test_it_flags_a_report_sent_back_after_its_due_date(client, world, report_a):
    services.monthly_report_review(report=submitted(report_a, world), reviewed_by=world.advisor,
                                   advisor_score=None, feedback="More.", changes_requested=True)
    assert get(client, world.member_a, url(report_a)).json()["report_late"] is True


def test_it_does_not_flag_a_report_before_its_due_date(client, world):
    ahead = build(world.team_a, FAR_AHEAD)
    body = get(client, world.member_a, url(ahead)).json()
    assert (body["report_due"], body["report_late"]) == ("2099-02-10", False)


# --- No create, replace or delete ----------------------------------------------------------------

def test_it_leaves_building_and_removing_reports_to_the_job(client, world, report_a):
    client.force_login(world.advisor)
    assert client.post(REPORTS, {"team": world.team_a.pk, "month": "2026-05"},
                       content_type="application/json").status_code == 405
    assert client.delete(url(report_a)).status_code == 405
    client.force_login(world.member_a)
    assert client.put(url(report_a), {"successes": "S"},
                      content_type="application/json").status_code == 405
    assert MonthlyReport.objects.filter(pk=report_a.pk).exists()


# --- The schema and the queries --------------------------------------------------------------------

def test_it_describes_the_report_endpoints(client, world):
    client.force_login(world.member_a)  # the schema is for signed-in callers
    paths = set(yaml.safe_load(client.get("/api/v1/schema/").content)["paths"])
    assert {REPORTS, "/api/v1/reports/{id}/", "/api/v1/reports/{id}/submit/",
            "/api/v1/reports/{id}/review/"} <= paths


def queries(client, user, path: str) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_it_runs_the_same_queries_whatever_the_number_of_reports(client, world):
    def counts() -> dict[str, int]:
        return {"advisor": queries(client, world.advisor, REPORTS),
                "member": queries(client, world.member_a, REPORTS),
                "filtered": queries(client, world.advisor, f"{REPORTS}?month=2026-03&status=generated")}

    build(world.team_a)
    build(world.team_b)
    small = counts()
    more = [world.team_a, world.team_b,
            *(factories.TeamFactory(collaborative=world.collaborative) for _ in range(4))]
    for team in more:
        for month in (D(2026, 1, 1), D(2026, 2, 1), MARCH):
            build(team, month)
    assert MonthlyReport.objects.filter(team__collaborative=world.collaborative).count() == 18
    assert counts() == small


def test_it_leaves_the_snapshot_out_of_the_list(client, world, report_a):
    # The snapshot is most of a report's bytes; the list stays light and the detail has it.
    item = get(client, world.advisor, REPORTS).json()["results"][0]
    assert set(item) == KEYS - {"snapshot"}
