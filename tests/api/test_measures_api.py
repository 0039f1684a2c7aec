"""/api/v1/measures/ and /api/v1/measure-values/: a team's raw values are its own (members
write them, advisors read them); everyone who reads the collaborative reads its measures and
the aggregate chart, state viewers with small cells suppressed.

Paths are written out: they are the API's public contract."""

from __future__ import annotations

import datetime
import json

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.models import Measure, MeasureValue, Stratum
from measures.months import add_months
from tests import factories

pytestmark = pytest.mark.django_db

MEASURES = "/api/v1/measures/"
VALUES = "/api/v1/measure-values/"
BULK = "/api/v1/measure-values/bulk/"
D = datetime.date
MARCH = D(2026, 3, 1)
FUTURE = "2099-01"
VALUE_KEYS = {"id", "team", "measure", "month", "numerator", "denominator", "value", "stratum",
              "note"}
ANALYSIS_KEYS = {"median", "n_obs", "n_useful", "longest_run", "longest_run_max", "crossings",
                 "crossings_min", "runs_signal", "shifts", "trends"}
NEW_MEASURE = {
    "name": "Family engagement", "type": "process",
    "operational_definition": "Families attending at least one event this month.",
    "numerator_definition": "Families attending", "denominator_definition": "Families enrolled",
    "unit": "percent", "direction": "up", "chart_kind": "p", "goal": 60,
}


def get(client, user, path: str):
    client.force_login(user)
    return client.get(path)


def post(client, user, path: str, data: dict):
    client.force_login(user)
    return client.post(path, data, content_type="application/json")


def patch(client, user, path: str, data: dict):
    client.force_login(user)
    return client.patch(path, data, content_type="application/json")


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["results"]}


def does_not_exist(pk: int) -> list[str]:
    """What DRF says of an id that matches nothing."""
    return [f'Invalid pk "{pk}" - object does not exist.']


def value_url(value: MeasureValue) -> str:
    return f"{VALUES}{value.pk}/"


def chart_url(measure: Measure, team=None) -> str:
    return f"{MEASURES}{measure.pk}/chart-data/" + (f"?team={team.pk}" if team else "")


@pytest.fixture
def percent(world) -> Measure:
    return factories.MeasureFactory(collaborative=world.collaborative, name="Fidelity", goal=80)


@pytest.fixture
def count(world) -> Measure:
    return factories.MeasureFactory(collaborative=world.collaborative, name="Incidents",
                                    unit="count", denominator_definition="", chart_kind="run",
                                    direction="down")


@pytest.fixture
def stratified(world) -> Measure:
    measure = factories.MeasureFactory(collaborative=world.collaborative, name="Attendance",
                                       stratification="Home language")
    for order, label in enumerate(["English", "Spanish", "Other"]):
        factories.StratumFactory(measure=measure, label=label, order=order,
                                 is_reference=order == 0)
    return measure


def strata(measure: Measure) -> dict[str, Stratum]:
    return {stratum.label: stratum for stratum in measure.strata.all()}


@pytest.fixture
def values(world, percent) -> dict[str, MeasureValue]:
    return {
        "a": factories.MeasureValueFactory(team=world.team_a, measure=percent, month=MARCH,
                                           numerator=3, denominator=6, note="Two absent"),
        "b": factories.MeasureValueFactory(team=world.team_b, measure=percent, month=MARCH,
                                           numerator=4, denominator=5),
    }


# --- A value's shape -----------------------------------------------------------------------

def test_it_gives_a_value_exactly_its_id_team_measure_month_numbers_value_stratum_and_note(
        client, world, values):
    body = get(client, world.member_a, value_url(values["a"])).json()
    assert set(body) == VALUE_KEYS


def test_it_gives_a_value_its_team_id_measure_id_and_month(client, world, percent, values):
    body = get(client, world.member_a, value_url(values["a"])).json()
    assert (body["team"], body["measure"], body["month"]) == (world.team_a.pk, percent.pk,
                                                              "2026-03")


def test_it_gives_the_numbers_and_the_plotted_value_as_numbers(client, world, values):
    body = get(client, world.member_a, value_url(values["a"])).json()
    assert (body["numerator"], body["denominator"], body["value"]) == (3, 6, 50.0)


def test_it_gives_an_unstratified_value_a_null_stratum(client, world, values):
    assert get(client, world.member_a, value_url(values["a"])).json()["stratum"] is None


def test_it_gives_a_stratified_value_its_stratum_id(client, world, stratified):
    spanish = strata(stratified)["Spanish"]
    value = factories.MeasureValueFactory(team=world.team_a, measure=stratified, stratum=spanish)
    assert get(client, world.member_a, value_url(value)).json()["stratum"] == spanish.pk


def test_it_gives_a_count_a_null_denominator_and_the_count_as_value(client, world, count):
    value = factories.MeasureValueFactory(team=world.team_a, measure=count, numerator=4,
                                          denominator=None)
    body = get(client, world.member_a, value_url(value)).json()
    assert (body["denominator"], body["value"]) == (None, 4.0)


# --- Who reads which values ----------------------------------------------------------------

def test_it_shows_a_member_only_their_own_teams_values(client, world, values):
    assert ids(get(client, world.member_a, VALUES)) == {values["a"].pk}


