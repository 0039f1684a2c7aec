"""A team's run charts carry its PDSA decisions on the measures they are linked to."""

import datetime

import pytest
from django.urls import reverse

from collaboratives.models import ChangeIdea
from measures.months import add_months
from pdsa import services
from tests.factories import MeasureFactory, MeasureValueFactory
from tests.pdsa.conftest import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def charted(world):
    linked = MeasureFactory(collaborative=world.collaborative, name="Fidelity")
    other = MeasureFactory(collaborative=world.collaborative, name="Turnover")
    done = datetime.date(2026, 5, 12)
    for measure in (linked, other):
        for i in range(6):
            MeasureValueFactory(team=world.team_a, measure=measure,
                                month=add_months(datetime.date(2026, 2, 1), i))
    idea = ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")
    for decision, title in (("adapt", "Schedule at arrival"), ("abandon", "Schedule at nap")):
        cycle = services.cycle_create(team=world.team_a, created_by=world.member_a,
                                      change_idea=idea, title=title, prediction="Calmer mornings.")
        cycle = services.cycle_update(cycle=cycle, version=cycle.version, measures=[linked],
                                      done_on=done)
        complete(cycle, decision=decision)
    return linked, other


def pdsa_trace(figure: dict) -> dict | None:
    return next((t for t in figure["data"] if t["name"] == "PDSA change adopted or adapted"), None)


def test_it_marks_adopted_or_adapted_changes_on_the_linked_measure_only(client, world, charted):
    linked, other = charted
    client.force_login(world.member_a)
    panels = {p["measure"].pk: p for p in client.get(
        reverse("reports:team-charts", args=[world.team_a.pk])).context["panels"]}
    marker = pdsa_trace(panels[linked.pk]["figure"])
    assert marker["x"] == ["2026-05-01"]  # the adapt; the abandoned cycle is not a change
    assert "Schedule at arrival — cycle" in marker["hovertext"][0]
    assert pdsa_trace(panels[other.pk]["figure"]) is None


def test_it_shows_the_charts_to_the_teams_advisor_but_not_to_another_team(client, world, charted):
    url = reverse("reports:team-charts", args=[world.team_a.pk])
    client.force_login(world.advisor)
    assert client.get(url).status_code == 200
    client.force_login(world.member_b)
    assert client.get(url).status_code == 404
