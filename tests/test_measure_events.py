"""Events recorded with their dates: the monthly counts derived from them, the g and t charts
of the days between them, what the aggregate layer lets out, and who may see the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures import aggregates, event_charts, events, privacy
from measures.models import Measure, MeasureEvent, MeasureValue
from measures.services import measure_save
from measures.spc import control_chart
from reports.demo.events import seed_events
from tests import factories

D = datetime.date
TODAY = D(2026, 6, 15)  # the world's collaborative runs January 2026 to March 2027


def _event_measure(collaborative, kind=Measure.ChartKind.G, **fields) -> Measure:
    return factories.MeasureFactory(
        collaborative=collaborative, name=fields.pop("name", "Expulsions"), unit=Measure.Unit.COUNT,
        denominator_definition="", numerator_definition="Expulsions", chart_kind=kind,
        direction=Measure.Direction.DOWN, records_events=True, **fields)


def _record(measure, team, user, *dates, today=TODAY):
    return [events.event_record(measure=measure, team=team, date=day, note="", user=user, today=today)
            for day in dates]


def _counts(measure, team) -> dict[D, int]:
    return {value.month: int(value.numerator) for value in
            MeasureValue.objects.filter(measure=measure, team=team).order_by("month")}


@pytest.fixture
def measure(world):
    return _event_measure(world.collaborative)


# --- monthly counts -----------------------------------------------------------------------

def test_it_derives_monthly_counts_with_zero_months(world, measure):
    _record(measure, world.team_a, world.member_a, D(2026, 2, 3), D(2026, 2, 20), D(2026, 4, 10))
    # From the first event's month to the last month that has ended; June is still open.
    assert _counts(measure, world.team_a) == {D(2026, 2, 1): 2, D(2026, 3, 1): 0,
                                              D(2026, 4, 1): 1, D(2026, 5, 1): 0}
    assert all(value.denominator is None
               for value in MeasureValue.objects.filter(measure=measure, team=world.team_a))
    assert _counts(measure, world.team_b) == {}


def test_it_counts_the_current_month_once_it_has_an_event(world, measure):
    _record(measure, world.team_a, world.member_a, D(2026, 5, 30), D(2026, 6, 2))
    assert _counts(measure, world.team_a) == {D(2026, 5, 1): 1, D(2026, 6, 1): 1}


def test_it_updates_the_counts_when_an_event_is_deleted(world, measure):
    first, _second, third = _record(measure, world.team_a, world.member_a,
                                    D(2026, 2, 3), D(2026, 2, 20), D(2026, 4, 10))
    events.event_delete(event=third, user=world.member_a, today=TODAY)
    assert _counts(measure, world.team_a)[D(2026, 4, 1)] == 0
    events.event_delete(event=first, user=world.member_a, today=TODAY)
    assert _counts(measure, world.team_a)[D(2026, 2, 1)] == 1
    events.event_delete(event=MeasureEvent.objects.get(), user=world.member_a, today=TODAY)
    assert _counts(measure, world.team_a) == {}  # no event, nothing known


def test_it_keeps_zeros_within_the_collaborative(world, measure):
    _record(measure, world.team_a, world.member_a, D(2027, 2, 10), today=D(2027, 9, 1))
    assert list(_counts(measure, world.team_a)) == [D(2027, 2, 1), D(2027, 3, 1)]


# --- validation ---------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "note", "field", "words"), [
    (D(2026, 6, 16), "", "date", "has not happened yet"),
    (D(2024, 12, 31), "", "date", "too long before the collaborative"),
    (D(2026, 3, 3), "two\nlines", "note", "one line"),
    (D(2026, 3, 3), "x" * 201, "note", "200 characters"),
])
def test_it_refuses_a_bad_event_and_saves_nothing(world, measure, day, note, field, words):
    with pytest.raises(ValidationError) as caught:
        events.event_record(measure=measure, team=world.team_a, date=day, note=note,
                            user=world.member_a, today=TODAY)
    assert words in " ".join(caught.value.message_dict[field])
    assert not MeasureEvent.objects.exists()
    assert not MeasureValue.objects.exists()


def test_it_takes_baseline_events_before_the_start(world, measure):
    _record(measure, world.team_a, world.member_a, D(2025, 1, 1))
    assert _counts(measure, world.team_a)[D(2025, 1, 1)] == 1


def test_it_refuses_a_measure_that_does_not_record_events(world):
    monthly = factories.MeasureFactory(collaborative=world.collaborative)
    with pytest.raises(ValidationError, match="enter its monthly value"):
        _record(monthly, world.team_a, world.member_a, D(2026, 3, 3))


def test_it_refuses_another_collaboratives_measure(world):
    foreign = _event_measure(world.other_collaborative)
    with pytest.raises(ValidationError, match="not a measure of this team"):
        _record(foreign, world.team_a, world.member_a, D(2026, 3, 3))


def test_it_saves_nothing_when_deriving_the_counts_fails(world, measure):
    with mock.patch.object(events, "monthly_counts_derive", side_effect=RuntimeError), \
            pytest.raises(RuntimeError):
        _record(measure, world.team_a, world.member_a, D(2026, 3, 3))
    assert not MeasureEvent.objects.exists()


def test_it_refuses_events_for_a_measure_with_a_denominator(world):
    measure = Measure(collaborative=world.collaborative)
    with pytest.raises(ValidationError) as caught:
        measure_save(measure=measure, name="Exclusions", type=Measure.Type.OUTCOME,
                     operational_definition="…", numerator_definition="Exclusions",
                     denominator_definition="Children enrolled", unit=Measure.Unit.RATE,
                     direction=Measure.Direction.DOWN, chart_kind=Measure.ChartKind.U,
                     records_events=True)
    assert "only for a count" in caught.value.message_dict["records_events"][0]


def test_the_measure_form_says_events_need_a_plain_count(world):
    from measures.forms import MeasureForm

    form = MeasureForm({"name": "Exclusions", "type": "outcome", "operational_definition": "…",
                        "numerator_definition": "Exclusions", "denominator_definition": "Children",
                        "unit": "rate", "rate_per": 100, "direction": "down", "chart_kind": "u",
                        "records_events": "on", "order": 0},
                       instance=Measure(collaborative=world.collaborative))
    assert not form.is_valid()
    assert "only for a count" in form.errors["records_events"][0]


# --- days between and the g and t charts --------------------------------------------------

WORKED = [D(2026, 1, 5), D(2026, 1, 19), D(2026, 2, 2), D(2026, 3, 10), D(2026, 3, 10), D(2026, 4, 20)]


def test_it_counts_the_days_between_events_in_date_order():
    assert events.days_between(list(reversed(WORKED))) == [14.0, 14.0, 36.0, 0.0, 41.0]
    assert events.days_between(WORKED[:1]) == []


def _events_on(measure, team, dates):
    return [MeasureEvent(measure=measure, team=team, date=day, pk=index + 1)
            for index, day in enumerate(dates)]


def test_the_g_chart_is_the_control_chart_of_the_days_between(world, measure):
    chart = event_charts.event_chart(measure, _events_on(measure, world.team_a, WORKED))
    expected = control_chart("g", values=[14, 14, 36, 0, 41])
    assert chart.kind == "g"
    assert chart.control == expected
    assert chart.control.center == 14  # the median, as qicharts2 draws it
    assert chart.control.upper[0] == pytest.approx(21 + 3 * (21 * 22) ** 0.5)
    assert [row["days"] for row in chart.rows] == [None, 14, 14, 36, 0, 41]
    assert "6 events" in chart.summary
    assert "14 days" in chart.summary
    assert chart.figure["data"][0]["y"] == [14, 14, 36, 0, 41]


def test_a_t_chart_with_two_events_on_one_day_is_drawn_as_a_g_chart(world):
    measure = _event_measure(world.collaborative, kind=Measure.ChartKind.T)
    chart = event_charts.event_chart(measure, _events_on(measure, world.team_a, WORKED))
    assert chart.kind == "g"
    assert "different days" in chart.fallback


def test_the_t_chart_is_the_control_chart_of_the_days_between(world):
    measure = _event_measure(world.collaborative, kind=Measure.ChartKind.T)
    dates = [day for index, day in enumerate(WORKED) if index != 4]
    chart = event_charts.event_chart(measure, _events_on(measure, world.team_a, dates))
    assert chart.kind == "t"
    assert not chart.fallback
    assert chart.control == control_chart("t", values=[14, 14, 36, 41])


def test_it_marks_a_point_beyond_the_limit(world, measure):
    dates = [D(2025, 1, 1) + datetime.timedelta(days=3 * i) for i in range(12)] + [D(2026, 5, 1)]
    chart = event_charts.event_chart(measure, _events_on(measure, world.team_a, dates))
    assert chart.rows[-1]["signal"] == "above the upper limit"
    assert "signal" in chart.summary


def test_one_event_makes_no_chart(world, measure):
    chart = event_charts.event_chart(measure, _events_on(measure, world.team_a, WORKED[:1]))
    assert not chart.has_chart
    assert "at least two events" in chart.summary


# --- the aggregate layer: counts only, small cells hidden -------------------------------

def test_the_collaborative_figures_hold_counts_only_and_hide_small_ones(world, settings):
    settings.BSC_MIN_TEAMS_IN_AGGREGATE = 3
    measure = _event_measure(world.collaborative, kind=Measure.ChartKind.C)
    team_c = factories.TeamFactory(collaborative=world.collaborative, name="Team C")
    for team in (world.team_a, world.team_b, team_c):
        _record(measure, team, world.advisor, D(2026, 2, 17), D(2026, 2, 23), today=D(2026, 5, 10))
    public = aggregates.compute_figures(measure, full=False)
    by_month = dict(zip(public.collaborative.months, public.collaborative.points, strict=True))
    hidden = {public.collaborative.months[i]: reason for i, reason in public.collaborative.hidden.items()}
    assert hidden[D(2026, 2, 1)] == privacy.SMALL_COUNT  # 6 events: fewer than 10
    assert by_month[D(2026, 2, 1)].value is None
    assert by_month[D(2026, 3, 1)].value == 0  # "none" identifies nobody
    assert public.months == [D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)]
    text = repr(public) + repr(aggregates.compute_figures(measure, full=True))
    assert "2026, 2, 17" not in text
    assert "2026, 2, 23" not in text
    assert "2026-02-17" not in text


# --- pages and access ---------------------------------------------------------------------

def _url(team, measure) -> str:
    return reverse("events:list", kwargs={"pk": team.pk, "measure_pk": measure.pk})


def test_a_member_records_an_event_on_the_page(client, world, measure):
    client.force_login(world.member_a)
    response = client.post(_url(world.team_a, measure), {"date": "2026-03-03", "note": "after lunch"})
    assert response.status_code == 302
    event = MeasureEvent.objects.get()
    assert (event.team, event.date, event.note, event.created_by) == (
        world.team_a, D(2026, 3, 3), "after lunch", world.member_a)
    assert MeasureValue.objects.get(month=D(2026, 3, 1)).numerator == Decimal(1)


def test_it_shows_an_error_summary_and_saves_nothing(client, world, measure):
    client.force_login(world.member_a)
    response = client.post(_url(world.team_a, measure), {"date": "2099-01-01"})
    assert response.status_code == 200
    assert "data-error-summary" in response.content.decode()
    assert 'href="#id_date"' in response.content.decode()
    assert not MeasureEvent.objects.exists()


def test_the_page_offers_today_and_lists_newest_first(client, world, measure):
    MeasureEvent.objects.bulk_create(_events_on(measure, world.team_a, WORKED))
    client.force_login(world.member_a)
    page = client.get(_url(world.team_a, measure)).content.decode()
    assert 'type="date"' in page
    assert "event-chart" in page
    assert page.index("April 20, 2026") < page.index("Jan. 5, 2026")


def test_the_team_data_page_links_to_the_events(client, world, measure):
    client.force_login(world.member_a)
    page = client.get(reverse("measures:team-data", args=[world.team_a.pk])).content.decode()
    assert _url(world.team_a, measure) in page


@pytest.mark.parametrize("who", ["member_b", "state_viewer", "stranger", "other_advisor"])
def test_outsiders_get_404(client, world, measure, who):
    client.force_login(getattr(world, who))
    assert client.get(_url(world.team_a, measure)).status_code == 404


def test_a_leader_reads_but_may_not_write(client, world, measure):
    [event] = _record(measure, world.team_a, world.member_a, D(2026, 3, 3))
    client.force_login(world.advisor)
    page = client.get(_url(world.team_a, measure))
    assert page.status_code == 200
    assert "Record the event" not in page.content.decode()
    assert client.post(_url(world.team_a, measure), {"date": "2026-03-04"}).status_code == 403
    delete = reverse("events:delete", args=[event.pk])
    assert client.post(delete).status_code == 403
    assert MeasureEvent.objects.count() == 1


def test_another_team_may_not_delete_an_event(client, world, measure):
    [event] = _record(measure, world.team_a, world.member_a, D(2026, 3, 3))
    client.force_login(world.member_b)
    assert client.post(reverse("events:delete", args=[event.pk])).status_code == 404
    assert MeasureEvent.objects.count() == 1


def test_a_member_deletes_an_event_after_confirming(client, world, measure):
    [event] = _record(measure, world.team_a, world.member_a, D(2026, 3, 3), today=D(2026, 5, 2))
    client.force_login(world.member_a)
    delete = reverse("events:delete", args=[event.pk])
    assert "Delete the event of March 3, 2026" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not MeasureEvent.objects.exists()
    assert not MeasureValue.objects.exists()


def test_a_measure_that_does_not_record_events_has_no_events_page(client, world):
    monthly = factories.MeasureFactory(collaborative=world.collaborative)
    client.force_login(world.member_a)
    assert client.get(_url(world.team_a, monthly)).status_code == 404


@pytest.mark.parametrize("size", [3, 40])
def test_the_events_page_makes_the_same_queries_at_any_size(client, world, measure, size,
                                                            django_assert_num_queries):
    dates = [D(2025, 1, 1) + datetime.timedelta(days=7 * i) for i in range(size)]
    MeasureEvent.objects.bulk_create(_events_on(measure, world.team_a, dates))
    client.force_login(world.member_a)
    # The session, the user and their grants, the team, the measure and its events: none per event.
    with django_assert_num_queries(8):
        assert client.get(_url(world.team_a, measure)).status_code == 200


# --- demo ---------------------------------------------------------------------------------

def test_the_demo_seeds_sparse_events_and_their_counts_idempotently(world):
    teams = [world.team_a, world.team_b]
    measure = seed_events(world.collaborative, teams, today=TODAY)
    first = sorted(MeasureEvent.objects.values_list("team_id", "date"))
    assert measure.records_events
    assert measure.chart_kind == Measure.ChartKind.G
    assert first
    for team in teams:
        counts = _counts(measure, team)
        assert sum(counts.values()) == MeasureEvent.objects.filter(team=team).count()
        assert max(counts.values()) <= 2
    seed_events(world.collaborative, teams, today=TODAY)
    assert sorted(MeasureEvent.objects.values_list("team_id", "date")) == first
    assert Measure.objects.filter(name=measure.name).count() == 1


# --- the API's chart data ---------------------------------------------------------------------

def test_the_teams_chart_data_gives_the_days_between_events_to_the_team(client, world, measure):
    _record(measure, world.team_a, world.member_a, *WORKED)
    client.force_login(world.member_a)
    url = reverse("api:measure-chart-data", args=[measure.pk])
    data = client.get(url, {"team": world.team_a.pk}).json()["events"]
    assert data["kind"] == "g"
    assert data["center"] == 14
    assert [row["days_since_previous"] for row in data["rows"]] == [None, 14, 14, 36, 0, 41]
    assert data["rows"][0]["date"] == WORKED[0].isoformat()
    assert "6 events" in data["summary"]


def test_event_dates_never_leave_the_team_through_the_api(client, world, measure):
    _record(measure, world.team_a, world.member_a, *WORKED)
    url = reverse("api:measure-chart-data", args=[measure.pk])
    client.force_login(world.member_b)
    assert client.get(url, {"team": world.team_a.pk}).status_code == 404
    pooled = client.get(url).content.decode()
    assert "events" not in client.get(url).json()
    assert not any(day.isoformat() in pooled for day in WORKED)