def test_it_shows_an_advisor_every_teams_values_in_their_collaborative(client, world, values):
    assert ids(get(client, world.advisor, VALUES)) == {values["a"].pk, values["b"].pk}


def test_it_shows_a_coach_every_teams_values_in_their_collaborative(client, world, values):
    assert ids(get(client, world.coach, VALUES)) == {values["a"].pk, values["b"].pk}


def test_it_shows_a_state_viewer_no_raw_values(client, world, values):
    assert ids(get(client, world.state_viewer, VALUES)) == set()


def test_it_shows_the_advisor_of_another_collaborative_no_values(client, world, values):
    assert ids(get(client, world.other_advisor, VALUES)) == set()


def test_it_answers_another_teams_value_as_if_it_did_not_exist(client, world, values):
    assert get(client, world.member_b, value_url(values["a"])).status_code == 404


# --- Filters -------------------------------------------------------------------------------

@pytest.fixture
def months_of_values(world, percent, count) -> None:
    for month in (D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)):
        factories.MeasureValueFactory(team=world.team_a, measure=percent, month=month)
        factories.MeasureValueFactory(team=world.team_b, measure=percent, month=month)
        factories.MeasureValueFactory(team=world.team_a, measure=count, month=month,
                                      denominator=None)


def months(response) -> set[str]:
    return {item["month"] for item in response.json()["results"]}


def test_it_filters_values_by_team(client, world, months_of_values):
    response = get(client, world.advisor, f"{VALUES}?team={world.team_b.pk}")
    assert {item["team"] for item in response.json()["results"]} == {world.team_b.pk}


def test_it_filters_values_by_measure(client, world, count, months_of_values):
    response = get(client, world.advisor, f"{VALUES}?measure={count.pk}")
    assert {item["measure"] for item in response.json()["results"]} == {count.pk}


def test_it_filters_values_by_month(client, world, months_of_values):
    assert months(get(client, world.advisor, f"{VALUES}?month=2026-02")) == {"2026-02"}


def test_it_filters_values_by_a_range_of_months_both_ends_included(client, world,
                                                                    months_of_values):
    response = get(client, world.advisor, f"{VALUES}?month_from=2026-02&month_to=2026-03")
    assert months(response) == {"2026-02", "2026-03"}


def test_it_filters_values_by_stratum(client, world, stratified):
    english, spanish = strata(stratified)["English"], strata(stratified)["Spanish"]
    factories.MeasureValueFactory(team=world.team_a, measure=stratified, stratum=english)
    factories.MeasureValueFactory(team=world.team_a, measure=stratified, stratum=spanish)
    response = get(client, world.member_a, f"{VALUES}?stratum={spanish.pk}")
    assert {item["stratum"] for item in response.json()["results"]} == {spanish.pk}


def test_it_never_widens_the_scope_with_a_filter(client, world, values):
    response = get(client, world.member_a, f"{VALUES}?team={world.team_b.pk}")
    assert ids(response) == set()


@pytest.mark.parametrize("name", ["month", "month_from", "month_to"])
def test_it_refuses_a_month_filter_that_is_not_a_month_naming_it(client, world, name):
    response = get(client, world.advisor, f"{VALUES}?{name}=March")
    assert (response.status_code, list(response.json())) == (400, [name])


@pytest.mark.parametrize("name", ["team", "measure", "stratum"])
def test_it_refuses_an_id_filter_that_is_not_an_id_naming_it(client, world, name):
    response = get(client, world.advisor, f"{VALUES}?{name}=a")
    assert (response.status_code, list(response.json())) == (400, [name])


# --- Entering one value --------------------------------------------------------------------

def new_value(world, measure, **changes) -> dict:
    return {"team": world.team_a.pk, "measure": measure.pk, "month": "2026-10",
            "numerator": 4, "denominator": 8, **changes}


def test_it_lets_a_member_enter_a_value_for_their_team(client, world, percent):
    response = post(client, world.member_a, VALUES, new_value(world, percent))
    assert response.status_code == 201
    saved = MeasureValue.objects.get(pk=response.json()["id"])
    assert (saved.team, saved.month, saved.entered_by) == (world.team_a, D(2026, 10, 1),
                                                           world.member_a)


def test_it_answers_a_new_value_with_its_json(client, world, percent):
    body = post(client, world.member_a, VALUES, new_value(world, percent, note=" Snow ")).json()
    assert {k: v for k, v in body.items() if k != "id"} == {
        "team": world.team_a.pk, "measure": percent.pk, "month": "2026-10", "numerator": 4,
        "denominator": 8, "value": 50.0, "stratum": None, "note": "Snow"}


def test_it_refuses_a_numerator_above_the_denominator_naming_the_numerator(client, world,
                                                                           percent):
    response = post(client, world.member_a, VALUES, new_value(world, percent, numerator=9))
    assert response.status_code == 400
    assert response.json() == {"numerator": [
        "The numerator (9) cannot be more than the denominator (8) for a percentage."]}


def test_it_saves_nothing_when_a_value_is_refused(client, world, percent):
    post(client, world.member_a, VALUES, new_value(world, percent, numerator=9))
    assert not MeasureValue.objects.exists()


