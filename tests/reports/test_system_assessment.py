"""The system assessment: a state's professional-development offerings on the brief's
matrix, the BSC collaboratives added in Q3, the thin-Q3/Q4 flag, the pages and exports."""

from __future__ import annotations

import csv
import io
import itertools
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from collaboratives.models import Collaborative, PDOffering, quadrant_of
from reports.demo.pd_offerings import seed_pd_offerings
from reports.system_assessment import DOT_RADIUS, pd_offering_save, system_assessment
from tests import factories

pytestmark = pytest.mark.django_db

ASSESSMENT = reverse("system:assessment")
CREATE = reverse("system:offering-create")
EXPORT = reverse("system:export")


def offering(state: str = "NC", name: str = "Pyramid Model online modules", *, engages: int = 1,
             purpose: int = 1, programs: int = 10, people: int = 20) -> PDOffering:
    return PDOffering.objects.create(state=state, name=name, provider="NC CCR&R", engages=engages,
                                     purpose=purpose, programs_reached=programs, people_reached=people)


def posted(**changes: object) -> dict[str, object]:
    data = {"state": "NC", "name": "Infant-toddler specialist coaching", "provider": "ITQEP",
            "description": "", "engages": "1", "purpose": "4", "programs_reached": "95",
            "people_reached": "140"}
    return {**data, **changes}


# --- The quadrant rule --------------------------------------------------------------------

@pytest.mark.parametrize(("engages", "purpose", "quadrant"), [
    (1, 1, 1), (2, 2, 1), (1, 3, 2), (2, 3, 2), (2, 4, 2),
    (3, 3, 3), (4, 4, 3), (3, 2, 4), (4, 1, 4),
])
def test_it_places_an_offering_by_its_two_axes_with_the_fence_between_2_and_3(engages, purpose, quadrant):
    assert quadrant_of(engages, purpose) == quadrant
    assert PDOffering(engages=engages, purpose=purpose).quadrant == quadrant


# --- The thin rule ------------------------------------------------------------------------

def test_it_does_not_call_q3_and_q4_thin_at_exactly_a_quarter():
    for index in range(3):
        offering("SC", f"Training {index}", programs=10)
    offering("SC", "In-service", engages=4, purpose=2, programs=10)
    result = system_assessment("SC")
    assert [q.offerings for q in result.quadrants] == [3, 0, 0, 1]
    assert not result.thin
    assert result.thin_reason == ""


def test_it_calls_q3_and_q4_thin_below_a_quarter_of_the_offerings():
    for index in range(4):
        offering("SC", f"Training {index}", programs=10)
    offering("SC", "In-service", engages=4, purpose=2, programs=100)
    result = system_assessment("SC")
    assert result.thin
    assert "1 of 5 offerings (20%)" in result.thin_reason
    assert "programs reached" not in result.thin_reason
    assert "thin" in result.summary


def test_it_calls_q3_and_q4_thin_below_a_quarter_of_the_programs_reached():
    offering("SC", "Online modules", programs=300)
    offering("SC", "Team coaching", engages=3, purpose=3, programs=20)
    result = system_assessment("SC")
    assert result.thin
    assert "they reach 20 of 320 programs reached (6%)" in result.thin_reason
    assert "offerings (" not in result.thin_reason


def test_it_has_nothing_to_flag_in_a_state_with_no_offerings():
    result = system_assessment("SC")
    assert (result.points, result.thin) == ([], False)
    assert [q.offerings for q in result.quadrants] == [0, 0, 0, 0]
    assert result.summary == "South Carolina lists no professional-development offerings yet."


# --- The BSC collaboratives -----------------------------------------------------------------

def test_it_adds_the_states_bsc_collaboratives_to_q3(world):
    offering()
    result = system_assessment("NC")
    bsc = [point for point in result.points if point.is_bsc]
    assert len(bsc) == 1
    point = bsc[0]
    assert (point.name, point.quadrant, point.engages, point.purpose) == ("Growing Together", 3, 4, 4)
    # Teams A and B; their 3 people are a small count, hidden as on the state dashboard.
    assert (point.programs, point.people) == (2, None)
    assert point.pk is None
    assert point.collaborative_pk == world.collaborative.pk
    assert result.quadrants[2].offerings == 1
    assert "including 1 BSC collaborative" in result.summary


