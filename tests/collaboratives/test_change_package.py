"""Start from a change package: copying a framework, measures and timeline; the set-up
checklist; and members told in words when change ideas are missing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from collaboratives.models import ChangeIdea, Collaborative, Period, PrimaryDriver, SecondaryDriver
from collaboratives.packages import SOCIAL_EMOTIONAL_LEARNING
from measures.models import Measure, Stratum
from measures.packages import collaborative_copy_from
from measures.services import measure_save
from reports.setup import collaborative_setup, team_setup_notice_panel
from teams.models import MemberRole
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime.date(2027, 1, 1)
TEAM_NOTICE = "reports/partials/team_setup_notice.html"


@pytest.fixture
def empty(world) -> Collaborative:
    """A new collaborative of the world's advisor, with nothing set up yet."""
    collaborative = factories.CollaborativeFactory(
        name="Cohort 2", start_date=START, end_date=datetime.date(2028, 3, 31), aim_statement="",
        status=Collaborative.Status.PLANNING)
    factories.CollaborativeRoleFactory(user=world.advisor, collaborative=collaborative)
    return collaborative


def build_source(collaborative: Collaborative) -> None:
    """A small framework with many-to-many links, two measures (one stratified) and a timeline."""
    relationships = PrimaryDriver.objects.create(collaborative=collaborative, title="Relationships",
                                                 description="Warm adults", order=0)
    systems = PrimaryDriver.objects.create(collaborative=collaborative, title="Systems", order=1)
    staff = SecondaryDriver.objects.create(collaborative=collaborative, title="Staff well-being")
    staff.primary_drivers.set([relationships, systems])
    routines = SecondaryDriver.objects.create(collaborative=collaborative, title="Routines", order=1)
    routines.primary_drivers.set([systems])
    board = ChangeIdea.objects.create(collaborative=collaborative, title="Recognition board",
                                      description="Thank a colleague.")
    board.secondary_drivers.set([staff, routines])
    schedule = ChangeIdea.objects.create(collaborative=collaborative, title="Visual schedule", order=1)
    schedule.secondary_drivers.set([routines])
    measure_save(measure=Measure(collaborative=collaborative), name="Exclusion rate",
                 type="outcome", unit="rate", rate_per=100, direction="down", chart_kind="u",
                 goal=Decimal("2.5"), baseline_length=6, operational_definition="Events per 100.",
                 numerator_definition="Exclusion events", denominator_definition="Children enrolled",
                 stratification="Home language", strata=["English", "Spanish"], reference="English")
    factories.MeasureFactory(collaborative=collaborative, name="Fidelity", order=1)
    start = collaborative.start_date
    factories.PeriodFactory(collaborative=collaborative, kind=Period.Kind.PREWORK, number=None,
                            start_date=start, end_date=start + datetime.timedelta(days=30))
    factories.PeriodFactory(collaborative=collaborative, kind=Period.Kind.LEARNING_SESSION, number=1,
                            start_date=start + datetime.timedelta(days=31),
                            end_date=start + datetime.timedelta(days=31), hours=Decimal("6"),
                            location="Raleigh", agenda="9:00 Welcome")


def links(collaborative: Collaborative) -> set[tuple[str, str]]:
    return (
        set(SecondaryDriver.primary_drivers.through.objects.filter(
            secondarydriver__collaborative=collaborative)
            .values_list("secondarydriver__title", "primarydriver__title"))
        | set(ChangeIdea.secondary_drivers.through.objects.filter(changeidea__collaborative=collaborative)
              .values_list("changeidea__title", "secondarydriver__title"))
    )


def framework_rows(collaborative: Collaborative) -> list[tuple]:
    return [
        *PrimaryDriver.objects.filter(collaborative=collaborative).order_by("title")
        .values_list("title", "description", "order"),
        *SecondaryDriver.objects.filter(collaborative=collaborative).order_by("title")
        .values_list("title", "description", "order"),
        *ChangeIdea.objects.filter(collaborative=collaborative).order_by("title")
        .values_list("title", "description", "order"),
    ]


def measure_rows(collaborative: Collaborative) -> list[tuple]:
    return list(Measure.objects.filter(collaborative=collaborative).order_by("name").values_list(
        "name", "type", "unit", "chart_kind", "goal", "baseline_length", "stratification",
        "operational_definition", "numerator_definition", "denominator_definition", "order"))


def everything(collaborative: Collaborative) -> tuple:
    collaborative.refresh_from_db()
    return (collaborative.aim_statement, framework_rows(collaborative), links(collaborative),
            measure_rows(collaborative),
            Stratum.objects.filter(measure__collaborative=collaborative).count(),
            collaborative.periods.count(),
            ChangeIdea.history.filter(collaborative_id=collaborative.pk).count())