def test_it_refuses_a_future_month_naming_the_month(client, world, percent):
    response = post(client, world.member_a, VALUES, new_value(world, percent, month=FUTURE))
    assert response.status_code == 400
    assert list(response.json()) == ["month"]


def test_it_refuses_a_month_that_is_not_a_month(client, world, percent):
    response = post(client, world.member_a, VALUES, new_value(world, percent, month="2026-13"))
    assert list(response.json()) == ["month"]


def test_it_refuses_a_denominator_for_a_count_naming_the_denominator(client, world, count):
    response = post(client, world.member_a, VALUES, new_value(world, count, denominator=3))
    assert list(response.json()) == ["denominator"]


def test_it_asks_for_the_denominator_of_a_percentage(client, world, percent):
    response = post(client, world.member_a, VALUES, new_value(world, percent, denominator=None))
    assert response.json()["denominator"] == ["Enter the denominator (Classrooms observed)."]


def test_it_refuses_a_second_value_for_the_same_month_naming_the_month(client, world, percent,
                                                                       values):
    response = post(client, world.member_a, VALUES, new_value(world, percent, month="2026-03"))
    assert (response.status_code, list(response.json())) == (400, ["month"])
    values["a"].refresh_from_db()
    assert values["a"].numerator == 3


def test_it_asks_for_the_group_of_a_stratified_measure(client, world, stratified):
    response = post(client, world.member_a, VALUES, new_value(world, stratified))
    assert list(response.json()) == ["stratum"]


def test_it_enters_a_value_for_one_group(client, world, stratified):
    spanish = strata(stratified)["Spanish"]
    response = post(client, world.member_a, VALUES,
                    new_value(world, stratified, stratum=spanish.pk))
    assert response.status_code == 201
    assert MeasureValue.objects.get().stratum == spanish


def test_it_answers_a_group_of_another_measure_as_if_it_did_not_exist(client, world, percent,
                                                                      stratified):
    spanish = strata(stratified)["Spanish"]
    response = post(client, world.member_a, VALUES, new_value(world, percent, stratum=spanish.pk))
    assert response.status_code == 400
    assert "stratum" in response.json()


def test_it_answers_a_measure_of_another_collaborative_as_if_it_did_not_exist(client, world):
    foreign = factories.MeasureFactory(collaborative=world.other_collaborative)
    response = post(client, world.member_a, VALUES, new_value(world, foreign))
    assert response.json() == {"measure": does_not_exist(foreign.pk)}


def test_it_refuses_an_advisor_entering_a_teams_value_and_saves_nothing(client, world,
                                                                        percent):
    response = post(client, world.advisor, VALUES, new_value(world, percent))
    assert response.status_code == 403
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize("persona", ["state_viewer", "stranger", "other_advisor"])
def test_it_refuses_a_value_from_someone_on_no_team_before_reading_it(client, world, persona):
    response = post(client, getattr(world, persona), VALUES, {"team": "nonsense"})
    assert response.status_code == 403


def test_it_answers_a_member_naming_another_team_as_if_it_did_not_exist(client, world,
                                                                        percent):
    response = post(client, world.member_b, VALUES, new_value(world, percent))
    assert response.status_code == 400
    assert response.json() == {"team": does_not_exist(world.team_a.pk)}
    assert not MeasureValue.objects.exists()


# --- Changing and removing one value -------------------------------------------------------

def test_it_lets_a_member_change_a_value(client, world, values):
    response = patch(client, world.member_a, value_url(values["a"]), {"numerator": 5})
    assert (response.status_code, response.json()["value"]) == (200, 5 / 6 * 100)
    values["a"].refresh_from_db()
    assert (values["a"].numerator, values["a"].note) == (5, "Two absent")


def test_it_replaces_a_value_with_put(client, world, values):
    client.force_login(world.member_a)
    response = client.put(value_url(values["a"]), {"numerator": 2, "denominator": 4},
                          content_type="application/json")
    assert response.status_code == 200
    values["a"].refresh_from_db()
    assert (values["a"].numerator, values["a"].denominator, values["a"].note) == (2, 4, "")


def test_it_refuses_a_changed_value_it_would_refuse_new_naming_the_field(client, world, values):
    response = patch(client, world.member_a, value_url(values["a"]), {"numerator": 7})
    assert (response.status_code, list(response.json())) == (400, ["numerator"])
    values["a"].refresh_from_db()
    assert values["a"].numerator == 3


def test_it_keeps_which_value_it_is_when_a_change_names_another_month(client, world, values):
    patch(client, world.member_a, value_url(values["a"]), {"month": "2026-04", "numerator": 1})
    values["a"].refresh_from_db()
    assert (values["a"].month, values["a"].numerator) == (MARCH, 1)


def test_it_refuses_an_advisor_changing_a_value(client, world, values):
    response = patch(client, world.advisor, value_url(values["a"]), {"numerator": 1})
    assert response.status_code == 403
    values["a"].refresh_from_db()
    assert values["a"].numerator == 3


def test_it_hides_a_value_from_a_member_of_another_team(client, world, values):
    response = patch(client, world.member_b, value_url(values["a"]), {"numerator": 1})
    assert response.status_code == 404