def test_it_counts_a_bsc_of_ten_people_or_more(world):
    for _n in range(7):
        factories.MembershipFactory(team=world.team_b)
    bsc, = [point for point in system_assessment("NC").points if point.is_bsc]
    assert bsc.people == 10


def test_it_leaves_closed_collaboratives_and_other_states_out(world):
    factories.CollaborativeFactory(name="Old cohort", state="NC", status=Collaborative.Status.CLOSED)
    names = [point.name for point in system_assessment("NC").points]
    assert names == ["Growing Together"]


def test_it_numbers_points_quadrant_by_quadrant(world):
    offering(name="Zebra training")
    offering(name="In-service", engages=4, purpose=1)
    offering(name="Coaching", engages=2, purpose=4)
    points = system_assessment("NC").points
    assert [(p.number, p.quadrant, p.name) for p in points] == [
        (1, 1, "Zebra training"), (2, 2, "Coaching"), (3, 3, "Growing Together"), (4, 4, "In-service")]


# --- The drawing ---------------------------------------------------------------------------

def test_it_spreads_dots_inside_their_quadrant_without_overlap(world):
    for index in range(13):
        offering(name=f"Training {index:02}", engages=1, purpose=1)
    for index in range(3):
        offering(name=f"Coaching {index}", engages=2, purpose=3)
    result = system_assessment("NC")
    cells = {cell.quadrant: cell for cell in result.frame.cells}
    for point in result.points:
        cell = cells[point.quadrant]
        assert cell.x + DOT_RADIUS <= point.x <= cell.x + cell.width - DOT_RADIUS
        assert cell.y + DOT_RADIUS <= point.y <= cell.y + cell.height - DOT_RADIUS
    for one, other in itertools.combinations(result.points, 2):
        assert math.dist((one.x, one.y), (other.x, other.y)) >= 2 * DOT_RADIUS
    assert system_assessment("NC").points == result.points  # the same places every time


def test_it_places_a_dot_by_its_axis_values_within_the_quadrant():
    offering("SC", "Mostly individuals", engages=2, purpose=1)
    offering("SC", "Individuals", engages=1, purpose=2)
    by_name = {point.name: point for point in system_assessment("SC").points}
    assert by_name["Mostly individuals"].x > by_name["Individuals"].x
    assert by_name["Mostly individuals"].y > by_name["Individuals"].y  # less practice: lower


def test_it_reads_the_assessment_in_two_queries_whatever_the_numbers(world, django_assert_num_queries):
    offering()
    with django_assert_num_queries(2):
        system_assessment("NC")
    for index in range(20):
        offering(name=f"Training {index}", engages=1 + index % 4, purpose=1 + index // 5)
    team = factories.TeamFactory(collaborative=factories.CollaborativeFactory(state="NC"))
    factories.MembershipFactory.create_batch(5, team=team)
    with django_assert_num_queries(2):
        system_assessment("NC")


def test_the_page_makes_as_many_queries_with_more_offerings(client, world):
    client.force_login(world.state_viewer)
    offering()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ASSESSMENT).status_code == 200
        return len(queries)

    few = count()
    for index in range(25):
        offering(name=f"Training {index}", engages=1 + index % 4)
    factories.TeamFactory.create_batch(3, collaborative=world.collaborative)
    assert count() == few


# --- Who gets what -------------------------------------------------------------------------

def test_it_shows_a_state_viewer_their_states_matrix(client, world):
    offering(name="CDA coursework", programs=2)
    offering("VA", "Virginia CDA cohort")
    client.force_login(world.state_viewer)
    response = client.get(ASSESSMENT)
    assert response.status_code == 200
    text = response.text
    assert "CDA coursework" in text
    assert "Virginia CDA cohort" not in text
    assert 'role="img"' in text
    assert "Individuals ↔ Organizations/teams" in text
    assert "Knowledge gain ↔ Transfer to practice" in text
    assert "Q3 and Q4 are thin" not in text  # the BSC and one training of as many programs
    assert 'name="state"' not in text  # one state: no chooser