# --- The service -------------------------------------------------------------------------------

def test_it_copies_another_collaborative_with_its_links_and_shifted_dates(world, empty):
    source = world.collaborative
    build_source(source)
    result = collaborative_copy_from(target=empty, source=source, copied_by=world.advisor)
    assert (result.primary_drivers, result.secondary_drivers, result.change_ideas) == (2, 2, 2)
    assert (result.measures, result.strata, result.periods, result.aim) == (2, 2, 2, True)
    assert framework_rows(empty) == framework_rows(source)
    assert links(empty) == links(source)
    assert len(links(empty)) == 6
    assert measure_rows(empty) == measure_rows(source)
    assert set(Stratum.objects.filter(measure__collaborative=empty).values_list(
        "label", "is_reference")) == {("English", True), ("Spanish", False)}
    shift = START - source.start_date
    assert [(p.kind, p.start_date - shift, p.end_date - shift, p.hours, p.agenda, p.location)
            for p in empty.periods.order_by("start_date")] == [
        (p.kind, p.start_date, p.end_date, p.hours, p.agenda, "")
        for p in source.periods.order_by("start_date")]
    empty.refresh_from_db()
    assert empty.aim_statement == source.aim_statement


def test_it_copies_the_built_in_package(empty, world):
    collaborative_copy_from(target=empty, package=SOCIAL_EMOTIONAL_LEARNING, copied_by=world.advisor)
    assert (empty.primary_drivers.count(), empty.secondary_drivers.count(),
            empty.change_ideas.count()) == (5, 10, 16)
    assert not empty.change_ideas.filter(description="").exists()
    assert empty.secondary_drivers.get(title="Staff well-being").primary_drivers.count() == 2
    measures = list(Measure.objects.filter(collaborative=empty))
    assert len(measures) == 7
    stratified = [measure for measure in measures if measure.is_stratified]
    assert [s.label for s in stratified[0].strata.filter(is_reference=True)] == ["White"]
    for measure in measures:  # every measure passes the rules an advisor's edit meets
        strata = list(measure.strata.values_list("label", flat=True))
        reference = measure.strata.filter(is_reference=True).values_list("label", flat=True).first()
        measure_save(measure=measure, strata=strata, reference=reference or "")
    periods = list(empty.periods.order_by("start_date"))
    assert periods[0].start_date == START
    assert len(periods) == 8
    assert sum(p.kind == Period.Kind.LEARNING_SESSION for p in periods) == 3
    empty.refresh_from_db()
    assert empty.aim_statement.startswith("By the end of the collaborative")
    assert empty.aim_target_date == empty.end_date


def test_it_keeps_the_history_with_who_copied(empty, world):
    collaborative_copy_from(target=empty, package=SOCIAL_EMOTIONAL_LEARNING,
                            parts={"framework", "measures"}, copied_by=world.advisor)
    idea = ChangeIdea.history.filter(collaborative_id=empty.pk).latest("history_date")
    assert idea.history_user == world.advisor
    assert "Copied from" in idea.history_change_reason
    assert Measure.history.filter(collaborative_id=empty.pk, history_user=world.advisor).count() == 7
    measure_ids = list(empty.measures.values_list("pk", flat=True))
    assert Stratum.history.filter(measure_id__in=measure_ids).count() == 5


def test_it_copies_only_the_parts_ticked(empty, world):
    collaborative_copy_from(target=empty, package=SOCIAL_EMOTIONAL_LEARNING, parts={"measures"},
                            copied_by=world.advisor)
    assert empty.measures.count() == 7
    assert not empty.change_ideas.exists()
    assert not empty.periods.exists()
    empty.refresh_from_db()
    assert empty.aim_statement == ""


def test_it_refuses_a_collaborative_that_is_not_empty_and_saves_nothing(empty, world):
    ChangeIdea.objects.create(collaborative=empty, title="Our own idea")
    before = everything(empty)
    with pytest.raises(ValidationError) as exc:
        collaborative_copy_from(target=empty, package=SOCIAL_EMOTIONAL_LEARNING, copied_by=world.advisor)
    assert exc.value.messages == [
        "This collaborative already has a driver diagram. Untick “Driver diagram”, or remove "
        "its items first."]
    assert everything(empty) == before