def test_it_lets_a_member_remove_a_value(client, world, values):
    client.force_login(world.member_a)
    assert client.delete(value_url(values["a"])).status_code == 204
    assert not MeasureValue.objects.filter(pk=values["a"].pk).exists()


def test_it_refuses_an_advisor_removing_a_value(client, world, values):
    client.force_login(world.advisor)
    assert client.delete(value_url(values["a"])).status_code == 403
    assert MeasureValue.objects.filter(pk=values["a"].pk).exists()


# --- A month at once -----------------------------------------------------------------------

def month_of(world, *rows: dict, month: str = "2026-10") -> dict:
    return {"team": world.team_a.pk, "month": month, "values": list(rows)}


def test_it_saves_a_month_of_values_at_once(client, world, percent, count):
    response = post(client, world.member_a, BULK, month_of(
        world, {"measure": percent.pk, "numerator": 3, "denominator": 4},
        {"measure": count.pk, "numerator": 2, "note": "Two falls"}))
    assert response.status_code == 200
    assert MeasureValue.objects.filter(team=world.team_a, month=D(2026, 10, 1)).count() == 2


def test_it_answers_a_month_with_its_values(client, world, percent, count):
    body = post(client, world.member_a, BULK, month_of(
        world, {"measure": percent.pk, "numerator": 3, "denominator": 4})).json()
    assert (body["team"], body["month"], body["written"]) == (world.team_a.pk, "2026-10", 1)
    assert [(v["measure"], v["value"]) for v in body["values"]] == [(percent.pk, 75.0)]


def test_it_changes_the_months_existing_values(client, world, percent, values):
    post(client, world.member_a, BULK, month_of(
        world, {"measure": percent.pk, "numerator": 1, "denominator": 6}, month="2026-03"))
    values["a"].refresh_from_db()
    assert values["a"].numerator == 1


def test_it_removes_a_value_given_with_both_numbers_null(client, world, percent, values):
    post(client, world.member_a, BULK, month_of(
        world, {"measure": percent.pk, "numerator": None, "denominator": None}, month="2026-03"))
    assert not MeasureValue.objects.filter(pk=values["a"].pk).exists()


def test_it_saves_nothing_of_a_month_with_one_bad_row(client, world, percent, count):
    response = post(client, world.member_a, BULK, month_of(
        world, {"measure": count.pk, "numerator": 2},
        {"measure": percent.pk, "numerator": 5, "denominator": 4}))
    assert response.status_code == 400
    assert not MeasureValue.objects.exists()


def test_it_reports_a_bad_row_at_its_index(client, world, percent, count):
    response = post(client, world.member_a, BULK, month_of(
        world, {"measure": count.pk, "numerator": 2},
        {"measure": percent.pk, "numerator": 5, "denominator": 4}))
    assert response.json() == {"values": [{}, {"numerator": [
        "The numerator (5) cannot be more than the denominator (4) for a percentage."]}]}


def test_it_reports_an_unknown_measure_at_its_index(client, world, percent):
    foreign = factories.MeasureFactory(collaborative=world.other_collaborative)
    response = post(client, world.member_a, BULK, month_of(
        world, {"measure": percent.pk, "numerator": 1, "denominator": 2},
        {"measure": foreign.pk, "numerator": 1, "denominator": 2}))
    assert response.json() == {"values": [{}, {"measure": does_not_exist(foreign.pk)}]}


def test_it_reports_a_row_given_twice(client, world, percent):
    row = {"measure": percent.pk, "numerator": 1, "denominator": 2}
    response = post(client, world.member_a, BULK, month_of(world, row, row))
    assert response.status_code == 400
    assert list(response.json()["values"][1]) == ["measure"]
    assert not MeasureValue.objects.exists()


def test_it_reports_a_row_that_is_not_a_row_at_its_index(client, world, percent):
    response = post(client, world.member_a, BULK, month_of(
        world, {"measure": percent.pk, "numerator": 1, "denominator": 2},
        {"measure": percent.pk, "numerator": "many"}))
    assert response.json()["values"][0] == {}
    assert list(response.json()["values"][1]) == ["numerator"]


def test_it_refuses_a_future_month_at_once_naming_the_month(client, world, percent):
    response = post(client, world.member_a, BULK, month_of(
        world, {"measure": percent.pk, "numerator": 1, "denominator": 2}, month=FUTURE))
    assert (response.status_code, list(response.json())) == (400, ["month"])


def test_it_saves_each_group_of_a_stratified_measure(client, world, stratified):
    groups = strata(stratified)
    response = post(client, world.member_a, BULK, month_of(world, *[
        {"measure": stratified.pk, "stratum": groups[label].pk, "numerator": 1, "denominator": 2}
        for label in groups]))
    assert {v["stratum"] for v in response.json()["values"]} == {g.pk for g in groups.values()}


def test_it_refuses_an_advisor_entering_a_month_and_saves_nothing(client, world, percent):
    response = post(client, world.advisor, BULK, month_of(
        world, {"measure": percent.pk, "numerator": 1, "denominator": 2}))
    assert response.status_code == 403
    assert not MeasureValue.objects.exists()