def test_it_flags_thin_q3_and_q4_on_the_page(client, world):
    seed_pd_offerings()
    client.force_login(world.state_viewer)
    text = client.get(ASSESSMENT).text
    assert "Q3 and Q4 are thin: a BSC could fill the gap" in text
    assert "less robust than training (Q1) and individual coaching (Q2)" in text


@pytest.mark.parametrize("persona", ["advisor", "coach", "member_a", "member_b", "stranger"])
def test_it_refuses_everyone_but_state_staff(client, world, persona):
    target = offering()
    client.force_login(getattr(world, persona))
    for url in (ASSESSMENT, CREATE, EXPORT + "?format=csv&state=NC",
                reverse("system:offering-update", args=[target.pk]),
                reverse("system:offering-delete", args=[target.pk])):
        assert client.get(url).status_code == 403
    assert client.post(CREATE, posted()).status_code == 403
    assert client.post(reverse("system:offering-delete", args=[target.pk])).status_code == 403
    assert PDOffering.objects.count() == 1


def test_it_sends_an_anonymous_visitor_to_sign_in(client, world):
    response = client.get(ASSESSMENT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_hides_another_states_offering_from_a_state_viewer(client, world):
    other = offering("VA", "VQB5 classroom coaching")
    client.force_login(world.state_viewer)
    update = reverse("system:offering-update", args=[other.pk])
    delete = reverse("system:offering-delete", args=[other.pk])
    assert client.get(update).status_code == 404
    assert client.post(update, posted(state="VA", name="Renamed")).status_code == 404
    assert client.get(delete).status_code == 404
    assert client.post(delete).status_code == 404
    other.refresh_from_db()
    assert other.name == "VQB5 classroom coaching"


def test_it_lets_someone_watching_two_states_choose(client, world):
    factories.StateViewerRoleFactory(user=world.state_viewer, state="VA")
    offering("VA", "VQB5 classroom coaching")
    client.force_login(world.state_viewer)
    text = client.get(ASSESSMENT).text
    assert 'name="state"' in text
    assert "North Carolina" in text
    response = client.get(ASSESSMENT, {"state": "VA"})
    assert "VQB5 classroom coaching" in response.text
    assert response.context["assessment"].state == "VA"


def test_it_says_a_state_not_watched_is_not_one_of_yours(client, world):
    factories.StateViewerRoleFactory(user=world.state_viewer, state="VA")
    offering("TX", "Texas offering")
    client.force_login(world.state_viewer)
    response = client.get(ASSESSMENT, {"state": "TX"})
    assert response.status_code == 200
    assert "That is not one of your states." in response.text
    assert response.context["assessment"].state == "NC"
    assert "Texas offering" not in response.text


# --- Create, edit, delete --------------------------------------------------------------------

def test_it_adds_an_offering(client, world):
    client.force_login(world.state_viewer)
    response = client.post(CREATE, posted())
    assert response.status_code == 302
    assert response["Location"] == f"{ASSESSMENT}?state=NC#offerings"
    created = PDOffering.objects.get()
    assert (created.state, created.quadrant, created.programs_reached) == ("NC", 2, 95)
    assert created.created_by == world.state_viewer


def test_the_form_asks_in_plain_words(client, world):
    client.force_login(world.state_viewer)
    text = client.get(CREATE).text
    assert "Who takes part?" in text
    assert "Individuals from different programs" in text
    assert "Whole programs or teams who work together" in text
    assert "What is it for?" in text
    assert 'type="radio"' in text
    assert "This places the offering in Q3 Organizational coaching" in text


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"state": "VA"}, "state", "Choose one of the states you keep offerings for."),
    ({"name": ""}, "name", "This field is required."),
    ({"engages": ""}, "engages", "This field is required."),
    ({"purpose": "5"}, "purpose", "Select a valid choice."),
    ({"programs_reached": "-1"}, "programs_reached", "greater than or equal to 0"),
])
def test_it_refuses_bad_input_and_changes_nothing(client, world, changes, field, message):
    client.force_login(world.state_viewer)
    response = client.post(CREATE, posted(**changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not PDOffering.objects.exists()


def test_it_refuses_a_name_the_state_already_lists(client, world):
    offering(name="Infant-toddler specialist coaching", programs=5)
    client.force_login(world.state_viewer)
    response = client.post(CREATE, posted(name="infant-toddler specialist coaching"))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "North Carolina already lists an offering named “infant-toddler specialist coaching”."]
    assert PDOffering.objects.get().programs_reached == 5


def test_it_allows_the_same_name_in_another_state():
    offering("VA", "CDA coursework")
    assert pd_offering_save(state="NC", name="CDA coursework", engages=1, purpose=1).pk


def test_it_edits_an_offering(client, world):
    target = offering()
    client.force_login(world.state_viewer)
    url = reverse("system:offering-update", args=[target.pk])
    assert 'value="Pyramid Model online modules"' in client.get(url).text
    response = client.post(url, posted(name="Pyramid Model coaching", engages="3", purpose="4"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.name, target.quadrant) == ("Pyramid Model coaching", 3)


def test_it_keeps_an_offerings_own_name_when_editing(client, world):
    target = offering()
    client.force_login(world.state_viewer)
    url = reverse("system:offering-update", args=[target.pk])
    assert client.post(url, posted(name=target.name)).status_code == 302


def test_it_confirms_before_removing_an_offering(client, world):
    target = offering()
    client.force_login(world.state_viewer)
    url = reverse("system:offering-delete", args=[target.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Remove “Pyramid Model online modules”?" in response.text
    assert PDOffering.objects.exists()
    assert client.post(url).status_code == 302
    assert not PDOffering.objects.exists()


def test_it_lets_a_superuser_keep_any_states_offerings(client, world):
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    target = offering("VA", "VQB5 classroom coaching")
    client.force_login(admin)
    assert client.get(ASSESSMENT, {"state": "VA"}).status_code == 200
    assert client.get(reverse("system:offering-update", args=[target.pk])).status_code == 200


# --- Exports --------------------------------------------------------------------------------

def test_it_exports_the_tables_as_csv(client, world):
    offering(name="=cmd|' /C calc'!A0", programs=12)
    client.force_login(world.state_viewer)
    response = client.get(EXPORT, {"format": "csv", "state": "NC"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="system-assessment-NC.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Offerings"]
    assert rows[1][:4] == ["Number", "Offering", "Provider", "Quadrant"]
    assert rows[2][:2] == ["1", "'=cmd|' /C calc'!A0"]
    assert rows[3][1] == "Growing Together"
    assert ["Per quadrant"] in rows


def test_it_exports_the_tables_as_xlsx_with_numbers(client, world):
    offering(programs=12, people=30)
    client.force_login(world.state_viewer)
    response = client.get(EXPORT, {"format": "xlsx", "state": "NC"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Offerings", "Per quadrant"]
    first = [cell.value for cell in workbook["Offerings"][2]]
    assert first[0] == 1
    assert first[-2:] == [12, 30]
    quadrants = list(workbook["Per quadrant"].iter_rows(min_row=2, values_only=True))
    assert quadrants[0] == ("Q1 Training", 1, 12, 30)


def test_it_refuses_an_export_of_a_state_not_watched_or_a_format_not_known(client, world):
    client.force_login(world.state_viewer)
    assert client.get(EXPORT, {"format": "csv", "state": "VA"}).status_code == 404
    assert client.get(EXPORT, {"format": "pdf", "state": "NC"}).status_code == 404


# --- Demo -----------------------------------------------------------------------------------

def test_the_demo_is_thin_in_q3_and_q4_and_idempotent(world):
    seed_pd_offerings()
    seed_pd_offerings()
    result = system_assessment("NC")
    assert all(q.offerings for q in result.quadrants)
    assert result.thin
    assert PDOffering.objects.filter(state="VA").count() >= 2
    assert PDOffering.objects.count() == len({(o.state, o.name) for o in PDOffering.objects.all()})
