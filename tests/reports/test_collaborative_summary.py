"""The collaborative's monthly summary for funders and the state: aggregates only, the
same for everyone who opens it, with the rules a state viewer's figures follow."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from collaboratives.models import ChangeIdea
from measures.months import add_months, month_start
from pdsa import services as pdsa_services
from reports import services
from tests import factories
from tests.pdsa.conftest import complete

pytestmark = pytest.mark.django_db
LAST_MONTH = add_months(month_start(timezone.localdate()), -1)
THIS_MONTH = month_start(timezone.localdate())


def summary(client, user, month=LAST_MONTH):
    """The NC collaborative's summary (the world's only collaborative with teams A and B)."""
    from collaboratives.models import Collaborative

    client.force_login(user)
    collaborative = Collaborative.objects.get(name="Growing Together")
    return client.get(reverse("reports:collaborative-summary", args=[collaborative.pk]),
                      {"month": month.strftime("%Y-%m")})


@pytest.fixture
def outcome(world):
    measure = factories.MeasureFactory(collaborative=world.collaborative, name="Fidelity", type="outcome",
                                       chart_kind="p")
    for team in (world.team_a, world.team_b):  # two teams only: too few to show
        factories.MeasureValueFactory(team=team, measure=measure, month=LAST_MONTH, numerator=30,
                                      denominator=50)
    return measure


@pytest.mark.parametrize("persona", ["advisor", "state_viewer", "member_a"])
def test_it_shows_the_same_aggregates_to_everyone_who_reads_the_collaborative(client, world, outcome,
                                                                            persona):
    response = summary(client, getattr(world, persona))
    line = response.context["report"].outcomes[0]
    assert (line.display, line.hidden) == ("—", "hidden (under 3 teams)")


def test_it_shows_an_outcome_once_enough_teams_report(client, world, outcome):
    third = factories.TeamFactory(collaborative=world.collaborative)
    factories.MeasureValueFactory(team=third, measure=outcome, month=LAST_MONTH, numerator=30,
                                  denominator=50)
    line = summary(client, world.state_viewer).context["report"].outcomes[0]
    assert (line.display, line.hidden) == ("60%", "")


def scored(world, team, score):
    report = services.monthly_report_build(team=team, month=LAST_MONTH)
    services.monthly_report_save(report=report, self_score=Decimal(score))
    services.monthly_report_submit(report=report, submitted_by=world.member_a)
    services.monthly_report_review(report=report, reviewed_by=world.advisor, advisor_score=Decimal(score),
                                   feedback="")


def test_it_keeps_the_score_distribution_back_until_three_teams_are_scored(client, world):
    scored(world, world.team_a, "2.0")
    scored(world, world.team_b, "2.5")
    report = summary(client, world.state_viewer).context["report"]
    assert (report.scores, report.scored_teams) == (None, 2)
    scored(world, factories.TeamFactory(collaborative=world.collaborative), "2.5")
    report = summary(client, world.state_viewer).context["report"]
    assert {str(level.score): count for level, count in report.scores if count} == {"2.0": 1, "2.5": 2}
    assert report.reports_submitted == 3


def test_it_counts_only_the_cycles_teams_shared(client, world):
    idea = ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")

    def cycle(title):
        return pdsa_services.cycle_create(team=world.team_a, created_by=world.member_a, change_idea=idea,
                                          title=title, prediction="Calmer.")

    complete(cycle("Shared"), shared=True)
    complete(cycle("Private"))
    report = summary(client, world.state_viewer, month=THIS_MONTH).context["report"]
    assert report.cycles_completed == 1
    assert report.decisions["Adopt"] == 1


def test_it_exports_the_same_figures_as_csv(client, world, outcome):
    client.force_login(world.state_viewer)
    response = client.get(reverse("reports:collaborative-summary-csv", args=[world.collaborative.pk]),
                          {"month": LAST_MONTH.strftime("%Y-%m")})
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "outcome measure,Fidelity,hidden (under 3 teams)" in text
    assert "teams with complete data" in text


def test_it_keeps_another_states_collaborative_unknown(client, world):
    client.force_login(world.other_state_viewer)
    response = client.get(reverse("reports:collaborative-summary", args=[world.collaborative.pk]))
    assert response.status_code == 404


def test_it_gives_the_summary_as_a_pdf_with_each_outcome_charted(client, world, outcome):
    import io

    from pypdf import PdfReader

    third = factories.TeamFactory(collaborative=world.collaborative)
    factories.MeasureValueFactory(team=third, measure=outcome, month=LAST_MONTH, numerator=30,
                                  denominator=50)
    client.force_login(world.state_viewer)
    response = client.get(reverse("reports:collaborative-summary-pdf", args=[world.collaborative.pk]),
                          {"month": LAST_MONTH.strftime("%Y-%m")})
    assert response["Content-Type"] == "application/pdf"
    assert f"{LAST_MONTH:%Y-%m}.pdf" in response["Content-Disposition"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("Growing Together", "Teams reporting", "Fidelity", "60%", "Percent"):
        assert expected in text, expected
