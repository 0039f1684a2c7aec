"""The second demo collaborative (Family Engagement, Virginia): a driver diagram, four
measures with values for every team, PDSA cycles and monthly reports, so its dashboards are
not empty; and a second run leaves the same rows.

``seed_family`` is called after ``seed_demo`` here, so the tests hold whether or not the
command already calls it (a second call is then the idempotence check)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from collaboratives.models import ChangeIdea, Collaborative, PrimaryDriver, SecondaryDriver
from measures import aggregates
from measures.models import Measure, MeasureValue
from measures.months import add_months, month_range
from pdsa import selectors
from pdsa.models import Cycle, CycleComment, CycleParticipant
from reports.demo.family import seed_family
from reports.models import MonthlyReport
from teams.models import MemberRole, Team

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 28)


def family_seeded(today: datetime.date = TODAY) -> Collaborative:
    call_command("seed_demo")
    collaborative = Collaborative.objects.get(state="VA")
    teams = list(Team.objects.filter(collaborative=collaborative).order_by("pk"))
    advisor = get_user_model().objects.get(username="advisor-2")
    seed_family(collaborative, teams, advisor, today=today)
    return collaborative


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Collaborative:
    """The demo seeded once for the module (it is most of each test's cost), inside a
    transaction rolled back at the end; each test's own transaction is a savepoint in it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield family_seeded()
        transaction.set_rollback(True)


@pytest.fixture
def collaborative(seeded: Collaborative, db: None) -> Collaborative:
    seeded.refresh_from_db()
    return seeded


def counts(collaborative: Collaborative) -> tuple[int, ...]:
    cycles = Cycle.objects.filter(team__collaborative=collaborative)
    return (
        PrimaryDriver.objects.filter(collaborative=collaborative).count(),
        SecondaryDriver.objects.filter(collaborative=collaborative).count(),
        ChangeIdea.objects.filter(collaborative=collaborative).count(),
        SecondaryDriver.primary_drivers.through.objects.filter(
            secondarydriver__collaborative=collaborative).count(),
        ChangeIdea.secondary_drivers.through.objects.filter(
            changeidea__collaborative=collaborative).count(),
        Measure.objects.filter(collaborative=collaborative).count(),
        MeasureValue.objects.filter(measure__collaborative=collaborative).count(),
        cycles.count(),
        CycleParticipant.objects.filter(cycle__in=cycles).count(),
        Cycle.measures.through.objects.filter(cycle__in=cycles).count(),
        CycleComment.objects.filter(cycle__in=cycles).count(),
        MonthlyReport.objects.filter(team__collaborative=collaborative).count(),
    )


def test_it_seeds_a_driver_diagram_for_the_family_collaborative(collaborative):
    assert collaborative.primary_drivers.count() == 3
    assert 6 <= collaborative.change_ideas.count() <= 9
    for secondary in collaborative.secondary_drivers.all():
        assert secondary.primary_drivers.exists()
    for idea in collaborative.change_ideas.all():
        assert idea.secondary_drivers.exists()
        assert idea.description
    assert any(s.primary_drivers.count() > 1 for s in collaborative.secondary_drivers.all())


def test_it_seeds_four_measures_of_every_type_with_full_definitions(collaborative):
    measures = list(collaborative.measures.all())
    assert len(measures) == 4
    assert {m.type for m in measures} == {"outcome", "process", "balancing"}
    for measure in measures:
        assert measure.operational_definition
        assert measure.numerator_definition
        assert measure.denominator_definition
    welcome = collaborative.measures.get(name="Families who feel welcome")
    assert (welcome.chart_kind, welcome.unit, welcome.goal) == ("p", "percent", 90)


def test_it_gives_every_team_monthly_values_from_march_through_last_month(collaborative):
    expected = month_range(datetime.date(2026, 3, 1), datetime.date(2026, 10, 1))
    for team in collaborative.teams.all():
        for measure in collaborative.measures.all():
            months = sorted(MeasureValue.objects.filter(team=team, measure=measure)
                            .values_list("month", flat=True))
            assert months == expected, (team.name, measure.name)


def test_its_welcome_denominators_are_large_enough_for_the_funnel_plot(collaborative):
    welcome = collaborative.measures.get(name="Families who feel welcome")
    assert not MeasureValue.objects.filter(measure=welcome, denominator__lt=10).exists()
    aggregates.forget_collaborative(collaborative.pk)
    funnel = aggregates.public_figures(welcome).funnel  # what non-leaders see, small cells gone
    assert funnel is not None
    assert len(funnel.points) == 4


def test_it_shows_an_improvement_signal_after_the_start_for_magnolia(collaborative):
    aggregates.forget_collaborative(collaborative.pk)
    welcome = collaborative.measures.get(name="Families who feel welcome")
    figures = aggregates.compute_figures(welcome, full=True)
    magnolia = next(line for line in figures.teams if line.label == "Magnolia Head Start")
    assert magnolia.has_signal
    assert magnolia.status.variation_icon.startswith("improvement")


def test_it_seeds_cycles_on_the_change_ideas_led_by_several_roles(collaborative):
    cycles = Cycle.objects.filter(team__collaborative=collaborative)
    assert {cycle.team_id for cycle in cycles} == set(collaborative.teams.values_list("pk", flat=True))
    assert {c.change_idea.collaborative_id for c in cycles} == {collaborative.pk}
    assert set(cycles.values_list("decision", flat=True)) == {"adopt", "adapt", "abandon", ""}
    assert set(cycles.values_list("is_shared", flat=True)) == {True, False}
    assert cycles.exclude(status="complete").exists()
    assert {MemberRole.FAMILY, MemberRole.EDUCATOR, MemberRole.ADMINISTRATOR,
            MemberRole.OTHER_STAFF} <= set(cycles.values_list("lead_role", flat=True))
    assert cycles.filter(lead_role=MemberRole.FAMILY).values("team").distinct().count() == 2
    for cycle in cycles:  # every row satisfies the model's own checks
        cycle.full_clean()


def test_it_leaves_one_cycle_stalled_for_over_five_weeks(collaborative):
    stalled = Cycle.objects.filter(team__collaborative=collaborative).filter(
        selectors.stalled_q(timezone.now()))
    assert [cycle.title for cycle in stalled] == ["Weekly photo and question to families in the app"]
    assert stalled[0].updated_at <= timezone.now() - datetime.timedelta(weeks=5)


def test_it_seeds_reports_for_september_and_october_with_both_scores(collaborative):
    reports = MonthlyReport.objects.filter(team__collaborative=collaborative)
    assert set(reports.values_list("month", flat=True)) == {datetime.date(2026, 9, 1),
                                                            datetime.date(2026, 10, 1)}
    assert reports.count() == 2 * collaborative.teams.count()
    assert set(reports.values_list("status", flat=True)) == {"reviewed", "submitted"}
    assert not reports.filter(self_score=None).exists()
    assert not reports.filter(status="reviewed", advisor_score=None).exists()
    assert all(report.successes and report.snapshot for report in reports)
    assert any(report.score_gap and report.score_gap >= 1 for report in reports)


def test_it_is_idempotent(collaborative):
    first = counts(collaborative)
    values = sorted(MeasureValue.objects.filter(measure__collaborative=collaborative)
                    .values_list("team_id", "measure_id", "month", "numerator", "denominator"))
    call_command("seed_demo")
    teams = list(Team.objects.filter(collaborative=collaborative).order_by("pk"))
    seed_family(collaborative, teams, get_user_model().objects.get(username="advisor-2"), today=TODAY)
    assert counts(collaborative) == first
    assert sorted(MeasureValue.objects.filter(measure__collaborative=collaborative)
                  .values_list("team_id", "measure_id", "month", "numerator", "denominator")) == values


def test_a_later_run_adds_the_months_that_have_passed(collaborative):
    later = add_months(TODAY.replace(day=1), 2)
    teams = list(Team.objects.filter(collaborative=collaborative).order_by("pk"))
    seed_family(collaborative, teams, get_user_model().objects.get(username="advisor-2"), today=later)
    team = teams[0]
    assert MeasureValue.objects.filter(team=team, month=datetime.date(2026, 12, 1)).count() == 4
    assert MonthlyReport.objects.filter(team=team).count() == 4


def test_the_dashboard_renders_for_advisor_2(client):
    collaborative = family_seeded(timezone.localdate())
    client.force_login(get_user_model().objects.get(username="advisor-2"))
    response = client.get(reverse("reports:dashboard", args=[collaborative.pk]))
    assert response.status_code == 200
    for team in collaborative.teams.all():
        assert team.name in response.content.decode()