def test_it_answers_a_member_entering_another_teams_month_as_if_it_did_not_exist(
        client, world, percent):
    response = post(client, world.member_b, BULK, month_of(
        world, {"measure": percent.pk, "numerator": 1, "denominator": 2}))
    assert response.json() == {"team": does_not_exist(world.team_a.pk)}


# --- Measures ------------------------------------------------------------------------------

def test_it_gives_a_measure_its_definition_and_groups(client, world, stratified):
    body = get(client, world.member_a, f"{MEASURES}{stratified.pk}/").json()
    assert {"id", "collaborative", "name", "type", "operational_definition",
            "numerator_definition", "denominator_definition", "unit", "rate_per", "direction",
            "goal", "chart_kind", "baseline_length", "stratification", "strata"} <= set(body)
    assert [(s["label"], s["is_reference"]) for s in body["strata"]] == [
        ("English", True), ("Spanish", False), ("Other", False)]


def test_it_gives_a_measures_goal_as_a_number(client, world, percent):
    assert get(client, world.member_a, f"{MEASURES}{percent.pk}/").json()["goal"] == 80


@pytest.mark.parametrize("persona", ["member_a", "member_b", "advisor", "coach", "state_viewer"])
def test_it_shows_the_collaboratives_measures_to_everyone_who_reads_it(client, world, percent,
                                                                       persona):
    assert ids(get(client, getattr(world, persona), MEASURES)) == {percent.pk}


@pytest.mark.parametrize("persona", ["other_advisor", "other_state_viewer", "stranger"])
def test_it_hides_the_measures_of_a_collaborative_from_outsiders(client, world, percent,
                                                                 persona):
    assert ids(get(client, getattr(world, persona), MEASURES)) == set()


def test_it_filters_measures_by_collaborative(client, world, percent):
    response = get(client, world.advisor, f"{MEASURES}?collaborative={world.other_collaborative.pk}")
    assert ids(response) == set()


def test_it_lets_an_advisor_set_up_a_stratified_measure(client, world):
    response = post(client, world.advisor, MEASURES, {
        **NEW_MEASURE, "collaborative": world.collaborative.pk, "stratification": "Home language",
        "strata": ["English", "Spanish"], "reference": "English"})
    assert response.status_code == 201
    measure = Measure.objects.get(pk=response.json()["id"])
    assert [(s.label, s.is_reference) for s in measure.strata.all()] == [
        ("English", True), ("Spanish", False)]


def test_it_answers_a_new_measure_with_its_json(client, world):
    body = post(client, world.advisor, MEASURES,
                {**NEW_MEASURE, "collaborative": world.collaborative.pk}).json()
    assert (body["name"], body["collaborative"], body["goal"], body["strata"]) == (
        "Family engagement", world.collaborative.pk, 60, [])


@pytest.mark.parametrize("persona", ["member_a", "state_viewer", "stranger"])
def test_it_refuses_a_measure_from_someone_who_leads_nothing(client, world, persona):
    response = post(client, getattr(world, persona), MEASURES,
                    {**NEW_MEASURE, "collaborative": world.collaborative.pk})
    assert response.status_code == 403
    assert not Measure.objects.exists()


def test_it_answers_an_outside_advisor_naming_a_collaborative_as_if_it_did_not_exist(client,
                                                                                    world):
    response = post(client, world.other_advisor, MEASURES,
                    {**NEW_MEASURE, "collaborative": world.collaborative.pk})
    assert response.json() == {"collaborative": does_not_exist(world.collaborative.pk)}


def test_it_names_the_name_field_for_a_taken_measure_name(client, world, percent):
    response = post(client, world.advisor, MEASURES, {
        **NEW_MEASURE, "collaborative": world.collaborative.pk, "name": "Fidelity"})
    assert response.status_code == 400
    assert list(response.json()) == ["name"]


def test_it_names_the_chart_kind_for_a_p_chart_that_is_no_percentage(client, world):
    response = post(client, world.advisor, MEASURES, {
        **NEW_MEASURE, "collaborative": world.collaborative.pk, "unit": "mean"})
    assert list(response.json()) == ["chart_kind"]


def test_it_refuses_a_baseline_of_zero_months_naming_the_field(client, world):
    response = post(client, world.advisor, MEASURES, {
        **NEW_MEASURE, "collaborative": world.collaborative.pk, "baseline_length": 0})
    assert response.status_code == 400
    assert response.json() == {
        "baseline_length": ["Give at least 1 month, or leave it empty to use all months."]}
    assert not Measure.objects.exists()


def test_it_refuses_a_change_to_a_baseline_of_zero_months_naming_the_field(client, world,
                                                                           percent):
    response = patch(client, world.advisor, f"{MEASURES}{percent.pk}/", {"baseline_length": 0})
    assert (response.status_code, list(response.json())) == (400, ["baseline_length"])
    percent.refresh_from_db()
    assert percent.baseline_length is None


def test_it_takes_a_null_baseline_as_all_months(client, world, percent):
    response = patch(client, world.advisor, f"{MEASURES}{percent.pk}/", {"baseline_length": None})
    assert (response.status_code, response.json()["baseline_length"]) == (200, None)


