"""seed_demo: the demo cohort, its logins, and idempotence."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from collaboratives.language import language_of
from collaboratives.models import Collaborative, Period
from measures import series
from measures.models import Measure, MeasureEvent, MeasurePhase, MeasureValue
from pdsa.models import Cycle, CycleAttachment
from teams.models import Membership, Team
from teams.selectors import composition_gaps, teams_with_composition

pytestmark = pytest.mark.django_db
LOGINS = ["advisor", "coach", "state", "member-a", "member-b"]


def counts() -> tuple[int, ...]:
    return (Collaborative.objects.count(), Period.objects.count(), Team.objects.count(),
            Membership.objects.count(), get_user_model().objects.count(),
            MeasureEvent.objects.count(), MeasurePhase.objects.count(), Cycle.objects.count(),
            CycleAttachment.objects.count())


def test_it_is_idempotent():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first


def test_it_seeds_two_collaboratives_in_two_states_with_six_or_more_teams():
    call_command("seed_demo")
    states = set(Collaborative.objects.values_list("state", flat=True))
    first = Collaborative.objects.get(state="NC")
    assert states == {"NC", "VA"}
    assert first.teams.count() >= 6


def test_it_prints_and_accepts_every_demo_login(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    request = RequestFactory().post("/accounts/login/")
    for username in LOGINS:
        assert username in output
        assert authenticate(request, username=username, password="bsc-demo-2026") is not None


def test_it_puts_member_a_and_member_b_on_different_teams_of_one_collaborative():
    call_command("seed_demo")
    team_a = Team.objects.get(memberships__user__username="member-a")
    team_b = Team.objects.get(memberships__user__username="member-b")
    assert team_a != team_b
    assert team_a.collaborative == team_b.collaborative


def test_it_includes_one_team_the_composition_check_flags():
    call_command("seed_demo")
    teams = teams_with_composition(Team.objects.filter(collaborative__state="NC"))
    flagged = [team for team in teams if composition_gaps(team)]
    assert len(flagged) == 1


def test_it_scales_teams_and_months():
    call_command("seed_demo", teams=12, months=24)
    first = Collaborative.objects.get(state="NC")
    assert first.teams.count() == 12
    assert (first.end_date - first.start_date).days in range(725, 732)
    assert first.periods.count() == 8


def test_it_refuses_fewer_than_two_teams():
    with pytest.raises(CommandError, match="at least 2"):
        call_command("seed_demo", teams=1)


def test_it_seeds_measures_of_every_type_and_a_year_of_values():
    call_command("seed_demo")
    collaborative = Collaborative.objects.get(state="NC")
    measures = list(collaborative.measures.all())
    assert 5 <= len(measures) <= 8
    assert {m.type for m in measures} == {"outcome", "process", "balancing"}
    assert any(m.is_stratified for m in measures)
    team_a = Team.objects.get(memberships__user__username="member-a")
    months = set(MeasureValue.objects.filter(team=team_a).values_list("month", flat=True))
    assert len(months) >= 12


def test_it_seeds_a_team_with_a_shift_and_a_team_with_a_trend():
    call_command("seed_demo")
    collaborative = Collaborative.objects.get(state="NC")
    found = {"shift": set(), "trend": set()}
    for team in collaborative.teams.all():
        for measure in collaborative.measures.all():
            values = list(MeasureValue.objects.filter(team=team, measure=measure))
            line = series.team_series(measure, values, team.name)
            if line.analysis.shifts:
                found["shift"].add(team.name)
            if line.analysis.trends:
                found["trend"].add(team.name)
    assert "Sunrise Early Learning Center" in found["shift"]  # fidelity after LS1
    assert "Little Oaks Head Start" in found["trend"]  # incidents reviewed, rising


def test_it_seeds_events_phases_files_and_a_cycle_in_spanish(client):
    # One seed for the new features' demo content: seeding is most of the cost.
    call_command("seed_demo")
    collaborative = Collaborative.objects.get(state="NC")
    team_a = Team.objects.get(memberships__user__username="member-a")

    events = Measure.objects.get(collaborative=collaborative, records_events=True)
    assert events.name == "Expulsions and suspensions"
    with_events = set(MeasureEvent.objects.filter(measure=events).values_list("team", flat=True))
    assert len(with_events) > collaborative.teams.count() / 2

    fidelity = Measure.objects.get(collaborative=collaborative,
                                   name="Classrooms implementing with fidelity")
    learning_session = collaborative.periods.get(kind=Period.Kind.LEARNING_SESSION, number=1)
    phase = MeasurePhase.objects.get(measure=fidelity, team=team_a)
    assert phase.reason == "Adopted: coaching visits every two weeks"
    assert (phase.start_month.year * 12 + phase.start_month.month
            == learning_session.start_date.year * 12 + learning_session.start_date.month + 1)
    assert MeasurePhase.objects.filter(measure=fidelity, team=None).exists()

    files = list(CycleAttachment.objects.filter(cycle__team=team_a))
    assert sorted(f.content_type for f in files) == ["application/pdf", "image/png"]
    client.force_login(get_user_model().objects.get(username="member-a"))
    for item in files:
        response = client.get(reverse("pdsa:attachment", args=[item.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:5] in (b"%PDF-", b"\x89PNG\r")
    page = client.get(reverse("pdsa:cycle-detail", args=[files[0].cycle_id]))
    assert reverse("pdsa:attachment", args=[files[0].pk]) in page.content.decode()

    member_es = get_user_model().objects.get(username="member-es")
    assert language_of(member_es) == "es"
    cycle = Cycle.objects.get(lead=member_es)
    assert cycle.title == "Canción de despedida en casa"
    assert cycle.status == Cycle.Status.STUDY
    assert cycle.team.memberships.filter(user=member_es).exists()
    assert cycle.change_idea.collaborative == collaborative
