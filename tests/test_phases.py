"""Phases after a change: each phase of a chart has its own centre line, limits and signal
rules (qicharts2's ``part``), marked on the chart, in the data table and in the API."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collaboratives.models import ChangeIdea
from measures import charts, summaries
from measures.models import Measure, MeasurePhase
from measures.months import add_months
from measures.phase_services import phase_create
from measures.runchart import analyze_run_chart
from measures.series import PhaseStart, build_series
from measures.spc import control_chart
from tests import factories

START = datetime.date(2025, 1, 1)
VALUES = [1, 4, 2, 3, 1, 4, 2, 9, 9, 9, 30, 30, 30, 1, 30, 1, 30, 1, 1, 1]


def months(count: int) -> list[datetime.date]:
    return [add_months(START, i) for i in range(count)]


# --- The analysis ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["i", "c", "g", "t"])
def test_it_gives_each_phase_the_chart_of_that_phase_alone(kind):
    values = [3, 5, 4, 6, 2, 5, 4, 7, 12, 14, 11, 13, 15, 12]
    chart = control_chart(kind, values=values, parts=[8])
    first, second = control_chart(kind, values=values[:8]), control_chart(kind, values=values[8:])
    assert chart.parts == (first, second)
    assert chart.starts == (0, 8)
    assert chart.upper == first.upper + second.upper
    assert chart.lower == first.lower + second.lower
    assert chart.centers == [first.center] * 8 + [second.center] * 6
    assert chart.center == second.center  # the current phase


@pytest.mark.parametrize("kind", ["p", "u", "pp", "up"])
def test_it_gives_each_phase_of_a_ratio_chart_its_own_limits(kind):
    nums = [3, 4, 2, 5, 3, 4, 8, 9, 7, 9, 8, 9]
    dens = [10, 12, 9, 11, 10, 10, 10, 11, 10, 10, 9, 10]
    chart = control_chart(kind, numerators=nums, denominators=dens, parts=[6])
    first = control_chart(kind, numerators=nums[:6], denominators=dens[:6])
    second = control_chart(kind, numerators=nums[6:], denominators=dens[6:])
    assert chart.parts == (first, second)
    assert chart.upper == first.upper + second.upper
    assert chart.outside == first.outside + second.outside


def test_it_keeps_one_phase_charts_as_they_were():
    values = [3, 5, 4, 6, 2, 5, 4, 7]
    assert control_chart("i", values=values, parts=[0, 99]) == control_chart("i", values=values)
    assert analyze_run_chart(values, parts=[0]) == analyze_run_chart(values)


def test_it_gives_each_phase_of_a_run_chart_its_own_median():
    analysis = analyze_run_chart(VALUES, parts=[10])
    assert [phase.median for phase in analysis.phases] == [
        analyze_run_chart(VALUES[:10]).median, analyze_run_chart(VALUES[10:]).median]
    assert analysis.median == analyze_run_chart(VALUES[10:]).median
    assert analysis.n_obs == 10  # the top-level numbers are the current phase's


def test_it_does_not_count_a_run_across_a_phase_start():
    # qicharts2's qic.agg splits the data by part and runs runs.analysis on each part alone, so
    # the last 3 points of phase 1 above its median (3.5) and the first 3 of phase 2 above its
    # median (15.5) are two runs of 3, not a shift of 6.
    analysis = analyze_run_chart(VALUES, parts=[10])
    medians = [phase.median for phase in analysis.phases]
    assert medians == [3.5, 15.5]
    assert all(v > medians[0] for v in VALUES[7:10])
    assert all(v > medians[1] for v in VALUES[10:13])
    assert analysis.shifts == []
    assert [phase.longest_run for phase in analysis.phases] == [3, 3]


def test_it_reports_a_shift_inside_a_phase_in_whole_series_indices():
    values = [5, 6, 5, 6, 5, 6, 5, 6, 1, 3, 1, 3, 9, 9, 9, 9, 9, 9, 1, 3]
    analysis = analyze_run_chart(values, parts=[8])
    assert analysis.phases[1].median == 6
    assert analysis.shifts == [(12, 17)]
    assert analysis.phases[1].shifts == [(12, 17)]


def test_it_applies_a_frozen_baseline_to_the_first_phase_only():
    # qicharts2 ignores freeze when part is given; here the baseline is the first phase's
    # (its later months are judged against it) and later phases use all their points.
    values = [3, 5, 4, 6, 9, 9, 9, 9, 12, 14, 11, 13, 15, 12]
    chart = control_chart("i", values=values, baseline=4, parts=[8])
    assert chart.parts[0] == control_chart("i", values=values[:8], baseline=4)
    assert chart.parts[1] == control_chart("i", values=values[8:])
    runs = analyze_run_chart(values, baseline=4, parts=[8])
    assert runs.phases[0].median == 4.5
    assert runs.phases[1].median == analyze_run_chart(values[8:]).median


def test_it_refuses_bad_part_starts():
    with pytest.raises(ValueError, match="part starts"):
        control_chart("i", values=[1, 2, 3], parts=[-1])
    with pytest.raises(ValueError, match="part 1"):
        control_chart("i", values=[1, 2, None, None], parts=[2])


# --- The series, chart, sentence and table -----------------------------------------------------

def xmr(**fields) -> Measure:
    return factories.MeasureFactory.build(unit=Measure.Unit.COUNT, chart_kind=Measure.ChartKind.XMR,
                                          denominator_definition="", goal=None, **fields)


def line(measure: Measure, values: list, phases: list[PhaseStart]):
    axis = months(len(values))
    by_month = {month: (float(v), None, "") for month, v in zip(axis, values, strict=True) if v is not None}
    return build_series(measure, "Team A", axis, by_month, phases=phases)


ADOPTED = PhaseStart(add_months(START, 10), "Adopted: greeting song at drop-off", 1, "Greeting song")


def test_it_builds_a_series_in_phases():
    series = line(xmr(), VALUES, [ADOPTED])
    assert series.phase_starts == [10]
    assert series.control.parts[1] == control_chart("i", values=VALUES[10:])
    assert [segment.center for segment in series.segments()] == [
        control_chart("i", values=VALUES[:10]).center, control_chart("i", values=VALUES[10:]).center]
    assert [series.phase_of(i) for i in (0, 9, 10, 19)] == [0, 0, 1, 1]
    assert series.status.points[10].segment == 1  # Making Data Count rebases there too


def test_it_leaves_out_phases_that_cannot_start():
    axis_start = PhaseStart(START, "first month")
    outside = PhaseStart(datetime.date(2030, 1, 1), "not on the axis")
    empty = PhaseStart(add_months(START, 3), "no data after it")
    series = line(xmr(), [1, 2, 3, None, None], [axis_start, outside, empty])
    assert series.phase_starts == []
    assert series.current_phase is None


def test_it_keeps_the_baseline_inside_the_first_phase():
    series = line(xmr(baseline_length=4), VALUES, [ADOPTED])
    segments = series.segments()
    assert series.baseline_end == 3
    assert (segments[0].baseline_end, segments[1].baseline_end) == (3, None)
    assert segments[0].center == 2.5  # the mean of the four baseline points


def test_it_draws_each_phase_apart_and_marks_its_start():
    series = line(xmr(), VALUES, [ADOPTED])
    figure = charts.run_chart(series)
    centres = [trace for trace in figure["data"] if trace.get("legendgroup") == "centre"]
    assert [trace["x"] for trace in centres] == [
        ["2025-01-01", "2025-10-01"], ["2025-11-01", "2026-08-01"]]
    limits = [trace for trace in figure["data"] if trace.get("legendgroup") == "limits"]
    assert [len(trace["x"]) for trace in limits] == [10, 10, 10, 10]
    assert sum(1 for trace in limits if trace.get("showlegend", True)) == 1
    shape = figure["layout"]["shapes"][-1]
    assert (shape["type"], shape["x0"], shape["line"]["dash"]) == ("line", "2025-11-01", "dot")
    note = figure["layout"]["annotations"][-1]
    assert note["text"] == "Adopted: greeting song at d…"
    assert "Adopted: greeting song at drop-off" in note["hovertext"]


def test_it_draws_a_one_phase_chart_as_before():
    figure = charts.run_chart(line(xmr(), VALUES, []))
    assert not figure["layout"]["shapes"]
    assert [trace["name"] for trace in figure["data"] if trace.get("legendgroup") == "limits"] == [
        "Control limits", "Control limits"]


def test_it_says_since_when_the_current_phase_runs():
    sentence = summaries.summary(line(xmr(), VALUES, [ADOPTED]))
    assert sentence.startswith(
        "Since November 2025 (new phase: Adopted: greeting song at drop-off) the centre line is ")


def test_it_puts_the_phase_in_the_data_rows():
    rows = line(xmr(), VALUES, [ADOPTED]).rows()
    assert [row["phase"] for row in rows[9:11]] == [1, 2]
    assert rows[10]["phase_start"] == ADOPTED
    assert rows[11]["phase_start"] is None


# --- Pages, API and rules ----------------------------------------------------------------------

@pytest.fixture
def measure(world) -> Measure:
    measure = factories.MeasureFactory(collaborative=world.collaborative, name="Calm drop-offs",
                                       unit=Measure.Unit.COUNT, chart_kind=Measure.ChartKind.XMR,
                                       denominator_definition="", goal=None)
    for team in (world.team_a, world.team_b):
        for month, value in zip(months(len(VALUES)), VALUES, strict=True):
            factories.MeasureValueFactory(team=team, measure=measure, month=month, numerator=value,
                                          denominator=None)
    return measure


def team_url(world, measure) -> str:
    return reverse("phases:team", kwargs={"team_pk": world.team_a.pk, "pk": measure.pk})


def test_a_member_starts_a_phase_of_the_teams_chart(client, world, measure):
    idea = ChangeIdea.objects.create(collaborative=world.collaborative, title="Greeting song")
    client.force_login(world.member_a)
    response = client.post(team_url(world, measure), {
        "start_month": "2025-11", "reason": "Adopted: greeting song at drop-off", "change_idea": idea.pk})
    assert response.status_code == 302
    phase = MeasurePhase.objects.get()
    assert (phase.team, phase.start_month, phase.change_idea, phase.created_by) == (
        world.team_a, datetime.date(2025, 11, 1), idea, world.member_a)
    html = client.get(reverse("reports:team-charts", args=[world.team_a.pk])).text
    assert '<th scope="col">Phase</th>' in html
    assert "Phase 2 starts: Adopted: greeting song at drop-off" in html
    assert "Since November 2025 (new phase: Adopted: greeting song at drop-off)" in html


@pytest.mark.parametrize(("month", "message"), [
    ("2025-01", "Select a valid choice"),  # the first months are not offered
    ("2025-02", "Select a valid choice"),
    ("2027-01", "Select a valid choice"),  # no data
])
def test_it_refuses_a_month_that_cannot_start_a_phase(client, world, measure, month, message):
    client.force_login(world.member_a)
    response = client.post(team_url(world, measure), {"start_month": month, "reason": "Adopted"})
    assert response.status_code == 200
    assert message in response.text
    assert not MeasurePhase.objects.exists()


def test_it_refuses_a_phase_that_leaves_too_few_months_before_it(world, measure):
    phase_create(measure=measure, team=world.team_a, start_month=add_months(START, 10), reason="One")
    for month, code in ((add_months(START, 11), "too_early"), (add_months(START, 10), "taken"),
                        (add_months(START, 9), "too_short")):
        with pytest.raises(Exception) as caught:  # noqa: PT011 (the code is checked)
            phase_create(measure=measure, team=world.team_a, start_month=month, reason="Two")
        assert caught.value.error_dict["start_month"][0].code == code
    assert MeasurePhase.objects.count() == 1


def test_it_refuses_another_collaboratives_change_idea(client, world, measure):
    idea = ChangeIdea.objects.create(collaborative=world.other_collaborative, title="Elsewhere")
    client.force_login(world.member_a)
    response = client.post(team_url(world, measure), {
        "start_month": "2025-11", "reason": "Adopted", "change_idea": idea.pk})
    assert response.status_code == 200
    assert not MeasurePhase.objects.exists()


@pytest.mark.parametrize(("persona", "team_status", "pooled_status"), [
    ("member_a", 200, 403), ("lead_a", 200, 403), ("member_b", 404, 403), ("advisor", 200, 200),
    ("coach", 200, 200), ("other_advisor", 404, 404), ("state_viewer", 404, 403),
    ("other_state_viewer", 404, 404), ("stranger", 404, 404),
])
def test_it_lets_only_the_right_people_set_phases(client, world, measure, persona, team_status,
                                                  pooled_status):
    client.force_login(getattr(world, persona))
    assert client.get(team_url(world, measure)).status_code == team_status
    assert client.get(reverse("phases:pooled", args=[measure.pk])).status_code == pooled_status


def test_it_sends_anonymous_people_to_sign_in(client, world, measure):
    assert client.get(team_url(world, measure)).status_code == 302


def test_leaders_start_a_phase_of_the_pooled_chart_that_every_reader_sees(client, world, measure):
    third = factories.TeamFactory(collaborative=world.collaborative)  # months need 3 teams to show
    for month, value in zip(months(len(VALUES)), VALUES, strict=True):
        factories.MeasureValueFactory(team=third, measure=measure, month=month, numerator=value,
                                      denominator=None)
    client.force_login(world.advisor)
    client.get(reverse("measures:detail", args=[measure.pk]))  # fills the figures cache
    response = client.post(reverse("phases:pooled", args=[measure.pk]),
                           {"start_month": "2025-11", "reason": "Adopted by all teams"})
    assert response.status_code == 302
    assert MeasurePhase.objects.get().team is None
    client.force_login(world.state_viewer)
    html = client.get(reverse("measures:detail", args=[measure.pk])).text
    assert "Adopted by all teams" in html  # the mark, not the way to change it
    assert reverse("phases:pooled", args=[measure.pk]) not in html
    data = client.get(f"/api/v1/measures/{measure.pk}/chart-data/").json()
    assert [phase["reason"] for phase in data["phases"]] == [None, "Adopted by all teams"]


def test_only_the_team_or_its_leaders_remove_a_teams_phase(client, world, measure):
    phase = phase_create(measure=measure, team=world.team_a, start_month=add_months(START, 10),
                         reason="Adopted")
    url = reverse("phases:delete", args=[phase.pk])
    for persona, status in (("member_b", 404), ("state_viewer", 404), ("other_advisor", 404)):
        client.force_login(getattr(world, persona))
        assert client.post(url).status_code == status
    client.force_login(world.advisor)
    assert client.post(url).status_code == 302
    assert not MeasurePhase.objects.exists()


def test_the_api_gives_each_point_its_phase(client, world, measure):
    phase_create(measure=measure, team=world.team_a, start_month=add_months(START, 10),
                 reason="Adopted: greeting song")
    client.force_login(world.member_a)
    data = client.get(f"/api/v1/measures/{measure.pk}/chart-data/?team={world.team_a.pk}").json()
    assert data["phase"][9] == {"index": 0, "start": "2025-01"}
    assert data["phase"][10] == {"index": 1, "start": "2025-11"}
    assert [(p["start"], p["end"], p["reason"]) for p in data["phases"]] == [
        ("2025-01", "2025-10", None), ("2025-11", "2026-08", "Adopted: greeting song")]
    assert data["phases"][1]["center"] == control_chart("i", values=VALUES[10:]).center
    assert data["center"] == data["phases"][1]["center"]


def test_the_team_charts_page_reads_phases_in_one_query(client, world, measure):
    client.force_login(world.member_a)
    url = reverse("reports:team-charts", args=[world.team_a.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    phase_create(measure=measure, team=world.team_a, start_month=add_months(START, 5), reason="One")
    few = count()
    other = factories.MeasureFactory(collaborative=world.collaborative, unit=Measure.Unit.COUNT,
                                     chart_kind=Measure.ChartKind.XMR, denominator_definition="")
    for month, value in zip(months(len(VALUES)), VALUES, strict=True):
        factories.MeasureValueFactory(team=world.team_a, measure=other, month=month, numerator=value,
                                      denominator=None)
    for start in (5, 10, 15):
        phase_create(measure=other, team=world.team_a, start_month=add_months(START, start),
                     reason=f"From {start}")
    phase_create(measure=measure, team=world.team_a, start_month=add_months(START, 12), reason="Two")
    assert count() == few