def test_it_asks_a_stratified_measure_for_two_groups(client, world):
    response = post(client, world.advisor, MEASURES, {
        **NEW_MEASURE, "collaborative": world.collaborative.pk, "stratification": "Language",
        "strata": ["English"]})
    assert list(response.json()) == ["strata"]
    assert not Measure.objects.exists()


def test_it_lets_an_advisor_change_a_measure_keeping_its_groups(client, world, stratified):
    response = patch(client, world.advisor, f"{MEASURES}{stratified.pk}/", {"goal": 90})
    assert response.status_code == 200
    stratified.refresh_from_db()
    assert stratified.goal == 90
    assert [(s["label"], s["is_reference"]) for s in response.json()["strata"]] == [
        ("English", True), ("Spanish", False), ("Other", False)]


def test_it_keeps_the_groups_that_have_data(client, world, stratified):
    factories.MeasureValueFactory(team=world.team_a, measure=stratified,
                                  stratum=strata(stratified)["Other"])
    response = patch(client, world.advisor, f"{MEASURES}{stratified.pk}/",
                     {"strata": ["English", "Spanish"]})
    assert (response.status_code, list(response.json())) == (400, ["strata"])


def test_it_refuses_a_member_changing_a_measure(client, world, percent):
    response = patch(client, world.member_a, f"{MEASURES}{percent.pk}/", {"goal": 10})
    assert response.status_code == 403
    percent.refresh_from_db()
    assert percent.goal == 80


def test_it_hides_a_measure_from_the_advisor_of_another_collaborative(client, world, percent):
    response = patch(client, world.other_advisor, f"{MEASURES}{percent.pk}/", {"goal": 10})
    assert response.status_code == 404


# --- Chart data: one team ------------------------------------------------------------------

NOVEMBER_2025 = D(2025, 11, 1)


def fill(team, measure, numerators: list[int | None], *, denominator: int | None = 10,
         first: D = NOVEMBER_2025, stratum=None, note: str = "") -> None:
    for index, numerator in enumerate(numerators):
        if numerator is not None:
            factories.MeasureValueFactory(team=team, measure=measure, stratum=stratum,
                                          month=add_months(first, index), numerator=numerator,
                                          denominator=denominator, note=note)


# Twelve months: six low, six high: a shift (and a p chart's points beyond its limits).
RISING = [2, 3, 2, 3, 2, 3, 8, 9, 8, 9, 8, 9]


@pytest.fixture
def run_measure(world) -> Measure:
    return factories.MeasureFactory(collaborative=world.collaborative, name="Screened",
                                    chart_kind="run", goal=75)


def test_it_gives_a_teams_chart_data(client, world, run_measure):
    fill(world.team_a, run_measure, RISING)
    body = get(client, world.member_a, chart_url(run_measure, world.team_a)).json()
    assert body["team"] == world.team_a.pk
    assert body["measure"] == {"id": run_measure.pk, "name": "Screened", "unit": "percent",
                               "direction": "up", "goal": 75.0, "chart_kind": "run"}
    assert (body["months"][0], body["months"][-1]) == ("2025-11", "2026-10")
    assert body["series"][0]["values"] == [n * 10.0 for n in RISING]
    assert body["series"][0]["numerators"] == [float(n) for n in RISING]
    assert body["series"][0]["denominators"] == [10.0] * 12


def test_it_gives_a_run_charts_median_analysis_and_signals(client, world, run_measure):
    fill(world.team_a, run_measure, RISING)
    body = get(client, world.member_a, chart_url(run_measure, world.team_a)).json()
    assert set(body["analysis"]) == ANALYSIS_KEYS
    assert body["center"] == body["analysis"]["median"] == 55.0
    assert body["analysis"]["shifts"] == [[0, 5], [6, 11]]
    assert body["signals"] == list(range(12))
    assert (body["upper"], body["lower"]) == ([], [])
    assert "shift" in body["summary"]


def test_it_gives_a_p_charts_centre_and_limits_in_percent(client, world, percent):
    fill(world.team_a, percent, RISING)
    body = get(client, world.member_a, chart_url(percent, world.team_a)).json()
    assert body["center"] == pytest.approx(55.0)
    assert len(body["upper"]) == len(body["lower"]) == 12
    assert all(lo < body["center"] < up for lo, up in zip(body["lower"], body["upper"],
                                                          strict=True))


def test_it_gives_a_team_its_notes_on_its_chart(client, world, run_measure):
    fill(world.team_a, run_measure, [3], note="New screener")
    body = get(client, world.member_a, chart_url(run_measure, world.team_a)).json()
    assert body["series"][0]["notes"] == ["New screener"]


def test_it_gives_an_advisor_a_teams_chart_data(client, world, run_measure):
    assert get(client, world.advisor, chart_url(run_measure, world.team_a)).status_code == 200


@pytest.mark.parametrize("persona", ["member_b", "state_viewer"])
def test_it_answers_a_teams_chart_data_as_if_the_team_did_not_exist(client, world, run_measure,
                                                                     persona):
    # ?team= names the chart asked for, like a path: a team the caller may not read is 404,
    # as /teams/<id>/ is.
    fill(world.team_a, run_measure, RISING)
    response = get(client, getattr(world, persona), chart_url(run_measure, world.team_a))
    assert response.status_code == 404