def test_it_refuses_a_timeline_that_does_not_fit(empty, world):
    Collaborative.objects.filter(pk=empty.pk).update(end_date=datetime.date(2027, 6, 30))
    empty.refresh_from_db()
    with pytest.raises(ValidationError, match="this collaborative is 181 days long"):
        collaborative_copy_from(target=empty, package=SOCIAL_EMOTIONAL_LEARNING, copied_by=world.advisor)
    assert not empty.measures.exists()
    assert not empty.periods.exists()


def test_it_refuses_a_source_the_person_does_not_lead(empty, world):
    build_source(world.other_collaborative)
    with pytest.raises(PermissionDenied):
        collaborative_copy_from(target=empty, source=world.other_collaborative,
                                copied_by=world.advisor)
    assert not empty.change_ideas.exists()


def test_the_built_in_package_is_the_demo_framework():
    from reports.demo import framework, measures

    package = SOCIAL_EMOTIONAL_LEARNING
    assert [item["title"] for item in package.primary_drivers] == [title for title, _ in framework.DIAGRAM]
    demo_links = set()
    for primary, secondaries in framework.DIAGRAM:
        for secondary, ideas in secondaries:
            demo_links.add((secondary, primary))
            demo_links.update((idea, secondary) for idea in ideas)
    for secondary, primaries in framework.ALSO_SERVES.items():
        demo_links.update((secondary, primary) for primary in primaries)
    package_links = {(item["title"], parent) for item in package.secondary_drivers
                     for parent in item["primary_drivers"]}
    package_links |= {(item["title"], parent) for item in package.change_ideas
                      for parent in item["secondary_drivers"]}
    assert package_links == demo_links
    assert [{k: v for k, v in item.items() if k not in ("strata", "order")} for item in package.measures] \
        == measures.MEASURES


# --- The page ----------------------------------------------------------------------------------

def url(collaborative: Collaborative) -> str:
    return reverse("setup:start-from", args=[collaborative.pk])


def test_it_previews_the_built_in_package_for_the_advisor(client, world, empty):
    client.force_login(world.advisor)
    page = client.get(url(empty)).text
    assert "5 primary drivers, 10 secondary drivers, 16 change ideas" in page
    assert "7 measures (1 stratified)" in page
    assert "Growing Together" in page  # another collaborative the advisor leads
    assert "Family Engagement" not in page


def test_it_shows_what_does_not_fit_before_copying(client, world):
    client.force_login(world.advisor)
    page = client.get(url(world.collaborative)).text  # it has an aim already
    assert "This collaborative already has an aim." in page


def test_it_copies_from_the_page_and_goes_back_to_the_collaborative(client, world, empty):
    build_source(world.collaborative)
    client.force_login(world.advisor)
    response = client.post(url(empty), {"source": f"collaborative:{world.collaborative.pk}",
                                        "parts": ["framework", "measures", "timeline"]})
    assert response.status_code == 302
    assert response["Location"] == empty.get_absolute_url()
    assert empty.change_ideas.count() == 2
    assert empty.measures.count() == 2
    assert empty.periods.count() == 2


def test_it_refuses_another_advisors_collaborative_as_source(client, world, empty):
    build_source(world.other_collaborative)
    client.force_login(world.advisor)
    before = everything(empty)
    source = f"collaborative:{world.other_collaborative.pk}"
    response = client.post(url(empty), {"source": source, "parts": ["framework"]})
    assert response.status_code == 200
    assert "Choose one of the sources listed." in response.text
    assert everything(empty) == before
    page = client.get(url(empty), {"source": source}).text
    assert "Family Engagement" not in page
    assert "Recognition board" not in page


def test_it_tells_the_advisor_why_nothing_was_copied(client, world):
    client.force_login(world.advisor)
    response = client.post(url(world.collaborative), {"source": "package:social-emotional-learning",
                                                      "parts": ["aim"]})
    assert response.status_code == 200
    assert "Nothing was copied." in response.text
    assert "already has an aim" in response.text


