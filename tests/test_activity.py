"""The activity pages: who changed what, when, old → new, for the people who may read it;
and the writes that used to bypass the history (queryset updates) now leave rows in it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collaboratives.models import ChangeIdea, Collaborative, CollaborativeRole, Period
from measures import services as measure_services
from measures.months import add_months
from pdsa import services as pdsa_services
from pdsa.models import Cycle
from reports import activity
from reports.models import MonthlyReport
from reports.services import monthly_report_build
from teams.models import Membership, Team
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db

MARKER = "PRIVATE-MARKER-7731"


def _saved_by(obj, user, **fields):
    """Save ``fields`` on ``obj`` as ``user`` did it (as the request middleware would say)."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()
    del obj._history_user
    return obj


def _collaborative_url(world: World) -> str:
    return reverse("activity:collaborative", args=[world.collaborative.pk])


def _team_url(team: Team) -> str:
    return reverse("activity:team", args=[team.pk])


def _text(response) -> str:
    """The page's text with tags and runs of white space dropped, to read as a person does."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def _changes(response) -> list[str]:
    """Each field change on the page as the table shows it: "Label: old → new"."""
    return [f"{change.label}: {change.old} → {change.new}"
            for row in response.context["rows"] for change in row.changes]


@pytest.fixture
def idea(world: World) -> ChangeIdea:
    return ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")


def _cycle(world: World, idea: ChangeIdea, team: Team, member, **fields) -> Cycle:
    fields.setdefault("title", "Picture schedule")
    return pdsa_services.cycle_create(team=team, created_by=member, change_idea=idea, **fields)


# --- What a row says --------------------------------------------------------------------------

def test_it_shows_a_rename_old_to_new_and_who_made_it(client, world):
    world.advisor.first_name, world.advisor.last_name = "Ada", "Advisor"
    world.advisor.save()
    _saved_by(world.team_a, world.advisor, name="Team Alpha")
    client.force_login(world.advisor)
    response = client.get(_collaborative_url(world))
    assert "Team name: Team A → Team Alpha" in _changes(response)
    page = _text(response)
    assert "Team name: Team A → changed to Team Alpha" in page  # the arrow is read out
    assert "Ada Advisor" in page
    assert "changed" in page


def test_it_names_changes_made_by_no_one_the_system(client, world):
    world.team_a.name = "Renamed by a job"
    world.team_a.save()  # no request, no person: a Celery job or a command
    client.force_login(world.advisor)
    rows = client.get(_collaborative_url(world)).context["rows"]
    assert rows[0].name == "Renamed by a job"
    assert rows[0].who == "system"
    assert rows[0].by_system


def test_it_shows_choice_labels_and_related_names_not_codes(client, world):
    _saved_by(world.collaborative, world.advisor, status=Collaborative.Status.CLOSED)
    new_program = factories.OrganizationFactory(name="Sunrise Learning Center")
    old_program = world.team_a.organization.name
    _saved_by(world.team_a, world.advisor, organization=new_program)
    client.force_login(world.advisor)
    changes = _changes(client.get(_collaborative_url(world)))
    assert "Status: Active → Closed" in changes
    assert f"Organization: {old_program} → Sunrise Learning Center" in changes


def test_it_cuts_long_text_and_keeps_the_whole_in_details(client, world):
    long_aim = "By March 2027 " + "every classroom " * 20 + "THE-END"
    _saved_by(world.collaborative, world.advisor, aim_statement=long_aim)
    client.force_login(world.advisor)
    html = client.get(_collaborative_url(world)).text
    assert "<details>" in html
    assert "THE-END" in html  # in the details
    row = client.get(_collaborative_url(world)).context["rows"][0]
    assert row.changes[0].is_long
    assert "THE-END" not in row.changes[0].new_short


def test_it_links_what_still_exists_and_not_what_was_removed(client, world):
    period = factories.PeriodFactory(collaborative=world.collaborative)
    period.delete()
    client.force_login(world.advisor)
    rows = client.get(_collaborative_url(world)).context["rows"]
    deleted = [row for row in rows if row.kind == "period"]
    assert {row.action for row in deleted} == {"+", "-"}
    assert all(row.url is None for row in deleted)
    team_row = next(row for row in rows if row.kind == "team")
    assert team_row.url == reverse("teams:detail", args=[team_row_team_pk(rows, world)])


def team_row_team_pk(rows, world: World) -> int:
    return {"Team A": world.team_a.pk, "Team B": world.team_b.pk}[
        next(row for row in rows if row.kind == "team").name]


# --- Filters and paging -------------------------------------------------------------------------

def test_it_filters_by_kind_person_and_dates(client, world):
    _saved_by(world.team_a, world.advisor, name="Team Alpha")
    _saved_by(world.collaborative, world.coach, topic="Family engagement")
    client.force_login(world.advisor)
    url = _collaborative_url(world)
    kinds = {row.kind for row in client.get(url, {"kind": "team"}).context["rows"]}
    assert kinds == {"team"}
    mine = client.get(url, {"person": world.coach.pk}).context["rows"]
    assert [row.name for row in mine] == [world.collaborative.name]
    system = client.get(url, {"person": "system"}).context["rows"]
    assert system
    assert all(row.by_system for row in system)
    today = timezone.localdate()
    assert client.get(url, {"since": today.isoformat()}).context["rows"]
    assert not client.get(url, {"until": (today - datetime.timedelta(days=1)).isoformat()}).context["rows"]


def test_it_refuses_a_bad_filter_with_a_message_and_lists_everything(client, world):
    client.force_login(world.advisor)
    today = timezone.localdate()
    response = client.get(_collaborative_url(world), {
        "since": today.isoformat(), "until": (today - datetime.timedelta(days=3)).isoformat(),
        "person": "999999", "kind": "cycle"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("until", "date_order")
    assert form.has_error("person")  # not in this page's lists
    assert form.has_error("kind")
    assert response.context["rows"]


def test_it_pages_fifty_rows_newest_first(client, world):
    for number in range(55):
        _saved_by(world.team_b, world.advisor, name=f"Team B {number}")
    client.force_login(world.advisor)
    first = client.get(_collaborative_url(world), {"kind": "team"}).context
    assert len(first["rows"]) == 50
    assert first["rows"][0].name == "Team B 54"
    assert [row.when for row in first["rows"]] == sorted((row.when for row in first["rows"]), reverse=True)
    second = client.get(_collaborative_url(world), {"kind": "team", "page": 2}).context
    assert len(second["rows"]) == first["page"].paginator.count - 50


# --- Who reads what -------------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "status"), [
    ("advisor", 200), ("coach", 200), ("member_a", 403), ("state_viewer", 403),
    ("other_advisor", 404), ("other_state_viewer", 404), ("stranger", 404)])
def test_it_opens_the_collaborative_page_to_its_leaders_only(client, world, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(_collaborative_url(world)).status_code == status


@pytest.mark.parametrize(("persona", "status"), [
    ("advisor", 200), ("coach", 200), ("member_a", 200), ("lead_a", 200), ("member_b", 404),
    ("state_viewer", 404), ("other_advisor", 404), ("stranger", 404)])
def test_it_opens_the_team_page_to_the_team_and_its_leaders_only(client, world, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(_team_url(world.team_a)).status_code == status


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    assert client.get(_team_url(world.team_a)).status_code == 302


def test_it_shows_a_team_its_own_private_cycles_and_nothing_of_another_team(client, world, idea):
    cycle = _cycle(world, idea, world.team_a, world.member_a, title=f"Cycle {MARKER}",
                   prediction=f"Prediction {MARKER}")
    pdsa_services.cycle_update(cycle=cycle, version=cycle.version, objective=f"Objective {MARKER}")
    client.force_login(world.member_a)
    own = client.get(_team_url(world.team_a))
    assert MARKER in own.text
    assert f"Objective: — → Objective {MARKER}" in _changes(own)
    client.force_login(world.member_b)
    assert MARKER not in client.get(_team_url(world.team_b)).text
    assert client.get(_team_url(world.team_a)).status_code == 404
    client.force_login(world.advisor)
    assert MARKER in client.get(_team_url(world.team_a)).text
    assert MARKER not in client.get(_collaborative_url(world)).text  # team work: on the team page


def test_it_keeps_the_scope_even_when_the_sources_are_asked_for_another_team(world, idea):
    """The selector filters team work by the access rule too, not only by the team asked."""
    _cycle(world, idea, world.team_a, world.member_a, title=f"Cycle {MARKER}")
    sources = activity.team_activity_sources(world.member_b, world.team_a)
    rows = activity.activity_page(sources, filters=activity.ActivityFilters()).rows
    assert not [row for row in rows if row.kind == "cycle"]


def test_it_lists_a_teams_values_and_reports(client, world):
    measure = factories.MeasureFactory(collaborative=world.collaborative, name="Observed classrooms")
    value = factories.MeasureValueFactory(team=world.team_a, measure=measure)
    _saved_by(value, world.member_a, numerator=4)
    report = MonthlyReport.objects.create(team=world.team_a, month=datetime.date(2026, 3, 1))
    _saved_by(report, world.member_a, successes="Calm mornings", self_score="2.5")
    client.force_login(world.advisor)
    changes = _changes(client.get(_team_url(world.team_a)))
    assert "Numerator: 3 → 4" in changes
    assert "Successes: — → Calm mornings" in changes
    assert any(change.startswith("Team's self-score: — → 2.5 — Changes tested") for change in changes)


# --- Writes that used to skip the history ---------------------------------------------------------

def test_it_records_the_renumbering_of_a_ramp(world, idea):
    first = _cycle(world, idea, world.team_a, world.member_a, title="First")
    second = _cycle(world, idea, world.team_a, world.member_a, title="Second", follows=first)
    third = _cycle(world, idea, world.team_a, world.member_a, title="Third", follows=second)
    pdsa_services.cycle_delete(cycle=second)
    third.refresh_from_db()
    assert third.number == 2
    assert [row.number for row in third.history.order_by("history_date")] [-1] == 2
    assert 3 in {row.number for row in third.history.all()}


def test_it_records_the_version_a_save_takes(world, idea):
    cycle = _cycle(world, idea, world.team_a, world.member_a)
    updated = pdsa_services.cycle_update(cycle=cycle, version=cycle.version, objective="Calmer arrivals")
    latest = updated.history.first()
    assert latest.version == updated.version == 2
    assert latest.objective == "Calmer arrivals"


def test_it_records_the_reference_group_moving(world):
    measure = factories.MeasureFactory(collaborative=world.collaborative, stratification="Home language")
    measure_services.measure_save(measure=measure, strata=["English", "Spanish"], reference="English")
    english = measure.strata.get(label="English")
    measure_services.measure_save(measure=measure, strata=["English", "Spanish"], reference="Spanish")
    assert [row.is_reference for row in english.history.order_by("history_date")] [-1] is False
    assert measure.strata.get(label="Spanish").is_reference


def test_it_records_that_a_report_was_announced(world):
    report = monthly_report_build(team=world.team_a, month=datetime.date(2026, 3, 1))
    report.refresh_from_db()
    assert report.ready_notified_at is not None
    assert report.history.first().ready_notified_at == report.ready_notified_at
    rebuilt = monthly_report_build(team=world.team_a, month=datetime.date(2026, 3, 1))
    assert rebuilt.history.first().ready_notified_at == report.ready_notified_at


# --- Bounded queries ------------------------------------------------------------------------------

def _edits(world: World, idea: ChangeIdea, count: int) -> None:
    """``count`` edits of every kind on both pages, by several people, then one edit of every
    kind either page lists (foreign keys and many-to-many fields among them), so that the
    first page holds the same kinds of rows whatever came before."""
    measure = factories.MeasureFactory(collaborative=world.collaborative)
    cycle = _cycle(world, idea, world.team_a, world.member_a)
    people = [world.advisor, world.coach, world.member_a, world.lead_a]
    for number in range(count):
        person = people[number % len(people)]
        _saved_by(world.team_a, person, name=f"Team A {number}")
        _saved_by(world.collaborative, person, topic=f"Topic {number}")
        _saved_by(measure, person, name=f"{measure.pk} Measure {number}")
        _saved_by(idea, person, title=f"Idea {number}")
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=Period.objects.count())
        period = factories.PeriodFactory(collaborative=world.collaborative, number=Period.objects.count() + 1,
                                         start_date=day, end_date=day)
        _saved_by(period, person, location=f"Room {number}")
        cycle = pdsa_services.cycle_update(cycle=cycle, version=cycle.version,
                                           objective=f"Objective {number}")
        factories.MeasureValueFactory(team=world.team_a, measure=measure,
                                      month=add_months(datetime.date(2026, 1, 1), number))
    _saved_by(world.collaborative, world.advisor, status=Collaborative.Status.CLOSED)
    _saved_by(CollaborativeRole.objects.get(user=world.coach), world.advisor,
              role=CollaborativeRole.Role.FACULTY)
    _saved_by(period, world.advisor, location="Main hall")
    _saved_by(measure, world.advisor, name=f"{measure.pk} Measure, last")
    _saved_by(idea, world.advisor, title="Idea, last")
    _saved_by(world.team_a, world.advisor, organization=factories.OrganizationFactory())
    _saved_by(Membership.objects.get(user=world.member_a), world.advisor, is_lead=True)
    pdsa_services.cycle_update(cycle=cycle, version=cycle.version, lead=world.lead_a,
                               measures=[measure])
    _saved_by(world.team_a.measure_values.first(), world.member_a, numerator=5)
    report, _created = MonthlyReport.objects.get_or_create(team=world.team_a, month=datetime.date(2026, 3, 1))
    _saved_by(report, world.member_a, successes=f"Calm mornings {count}")


def test_it_reads_each_page_in_the_same_number_of_queries_however_long_the_history(
        client, world, idea, django_assert_num_queries):
    urls = [_collaborative_url(world), _team_url(world.team_a)]
    client.force_login(world.advisor)
    _edits(world, idea, 2)
    small = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        small.append(len(captured.captured_queries))
    _edits(world, idea, 10)
    for url, queries in zip(urls, small, strict=True):
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.context["page"].paginator.count > 50


# The selector alone: 1 for the people in scope, 1 count, 1 page of heads, 1 per history model
# on the page, 1 per many-to-many field changed on it, 1 for people, 1 per other kind of object
# named. Collaborative: 3 + 7 models + the change ideas' drivers + people + organizations = 13.
# Team: 3 + 5 models + the cycles' measures + people + measures + organizations = 12.
@pytest.mark.parametrize("size", [2, 10])
def test_it_reads_the_history_in_a_fixed_number_of_queries(world, idea, django_assert_num_queries, size):
    _edits(world, idea, size)
    for sources, queries in ((activity.collaborative_activity_sources(world.collaborative), 13),
                             (activity.team_activity_sources(world.advisor, world.team_a), 12)):
        with django_assert_num_queries(queries):
            people = activity.activity_people_ids(sources)
            page = activity.activity_page(sources, filters=activity.ActivityFilters(), people_ids=people)
        assert len(page.rows) == min(page.page.paginator.count, 50)


def test_it_is_linked_from_the_collaborative_page_for_its_leaders_and_from_the_team_page(client, world):
    link = reverse("activity:collaborative", args=[world.collaborative.pk])
    client.force_login(world.advisor)
    assert link in client.get(world.collaborative.get_absolute_url()).text
    client.force_login(world.member_a)
    assert link not in client.get(world.collaborative.get_absolute_url()).text
    assert _team_url(world.team_a) in client.get(world.team_a.get_absolute_url()).text