def test_it_answers_a_team_of_another_collaborative_as_if_it_did_not_exist(client, world,
                                                                          run_measure):
    assert get(client, world.other_advisor,
               chart_url(run_measure, world.other_team)).status_code == 404


def test_it_hides_a_measures_chart_from_outsiders(client, world, run_measure):
    assert get(client, world.other_state_viewer, chart_url(run_measure)).status_code == 404


def test_it_says_so_when_there_is_no_data_yet(client, world, run_measure):
    body = get(client, world.member_a, chart_url(run_measure, world.team_a)).json()
    assert (body["months"], body["series"][0]["values"], body["signals"]) == ([], [], [])
    assert body["summary"] == "Screened: no data yet."


def test_it_gives_a_team_its_own_groups_unsuppressed(client, world, stratified):
    groups = strata(stratified)
    fill(world.team_a, stratified, [3], stratum=groups["Spanish"])
    fill(world.team_a, stratified, [8], stratum=groups["English"])
    body = get(client, world.member_a, chart_url(stratified, world.team_a)).json()
    by_label = {line["label"]: line for line in body["strata"]}
    assert by_label["Spanish"]["values"] == [30.0]
    assert by_label["Spanish"]["numerators"] == [3.0]


# --- Chart data: the collaborative ---------------------------------------------------------

@pytest.mark.parametrize("persona", ["member_a", "member_b", "advisor", "coach", "state_viewer"])
def test_it_gives_everyone_who_reads_the_collaborative_its_aggregate(client, world, percent,
                                                                    persona):
    assert get(client, getattr(world, persona), chart_url(percent)).status_code == 200


def test_it_pools_the_teams_of_a_p_chart(client, world, percent):
    fill(world.team_a, percent, [2, 4])
    fill(world.team_b, percent, [6, 8])
    body = get(client, world.advisor, chart_url(percent)).json()
    assert (body["team"], body["team_count"]) == (None, 2)
    assert body["series"][0]["values"] == [40.0, 60.0]
    assert body["series"][0]["numerators"] == [8.0, 12.0]


def test_it_adds_up_the_teams_counts_for_a_count_measure(client, world, count):
    fill(world.team_a, count, [2], denominator=None)
    fill(world.team_b, count, [6], denominator=None)
    factories.MeasureValueFactory(team=factories.TeamFactory(collaborative=world.collaborative),
                                  measure=count, month=D(2025, 11, 1), numerator=30,
                                  denominator=None)
    body = get(client, world.advisor, chart_url(count)).json()
    assert (body["aggregate"], body["series"][0]["values"]) == ("total", [38.0])


def test_it_takes_each_months_median_of_the_teams_for_a_mean(client, world):
    mean = factories.MeasureFactory(collaborative=world.collaborative, name="Contacts", unit="mean",
                                    chart_kind="run", denominator_definition="weeks")
    third = factories.TeamFactory(collaborative=world.collaborative)
    for team, numerator in ((world.team_a, 20), (world.team_b, 60), (third, 30)):
        fill(team, mean, [numerator], denominator=10)
    body = get(client, world.advisor, chart_url(mean)).json()
    assert (body["aggregate"], body["series"][0]["values"]) == ("median", [3.0])
    assert "numerators" not in body["series"][0]  # a median has no counts of its own


def test_it_puts_no_team_and_no_note_in_the_aggregate(client, world, percent):
    fill(world.team_a, percent, RISING, note="Ms Lopez was out sick")
    fill(world.team_b, percent, RISING, note="Fire drill")
    text = get(client, world.member_a, chart_url(percent)).content.decode()
    assert "Ms Lopez" not in text
    assert "Fire drill" not in text
    body = json.loads(text)
    assert body["team"] is None
    assert "notes" not in body["series"][0]


def test_it_gives_a_state_viewer_no_counts_in_the_aggregate(client, world, percent):
    fill(world.team_a, percent, RISING)
    body = get(client, world.state_viewer, chart_url(percent)).json()
    assert set(body["series"][0]) == {"label", "chart_kind", "values", "suppressed", "hidden_reasons"}


def test_it_suppresses_a_pooled_month_with_fewer_than_10(client, world, percent):
    # A pooled month of 1 to 9 goes out blank to whoever does not lead the collaborative.
    for team in (world.team_a, world.team_b, factories.TeamFactory(collaborative=world.collaborative)):
        fill(team, percent, [1, 4, 0], denominator=20)
    body = get(client, world.state_viewer, chart_url(percent)).json()
    assert body["series"][0]["values"] == [None, 20.0, 0.0]
    assert body["series"][0]["suppressed"] == [True, False, False]
    assert body["series"][0]["hidden_reasons"] == ["small_count", None, None]
    # p-chart limits are drawn from each month's denominator: never for non-leaders.
    assert (body["upper"], body["lower"]) == ([], [])


def test_it_shows_the_leaders_every_pooled_month(client, world, percent):
    fill(world.team_a, percent, [3, 12], denominator=20)
    body = get(client, world.advisor, chart_url(percent)).json()
    assert body["series"][0]["values"] == [15.0, 60.0]
    assert body["series"][0]["suppressed"] == [False, False]


