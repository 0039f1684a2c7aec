"""The team home (/teams/<id>/): what a member needs first — this month's to-dos, the coaches'
feedback, the team's measures, and other teams' shared cycles worth a look — in that order,
in a fixed number of queries."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from collaboratives.models import ChangeIdea
from pdsa import services as pdsa_services
from pdsa.models import Cycle
from reports.models import MonthlyReport
from teams.models import Evaluation, EvaluationSubmission
from tests import factories
from tests.conftest import World
from tests.pdsa.conftest import complete

pytestmark = pytest.mark.django_db

# Late November: October's data and report were due on the 10th.
TODAY = datetime.date(2026, 11, 20)
OCTOBER = datetime.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    # The panels and the selectors they call read today through django.utils.timezone.
    with mock.patch("reports.panels.timezone.localdate", return_value=TODAY):
        yield


@pytest.fixture
def idea(world: World) -> ChangeIdea:
    return ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")


def make_cycle(team, idea: ChangeIdea, title: str, *, author=None) -> Cycle:
    return pdsa_services.cycle_create(team=team, created_by=author, change_idea=idea, title=title,
                                      plan_what=title, scale=Cycle.Scale.ONE_CLASSROOM,
                                      prediction="Fewer children will ask what comes next.")




def home(client, user, team) -> str:
    client.force_login(user)
    response = client.get(team.get_absolute_url())
    assert response.status_code == 200
    return response.text


def section(text: str, heading_id: str) -> str:
    """The HTML of the section labelled by ``heading_id``."""
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', text, re.S)
    assert match, heading_id
    return match.group(0)


# --- Order --------------------------------------------------------------------------------

def test_it_puts_the_panels_in_the_order_a_member_needs_them(client, world):
    text = home(client, world.member_a, world.team_a)
    ids = re.findall(r'<section aria-labelledby="([\w-]+)"', text)
    assert ids == ["todo-heading", "feedback-heading", "measures-heading", "worth-heading",
                   "composition-heading", "members-heading"]


# --- 1. To do this month ------------------------------------------------------------------

def test_it_counts_the_measures_entered_for_the_month_now_due(client, world):
    measures = [factories.MeasureFactory(collaborative=world.collaborative, name=f"M{n}")
                for n in range(7)]
    for measure in measures[:3]:
        factories.MeasureValueFactory(team=world.team_a, measure=measure, month=OCTOBER)
    todo = section(home(client, world.member_a, world.team_a), "todo-heading")
    assert "3 of 7 measures entered for October" in todo
    assert "Late" in todo
    assert "was due November 10" in todo
    assert reverse("measures:team-data-month", args=[world.team_a.pk, OCTOBER]) in todo
    assert "Enter October" in todo


def test_it_gives_the_report_its_state_and_button(client, world):
    report = MonthlyReport.objects.create(team=world.team_a, month=OCTOBER)
    todo = section(home(client, world.member_a, world.team_a), "todo-heading")
    assert "The October report" in todo
    assert "ready for the team" in todo
    assert "Complete the report" in todo
    assert report.get_absolute_url() in todo


def test_it_lists_a_submitted_report_as_done_not_due(client, world):
    report = MonthlyReport.objects.create(team=world.team_a, month=OCTOBER,
                                          status=MonthlyReport.Status.SUBMITTED)
    todo = section(home(client, world.member_a, world.team_a), "todo-heading")
    assert "Complete the report" not in todo
    assert "the October report (submitted)" in todo
    assert report.get_absolute_url() in todo


def test_it_lists_open_cycles_with_their_stage_and_flags_a_stalled_one(client, world, idea):
    fresh = make_cycle(world.team_a, idea, "Picture schedule at arrival", author=world.member_a)
    stalled = make_cycle(world.team_a, idea, "Feelings chart", author=world.member_a)
    Cycle.objects.filter(pk=stalled.pk).update(updated_at=timezone.now() - datetime.timedelta(weeks=5))
    done = complete(make_cycle(world.team_a, idea, "Finished test", author=world.member_a))
    todo = section(home(client, world.member_a, world.team_a), "todo-heading")
    assert "Picture schedule at arrival" in todo
    assert "Feelings chart" in todo
    assert "Finished test" not in todo
    assert done.get_absolute_url() not in todo
    assert "In Plan" in todo
    assert "next: Do" in todo
    assert todo.count("Stalled") == 1
    assert "No change for 5 weeks" in todo
    # The stalled one, waiting longest, comes first.
    assert todo.index("Feelings chart") < todo.index("Picture schedule at arrival")
    assert todo.count(">Continue<") == 2
    assert fresh.get_absolute_url() in todo


def test_it_lists_the_open_evaluations_the_member_has_not_answered(client, world):
    session = factories.PeriodFactory(collaborative=world.collaborative)
    open_form = Evaluation.objects.create(period=session, title="How was LS1?", is_open=True)
    answered = Evaluation.objects.create(period=session, title="Coaching day", is_open=True)
    EvaluationSubmission.objects.create(evaluation=answered, user=world.member_a)
    Evaluation.objects.create(period=session, title="Closed form", is_open=False)
    other = factories.PeriodFactory(collaborative=world.other_collaborative)
    Evaluation.objects.create(period=other, title="Elsewhere", is_open=True)
    todo = section(home(client, world.member_a, world.team_a), "todo-heading")
    assert "How was LS1?" in todo
    assert f"/evaluations/{open_form.pk}/answer/" in todo
    assert "Coaching day" not in todo
    assert "Closed form" not in todo
    assert "Elsewhere" not in todo
    # Someone else's answer does not tick it off for this member.
    assert "How was LS1?" in section(home(client, world.lead_a, world.team_a), "todo-heading")


def test_it_says_plainly_when_nothing_is_due(client, world):
    measure = factories.MeasureFactory(collaborative=world.collaborative)
    factories.MeasureValueFactory(team=world.team_a, measure=measure, month=OCTOBER)
    MonthlyReport.objects.create(team=world.team_a, month=OCTOBER, status=MonthlyReport.Status.SUBMITTED)
    todo = section(home(client, world.member_a, world.team_a), "todo-heading")
    assert "You're up to date." in todo
    assert "every measure entered for October" in todo


def test_it_shows_leaders_the_same_list_without_the_write_buttons(client, world, idea):
    factories.MeasureFactory(collaborative=world.collaborative)
    report = MonthlyReport.objects.create(team=world.team_a, month=OCTOBER)
    cycle = make_cycle(world.team_a, idea, "Picture schedule at arrival", author=world.member_a)
    session = factories.PeriodFactory(collaborative=world.collaborative)
    Evaluation.objects.create(period=session, title="How was LS1?", is_open=True)
    for leader in (world.advisor, world.coach):
        todo = section(home(client, leader, world.team_a), "todo-heading")
        assert "This month: where the team stands" in todo
        assert "0 of 1 measure entered for October" in todo
        assert "Picture schedule at arrival" in todo
        assert cycle.get_absolute_url() in todo
        assert report.get_absolute_url() in todo
        assert "Enter October" not in todo
        assert reverse("measures:team-data-month", args=[world.team_a.pk, OCTOBER]) not in todo
        assert "Complete the report" not in todo
        assert ">Continue<" not in todo
        assert "How was LS1?" not in todo  # leaders run evaluations; they do not answer them


# --- 2. Recent feedback from coaches -----------------------------------------------------

def test_it_shows_coaches_comments_and_reviews_but_not_members_comments(client, world, idea):
    cycle = make_cycle(world.team_a, idea, "Picture schedule at arrival", author=world.member_a)
    coach_says = pdsa_services.comment_create(cycle=cycle, author=world.coach, body="Try it at pickup too.")
    pdsa_services.comment_create(cycle=cycle, author=world.member_a, body="We will start Monday.")
    reviewed = MonthlyReport.objects.create(
        team=world.team_a, month=OCTOBER, status=MonthlyReport.Status.REVIEWED,
        advisor_score=Decimal("2.5"), feedback="Good graphs; now test a change.",
        reviewed_at=timezone.now(), reviewed_by=world.advisor)
    MonthlyReport.objects.create(team=world.team_a, month=datetime.date(2026, 9, 1),
                                 status=MonthlyReport.Status.SUBMITTED)
    feedback = section(home(client, world.member_a, world.team_a), "feedback-heading")
    assert "Try it at pickup too." in feedback
    assert f"{cycle.get_absolute_url()}#comment-{coach_says.pk}" in feedback
    assert "We will start Monday." not in feedback
    assert "Good graphs; now test a change." in feedback
    assert "2.5 — Changes tested, but no improvement" in feedback
    assert "reviewed the October 2026 report" in feedback
    assert f"{reviewed.get_absolute_url()}#review-heading" in feedback
    assert feedback.count("<li") == 2  # the submitted, unreviewed report is no feedback yet
    # Newest first: the review was written after the comment.
    assert feedback.index("Good graphs") < feedback.index("Try it at pickup")


def test_it_keeps_only_the_five_latest_comments(client, world, idea):
    cycle = make_cycle(world.team_a, idea, "Picture schedule at arrival", author=world.member_a)
    for n in range(7):
        pdsa_services.comment_create(cycle=cycle, author=world.coach, body=f"Note number {n}.")
    feedback = section(home(client, world.member_a, world.team_a), "feedback-heading")
    assert "Note number 6." in feedback
    assert "Note number 2." in feedback
    assert "Note number 1." not in feedback


def test_it_leaves_out_comments_of_another_collaboratives_advisor(client, world, idea):
    # Leading another collaborative does not make someone this team's coach (only a
    # superuser could comment here without a role; the rule is about roles, not access).
    cycle = make_cycle(world.team_a, idea, "Picture schedule at arrival", author=world.member_a)
    pdsa_services.comment_create(cycle=cycle, author=world.other_advisor, body="Not my team.")
    feedback = section(home(client, world.member_a, world.team_a), "feedback-heading")
    assert "Not my team." not in feedback
    assert "No feedback yet." in feedback


# --- 3. Our measures ----------------------------------------------------------------------

def test_it_draws_each_measure_as_a_sparkline_with_status_and_latest_value(client, world):
    percent = factories.MeasureFactory(collaborative=world.collaborative, name="Classrooms on track")
    factories.MeasureFactory(collaborative=world.collaborative, name="Nothing entered")
    for index, numerator in enumerate([2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9]):
        factories.MeasureValueFactory(team=world.team_a, measure=percent,
                                      month=datetime.date(2025, 11 + index, 1) if index < 2
                                      else datetime.date(2026, index - 1, 1),
                                      numerator=numerator, denominator=10)
    measures = section(home(client, world.member_a, world.team_a), "measures-heading")
    assert measures.count('<svg class="sparkline"') == 1
    assert "Latest: <strong>90%</strong> (October 2026)" in measures
    assert "No value entered yet." in measures
    assert 'class="mdc-status"' in measures  # the variation icon, with its words
    assert "Special cause: improvement" in measures or "Common cause" in measures
    charts = reverse("reports:team-charts", args=[world.team_a.pk])
    assert f"{charts}#chart-{percent.pk}-section" in measures
    assert "<caption" in measures
    assert "90%" in measures.split("<caption")[1]


def test_it_shows_the_team_its_own_small_counts(client, world):
    # The small-cell rule protects a team from others, not from itself.
    measure = factories.MeasureFactory(collaborative=world.collaborative, name="Family visits",
                                       unit="count", chart_kind="run", denominator_definition="")
    factories.MeasureValueFactory(team=world.team_a, measure=measure, month=OCTOBER,
                                  numerator=2, denominator=None)
    measures = section(home(client, world.member_a, world.team_a), "measures-heading")
    assert "Latest: <strong>2</strong> (October 2026)" in measures


# --- 4. Worth a look ----------------------------------------------------------------------

def test_it_points_to_other_teams_shared_complete_cycles_on_the_same_ideas(client, world, idea):
    other_idea = ChangeIdea.objects.create(collaborative=world.collaborative, title="Family calls")
    make_cycle(world.team_a, idea, "Our own test", author=world.member_a)
    shared = complete(make_cycle(world.team_b, idea, "B's shared test", author=world.member_b),
                      decision="adapt", shared=True)
    complete(make_cycle(world.team_b, idea, "B's private test", author=world.member_b))
    make_cycle(world.team_b, idea, "B's shared but open", author=world.member_b)
    complete(make_cycle(world.team_b, other_idea, "B on another idea", author=world.member_b),
             shared=True)
    worth = section(home(client, world.member_a, world.team_a), "worth-heading")
    assert "B&#x27;s shared test" in worth
    assert shared.get_absolute_url() in worth
    assert "Team B" in worth
    assert "Decision: Adapt" in worth
    assert "private test" not in worth
    assert "shared but open" not in worth
    assert "another idea" not in worth
    assert "Our own test" not in worth


def test_it_keeps_the_five_newest_worth_a_look(client, world, idea):
    make_cycle(world.team_a, idea, "Our own test", author=world.member_a)
    for n in range(7):
        complete(make_cycle(world.team_b, idea, f"Shared number {n}", author=world.member_b),
                 shared=True)
    worth = section(home(client, world.member_a, world.team_a), "worth-heading")
    assert worth.count("Shared number") == 5
    assert "Shared number 6" in worth
    assert "Shared number 1" not in worth


# --- Access (unchanged) -------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["member_b", "state_viewer", "other_advisor", "stranger"])
def test_it_hides_team_a_from_everyone_else(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(world.team_a.get_absolute_url()).status_code == 404


# --- Queries ------------------------------------------------------------------------------

def _populate(world: World, size: int) -> None:
    """A busy team: ``size`` measures with a year of values, ``size`` cycles (some stalled,
    some shared by team B), coaches' comments, reviewed reports, open evaluations."""
    idea = ChangeIdea.objects.create(collaborative=world.collaborative, title=f"Idea {size}")
    for n in range(size):
        measure = factories.MeasureFactory(collaborative=world.collaborative, name=f"Measure {n}")
        for month in range(1, 11):
            factories.MeasureValueFactory(team=world.team_a, measure=measure,
                                          month=datetime.date(2026, month, 1), numerator=n % 5 + 1)
        cycle = make_cycle(world.team_a, idea, f"Cycle {n}", author=world.member_a)
        pdsa_services.comment_create(cycle=cycle, author=world.coach, body=f"Comment {n}")
        complete(make_cycle(world.team_b, idea, f"B {n}", author=world.member_b), shared=True)
        MonthlyReport.objects.create(team=world.team_a, month=datetime.date(2025, n + 1, 1),
                                     status=MonthlyReport.Status.REVIEWED, advisor_score=Decimal("2.0"),
                                     reviewed_at=timezone.now(), reviewed_by=world.advisor)
        session = factories.PeriodFactory(collaborative=world.collaborative, number=n + 1)
        Evaluation.objects.create(period=session, title=f"Evaluation {n}", is_open=True)
    Cycle.objects.filter(team=world.team_a).update(updated_at=timezone.now() - datetime.timedelta(weeks=6))
    MonthlyReport.objects.create(team=world.team_a, month=OCTOBER)


# Session, user, the three grants, the team, its composition and members; the to-do (measures,
# report, values, cycles, evaluations), the feedback (comments, reviews), the measures'
# values and the worth-a-look cycles; and whether the advisor has set up change ideas and
# measures (the set-up notice).
MEMBER_QUERIES = 20
LEADER_QUERIES = MEMBER_QUERIES - 2  # no evaluations to answer, no set-up notice (theirs is the checklist)


@pytest.mark.parametrize("size", [2, 12])
def test_it_reads_the_home_in_a_fixed_number_of_queries(client, world, size,
                                                       django_assert_num_queries):
    _populate(world, size)
    client.force_login(world.member_a)
    with django_assert_num_queries(MEMBER_QUERIES):
        text = client.get(world.team_a.get_absolute_url()).text
    assert text.count('<svg class="sparkline"') == size
    client.force_login(world.advisor)
    with django_assert_num_queries(LEADER_QUERIES):
        client.get(world.team_a.get_absolute_url())