@pytest.mark.parametrize(("persona", "status"), [
    ("coach", 403), ("member_a", 403), ("state_viewer", 403), ("other_advisor", 404),
    ("stranger", 404),
])
def test_it_is_for_the_improvement_advisor_only(client, world, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(url(world.collaborative)).status_code == status
    response = client.post(url(world.collaborative), {"source": "package:social-emotional-learning",
                                                      "parts": ["measures"]})
    assert response.status_code == status
    assert not world.collaborative.measures.exists()


# --- The set-up checklist ----------------------------------------------------------------------

def steps(collaborative: Collaborative) -> dict[str, bool]:
    return {step.key: step.done for step in collaborative_setup(collaborative).steps}


def test_it_checks_nothing_on_a_new_collaborative(empty):
    checklist = collaborative_setup(empty)
    assert steps(empty) == dict.fromkeys(["timeline", "framework", "measures", "teams", "members"], False)
    assert checklist.done_count == 0
    assert checklist.can_start_from_package


def test_it_checks_each_part_as_it_is_set_up(world):
    # Two teams, neither cross-role (team A has no family member, team B no educator).
    assert steps(world.collaborative) == {"timeline": False, "framework": False, "measures": False,
                                          "teams": True, "members": False}
    build_source(world.collaborative)
    factories.MembershipFactory(team=world.team_a, role=MemberRole.FAMILY)
    factories.MembershipFactory(team=world.team_b, role=MemberRole.EDUCATOR)
    checklist = collaborative_setup(world.collaborative)
    assert all(step.done for step in checklist.steps)
    assert checklist.done_count == 5
    assert not checklist.can_start_from_package


def test_it_names_teams_without_members(world):
    factories.TeamFactory(collaborative=world.collaborative)
    members = collaborative_setup(world.collaborative).steps[-1]
    assert members.detail == ("1 team has no members yet. 2 teams are missing an educator or a "
                              "family member.")
    assert members.fix_url.endswith("?gaps=1#teams")


def test_it_asks_for_learning_session_when_only_prework_is_dated(empty):
    factories.PeriodFactory(collaborative=empty, kind=Period.Kind.PREWORK, number=None,
                            start_date=START, end_date=START)
    timeline = collaborative_setup(empty).steps[0]
    assert not timeline.done
    assert timeline.detail == "No learning session dated yet."


@pytest.mark.parametrize("teams", [2, 12])
def test_it_reads_the_checklist_in_two_queries(world, django_assert_num_queries, teams):
    for _number in range(teams - 2):
        team = factories.TeamFactory(collaborative=world.collaborative)
        factories.MembershipFactory(team=team, role=MemberRole.FAMILY)
    with django_assert_num_queries(2):
        collaborative_setup(world.collaborative)


def test_it_shows_the_checklist_to_leaders_only(client, world):
    client.force_login(world.advisor)
    page = client.get(world.collaborative.get_absolute_url()).text
    assert "Set-up checklist" in page
    assert "1 of 5 done" in page
    assert reverse("setup:start-from", args=[world.collaborative.pk]) in page
    client.force_login(world.coach)
    page = client.get(world.collaborative.get_absolute_url()).text
    assert "Set-up checklist" in page
    assert reverse("setup:start-from", args=[world.collaborative.pk]) not in page
    client.force_login(world.member_a)
    assert "Set-up checklist" not in client.get(world.collaborative.get_absolute_url()).text


# --- Members told when change ideas are missing ------------------------------------------------

NO_IDEAS = "Your advisor has not added change ideas yet, so cycles can't be logged."


def test_it_tells_members_cycles_wait_for_change_ideas(client, world):
    client.force_login(world.member_a)
    page = client.get(reverse("pdsa:cycle-create", args=[world.team_a.pk])).text
    assert NO_IDEAS in page
    assert "Save the plan" not in page
    listing = client.get(reverse("pdsa:cycle-list", args=[world.team_a.pk])).text
    assert NO_IDEAS in listing
    assert reverse("pdsa:cycle-create", args=[world.team_a.pk]) not in listing


def test_it_offers_the_cycle_form_once_there_are_change_ideas(client, world):
    build_source(world.collaborative)
    client.force_login(world.member_a)
    page = client.get(reverse("pdsa:cycle-create", args=[world.team_a.pk])).text
    assert NO_IDEAS not in page
    assert "Save the plan" in page
    listing = client.get(reverse("pdsa:cycle-list", args=[world.team_a.pk])).text
    assert reverse("pdsa:cycle-create", args=[world.team_a.pk]) in listing


def test_it_gives_members_a_notice_for_the_team_page(rf, world):
    request = rf.get("/")
    request.user = world.member_a
    panel = team_setup_notice_panel(request, world.team_a)
    assert panel["notices"] == [
        "Your advisor has not added change ideas yet, so cycles can't be logged. You can still "
        "write down an idea to test under “Next steps” in your monthly report.",
        "Your advisor has not added measures yet, so there is no monthly data to enter."]
    html = render_to_string(TEAM_NOTICE, {"panel": panel})
    assert "Not set up yet" in html


def test_it_gives_no_notice_once_set_up_or_to_leaders(rf, world):
    request = rf.get("/")
    request.user = world.advisor
    assert team_setup_notice_panel(request, world.team_a) is None
    build_source(world.collaborative)
    request.user = world.member_a
    assert team_setup_notice_panel(request, world.team_a) is None