@pytest.fixture
def small_cells(world, stratified) -> None:
    """One month over three teams: English 30 of 60, Spanish 3 of 15, Other 12 of 30."""
    groups = strata(stratified)
    third = factories.TeamFactory(collaborative=world.collaborative)
    for team, english, spanish, other in ((world.team_a, 20, 2, 5), (world.team_b, 10, 1, 7),
                                          (third, 0, 0, 0)):
        fill(team, stratified, [english], denominator=20, stratum=groups["English"])
        fill(team, stratified, [spanish], denominator=5, stratum=groups["Spanish"])
        fill(team, stratified, [other], denominator=10, stratum=groups["Other"])


def stratum_lines(body: dict) -> dict[str, dict]:
    return {line["label"]: line for line in body["strata"]}


def test_it_suppresses_a_small_group_and_the_next_smallest_for_a_state_viewer(client, world,
                                                                             stratified,
                                                                             small_cells):
    lines = stratum_lines(get(client, world.state_viewer, chart_url(stratified)).json())
    assert lines["Spanish"]["values"] == [None]
    assert lines["Spanish"]["suppressed"] == [True]
    # Alone, Spanish would be recoverable from the total: the next smallest goes too.
    assert (lines["Other"]["values"], lines["Other"]["suppressed"]) == ([None], [True])
    assert (lines["English"]["values"], lines["English"]["suppressed"]) == ([50.0], [False])


def test_it_gives_a_state_viewer_no_group_counts(client, world, stratified, small_cells):
    body = get(client, world.state_viewer, chart_url(stratified)).json()
    for line in body["strata"]:
        assert set(line) == {"id", "label", "is_reference", "values", "suppressed"}
    assert "numerators" not in body["series"][0]


def test_it_suppresses_small_groups_for_members_too(client, world, stratified, small_cells):
    lines = stratum_lines(get(client, world.member_a, chart_url(stratified)).json())
    assert lines["Spanish"]["values"] == [None]


def test_it_shows_a_group_with_none_counted(client, world, stratified):
    groups = strata(stratified)
    for team in (world.team_a, world.team_b, factories.TeamFactory(collaborative=world.collaborative)):
        for label, numerator in (("English", 20), ("Spanish", 0), ("Other", 15)):
            fill(team, stratified, [numerator], denominator=30, stratum=groups[label])
    lines = stratum_lines(get(client, world.state_viewer, chart_url(stratified)).json())
    assert lines["Spanish"]["values"] == [0.0]


def test_it_shows_the_leaders_every_group_with_its_counts(client, world, stratified,
                                                          small_cells):
    lines = stratum_lines(get(client, world.advisor, chart_url(stratified)).json())
    assert lines["Spanish"]["values"] == [20.0]
    assert lines["Spanish"]["numerators"] == [3.0]
    assert lines["English"]["is_reference"] is True


# --- Query counts stay flat ----------------------------------------------------------------

def queries(client, user, path: str) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_it_runs_the_same_queries_whatever_the_number_of_teams_and_months(client, world):
    measure = factories.MeasureFactory(collaborative=world.collaborative, name="Language",
                                       stratification="Home language")
    groups = [factories.StratumFactory(measure=measure, label=label) for label in ("A", "B")]

    def counts() -> dict[str, int]:
        return {
            "aggregate (advisor)": queries(client, world.advisor, chart_url(measure)),
            "aggregate (state viewer)": queries(client, world.state_viewer, chart_url(measure)),
            "team": queries(client, world.advisor, chart_url(measure, world.team_a)),
            "values": queries(client, world.advisor, VALUES),
            "measures": queries(client, world.advisor, MEASURES),
        }

    def add(teams: list, months: int, first: D) -> None:
        for team in teams:
            for group in groups:
                fill(team, measure, [4] * months, denominator=8, stratum=group, note="n",
                     first=first)

    add([world.team_a, world.team_b], 3, D(2026, 1, 1))
    small = counts()
    more = [factories.TeamFactory(collaborative=world.collaborative) for _ in range(4)]
    add([world.team_a, world.team_b], 9, D(2025, 4, 1))
    add(more, 12, D(2025, 4, 1))
    assert counts() == small
    assert all(0 < n <= 15 for n in small.values()), small


# --- The schema ----------------------------------------------------------------------------

def test_it_describes_the_measure_endpoints(client, world):
    client.force_login(world.member_a)  # the schema is for signed-in callers
    paths = set(yaml.safe_load(client.get("/api/v1/schema/").content)["paths"])
    assert {MEASURES, VALUES, BULK, "/api/v1/measures/{id}/chart-data/"} <= paths


@pytest.mark.parametrize("path", [
    "/api/v1/measure-values/?team=²", "/api/v1/measure-values/?measure=\u0661",
    "/api/v1/measures/?collaborative=²",
])
def test_it_answers_400_to_an_id_in_other_digits(client, world, path):
    # str.isdigit accepts "²" and Arabic-Indic digits; int() then refuses "²": it was a 500.
    response = get(client, world.advisor, path)
    assert response.status_code == 400
    assert response.json()[path.split("?")[1].split("=")[0]] == ["Give an id."]
