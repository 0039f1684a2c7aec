"""A measure that records events with their dates takes no typed counts: its monthly counts
come from the events page. The CSV import and /api/v1/measure-values/ refuse a value for it,
naming the measure, and save nothing."""

from __future__ import annotations

import datetime

import pytest

from measures import csvio, events
from measures.models import Measure, MeasureValue
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 6, 15)  # the world's collaborative runs January 2026 to March 2027
VALUES = "/api/v1/measure-values/"
BULK = "/api/v1/measure-values/bulk/"
REFUSED = "counts come from the events page"


@pytest.fixture
def expulsions(world) -> Measure:
    return factories.MeasureFactory(
        collaborative=world.collaborative, name="Expulsions", unit=Measure.Unit.COUNT,
        denominator_definition="", numerator_definition="Expulsions",
        chart_kind=Measure.ChartKind.C, direction=Measure.Direction.DOWN, records_events=True)


@pytest.fixture
def fidelity(world) -> Measure:
    return factories.MeasureFactory(collaborative=world.collaborative, name="Fidelity")


def csv_bytes(*lines: str) -> bytes:
    return ("month,measure,group,numerator,denominator,note\n" + "\n".join(lines) + "\n").encode()


def import_(world, data: bytes, *measures: Measure) -> int:
    return csvio.measure_values_import(team=world.team_a, measures=list(measures), data=data,
                                       entered_by=world.member_a, today=TODAY)


def counts(team, measure) -> dict[D, int]:
    return {v.month: int(v.numerator) for v in MeasureValue.objects.filter(team=team, measure=measure)}


# --- CSV import -----------------------------------------------------------------------------

def test_it_refuses_a_typed_count_of_an_event_measure_in_a_file_by_line(world, expulsions, fidelity):
    data = csv_bytes("2026-03,Fidelity,,3,6,", "2026-03,Expulsions,,2,,")
    with pytest.raises(csvio.ImportRejected) as rejected:
        import_(world, data, fidelity, expulsions)
    [problem] = rejected.value.problems
    assert (problem.line, problem.column) == (3, "measure")
    assert "Expulsions" in problem.message
    assert REFUSED in problem.message
    assert not MeasureValue.objects.exists()  # the good line is not saved either


def test_it_lists_the_event_measure_with_the_files_other_problems(world, expulsions, fidelity):
    data = csv_bytes("2026-03,Fidelity,,9,6,", "2026-04,expulsions,,1,,")
    with pytest.raises(csvio.ImportRejected) as rejected:
        import_(world, data, fidelity, expulsions)
    assert [(p.line, p.column) for p in rejected.value.problems] == [(2, "numerator"), (3, "measure")]


def test_it_lets_an_export_of_derived_counts_be_imported_again_unchanged(world, expulsions, fidelity):
    events.event_record(measure=expulsions, team=world.team_a, date=D(2026, 3, 4), user=world.member_a,
                        today=TODAY)
    before = counts(world.team_a, expulsions)
    exported = csvio.write_csv(csvio.export_rows(
        MeasureValue.objects.filter(team=world.team_a).select_related("measure", "stratum")))
    data = exported.encode() + b"2026-05,Fidelity,,3,6,\n"
    assert import_(world, data, fidelity, expulsions) == 1  # Fidelity's value only
    assert counts(world.team_a, expulsions) == before


def test_it_refuses_a_changed_derived_count(world, expulsions):
    events.event_record(measure=expulsions, team=world.team_a, date=D(2026, 3, 4), user=world.member_a,
                        today=TODAY)
    with pytest.raises(csvio.ImportRejected) as rejected:
        import_(world, csv_bytes("2026-03,Expulsions,,5,,"), expulsions)
    assert rejected.value.problems[0].column == "measure"
    assert counts(world.team_a, expulsions)[D(2026, 3, 1)] == 1


def test_it_leaves_event_measures_out_of_the_template(world, expulsions, fidelity):
    rows = csvio.template_rows([fidelity, expulsions], D(2026, 3, 1))
    assert [row[1] for row in rows] == ["Fidelity"]


def test_it_says_nothing_of_a_blank_event_measure_line(world, expulsions, fidelity):
    assert import_(world, csv_bytes("2026-03,Fidelity,,3,6,", "2026-03,Expulsions,,,,"),
                   fidelity, expulsions) == 1


# --- API ------------------------------------------------------------------------------------

def post(client, user, path: str, data: dict):
    client.force_login(user)
    return client.post(path, data, content_type="application/json")


def test_it_refuses_a_value_of_an_event_measure_through_the_api(client, world, expulsions):
    response = post(client, world.member_a, VALUES, {
        "team": world.team_a.pk, "measure": expulsions.pk, "month": "2026-03", "numerator": 2})
    assert response.status_code == 400
    [message] = response.json()["measure"]
    assert "Expulsions" in message
    assert REFUSED in message
    assert not MeasureValue.objects.exists()


def test_it_refuses_a_bulk_month_with_an_event_measure_and_saves_nothing(client, world, expulsions,
                                                                        fidelity):
    response = post(client, world.member_a, BULK, {
        "team": world.team_a.pk, "month": "2026-03", "values": [
            {"measure": fidelity.pk, "numerator": 3, "denominator": 6},
            {"measure": expulsions.pk, "numerator": 2}]})
    assert response.status_code == 400
    rows = response.json()["values"]
    assert rows[0] == {}
    assert REFUSED in rows[1]["measure"][0]
    assert not MeasureValue.objects.exists()


def test_it_refuses_a_change_or_removal_of_a_derived_count(client, world, expulsions):
    events.event_record(measure=expulsions, team=world.team_a, date=D(2026, 3, 4), user=world.member_a,
                        today=TODAY)
    value = MeasureValue.objects.get(team=world.team_a, measure=expulsions, month=D(2026, 3, 1))
    client.force_login(world.member_a)
    changed = client.patch(f"{VALUES}{value.pk}/", {"numerator": 7}, content_type="application/json")
    removed = client.delete(f"{VALUES}{value.pk}/")
    assert (changed.status_code, removed.status_code) == (400, 400)
    assert REFUSED in changed.json()["measure"][0]
    value.refresh_from_db()
    assert value.numerator == 1


def test_it_still_refuses_an_advisors_write_before_naming_the_measure(client, world, expulsions):
    response = post(client, world.advisor, VALUES, {
        "team": world.team_a.pk, "measure": expulsions.pk, "month": "2026-03", "numerator": 2})
    assert response.status_code == 403
