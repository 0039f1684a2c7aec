"""seed_demo: the demo cohort, its logins, and idempotence."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from collaboratives.models import Collaborative, Period
from measures import series
from measures.models import MeasureValue
from teams.models import Membership, Team
from teams.selectors import composition_gaps, teams_with_composition

pytestmark = pytest.mark.django_db
LOGINS = ["advisor", "coach", "state", "member-a", "member-b"]


def counts() -> tuple[int, ...]:
    return (Collaborative.objects.count(), Period.objects.count(), Team.objects.count(),
            Membership.objects.count(), get_user_model().objects.count())


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
