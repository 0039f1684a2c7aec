"""Monthly data: the validation rules, the data-entry page and the CSV round trip."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from measures import csvio
from measures.models import Measure, MeasureValue
from measures.services import Entry, entry_errors, measure_save, measure_values_record
from tests.factories import MeasureFactory, MeasureValueFactory, StratumFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 26)


@pytest.fixture
def percent(world):
    return MeasureFactory(collaborative=world.collaborative, name="Fidelity")


@pytest.fixture
def count(world):
    return MeasureFactory(collaborative=world.collaborative, name="Incidents", unit="count",
                          denominator_definition="", chart_kind="run")


def entry(measure, numerator, denominator=None, stratum=None):
    as_decimal = lambda x: None if x is None else Decimal(x)  # noqa: E731
    return Entry(measure, stratum, as_decimal(numerator), as_decimal(denominator))


# --- the rules ----------------------------------------------------------------------------

def test_it_accepts_a_valid_percentage(percent):
    assert entry_errors(entry(percent, 3, 6), D(2026, 10, 1), today=TODAY) == {}


def test_it_refuses_a_numerator_above_the_denominator_for_a_percentage(percent):
    errors = entry_errors(entry(percent, 7, 6), D(2026, 10, 1), today=TODAY)
    assert errors == {"numerator": "The numerator (7) cannot be more than the denominator (6) "
                                   "for a percentage."}


def test_it_refuses_a_zero_denominator(percent):
    assert "denominator" in entry_errors(entry(percent, 0, 0), D(2026, 10, 1), today=TODAY)


def test_it_refuses_negative_numbers(percent):
    assert entry_errors(entry(percent, -1, 6), D(2026, 10, 1), today=TODAY) == {
        "numerator": "The numerator cannot be negative."}


def test_it_asks_for_the_denominator_by_its_definition(percent):
    errors = entry_errors(entry(percent, 3), D(2026, 10, 1), today=TODAY)
    assert errors["denominator"] == "Enter the denominator (Classrooms observed)."


def test_it_refuses_a_denominator_on_a_count(count):
    assert "denominator" in entry_errors(entry(count, 4, 2), D(2026, 10, 1), today=TODAY)


def test_it_refuses_a_future_month(percent):
    errors = entry_errors(entry(percent, 3, 6), D(2026, 12, 1), today=TODAY)
    assert errors == {"month": "2026-12 has not happened yet."}


def test_it_accepts_a_month_before_the_collaborative_as_baseline(percent):
    assert entry_errors(entry(percent, 3, 6), D(2025, 6, 1), today=TODAY) == {}


def test_it_saves_nothing_when_one_entry_of_the_month_is_bad(world, percent, count):
    with pytest.raises(ValidationError) as error:
        measure_values_record(team=world.team_a, month=D(2026, 10, 1), today=TODAY,
                              entries=[entry(count, 4), entry(percent, 9, 6)],
                              entered_by=world.member_a)
    assert list(error.value.message_dict) == ["1:numerator"]
    assert not MeasureValue.objects.exists()


def test_it_updates_and_removes_values_and_keeps_history(world, percent):
    month = D(2026, 10, 1)
    record = lambda *e: measure_values_record(  # noqa: E731
        team=world.team_a, month=month, entries=list(e), entered_by=world.member_a, today=TODAY)
    assert record(entry(percent, 3, 6)) == 1
    assert record(entry(percent, 3, 6)) == 0  # unchanged
    assert record(entry(percent, 4, 6)) == 1
    value = MeasureValue.objects.get()
    assert (value.numerator, value.entered_by) == (4, world.member_a)
    assert record(entry(percent, None, None)) == 1
    assert not MeasureValue.objects.exists()
    assert [h.history_type for h in MeasureValue.history.order_by("history_id")] == ["+", "~", "-"]


def test_it_refuses_a_measure_of_another_collaborative(world):
    foreign = MeasureFactory(collaborative=world.other_collaborative)
    with pytest.raises(ValidationError, match="not a measure of this collaborative"):
        measure_values_record(team=world.team_a, month=D(2026, 10, 1), today=TODAY,
                              entries=[entry(foreign, 1, 2)], entered_by=world.member_a)


def test_it_stores_one_value_per_team_measure_month_and_stratum(world, percent):
    MeasureValueFactory(team=world.team_a, measure=percent)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasureValue.objects.create(team=world.team_a, measure=percent, month=D(2026, 3, 1),
                                    numerator=1, denominator=2)


def test_it_computes_the_plotted_value_by_unit(percent, count):
    rate = Measure(unit="rate", rate_per=100, denominator_definition="children")
    mean = Measure(unit="mean", denominator_definition="responses")
    assert percent.value_of(Decimal(3), Decimal(6)) == 50
    assert rate.value_of(Decimal(2), Decimal(40)) == 5
    assert mean.value_of(Decimal(70), Decimal(20)) == 3.5
    assert count.value_of(Decimal(4), None) == 4


# --- setting up measures --------------------------------------------------------------------

def test_it_needs_two_groups_for_a_stratified_measure(world):
    with pytest.raises(ValidationError) as error:
        measure_save(measure=Measure(collaborative=world.collaborative), strata=["Only one"],
                     **{**_measure_fields(), "stratification": "Home language"})
    assert "strata" in error.value.message_dict
    assert not Measure.objects.filter(name="Home-language exclusions").exists()


def test_it_refuses_a_p_chart_for_a_count(world):
    with pytest.raises(ValidationError) as error:
        measure_save(measure=Measure(collaborative=world.collaborative),
                     **{**_measure_fields(), "unit": "count"})
    assert "chart_kind" in error.value.message_dict


def test_it_keeps_groups_that_have_data(world):
    stratum = StratumFactory(measure__collaborative=world.collaborative, label="Spanish")
    StratumFactory(measure=stratum.measure, label="English")
    MeasureValueFactory(team=world.team_a, measure=stratum.measure, stratum=stratum)
    with pytest.raises(ValidationError, match="Spanish"):
        measure_save(measure=stratum.measure, strata=["English", "Other"])


def _measure_fields():
    return {"name": "Home-language exclusions", "type": "outcome",
            "operational_definition": "Exclusions per 100 children.",
            "numerator_definition": "Exclusions", "denominator_definition": "Children",
            "unit": "percent", "direction": "down", "chart_kind": "p"}


# --- the data-entry page ----------------------------------------------------------------------

def test_it_saves_a_month_from_the_page(client, world, percent, count):
    client.force_login(world.member_a)
    month = D(2026, 10, 1)
    url = reverse("measures:team-data-month", args=[world.team_a.pk, month])
    response = client.post(url, {f"m{percent.pk}_numerator": "3", f"m{percent.pk}_denominator": "6",
                                 f"m{count.pk}_numerator": "2", f"m{count.pk}_note": "New cook"})
    assert response.url == reverse("measures:team-data", args=[world.team_a.pk])
    assert MeasureValue.objects.get(measure=count).note == "New cook"
    assert MeasureValue.objects.get(measure=percent).value == 50


def test_it_shows_the_problem_on_the_field_and_saves_nothing(client, world, percent, count):
    client.force_login(world.member_a)
    url = reverse("measures:team-data-month", args=[world.team_a.pk, D(2026, 10, 1)])
    response = client.post(url, {f"m{percent.pk}_numerator": "9", f"m{percent.pk}_denominator": "6",
                                 f"m{count.pk}_numerator": "2"})
    assert response.status_code == 200
    assert "cannot be more than the denominator (6)" in response.text
    assert 'aria-invalid="true"' in response.text
    assert not MeasureValue.objects.exists()


def test_it_shows_last_months_values_beside_the_entry(client, world, percent):
    MeasureValueFactory(team=world.team_a, measure=percent, month=D(2026, 9, 1), numerator=5,
                        denominator=8)
    client.force_login(world.member_a)
    response = client.get(reverse("measures:team-data-month", args=[world.team_a.pk, D(2026, 10, 1)]))
    assert "Last month: 5 of 8</div>" in response.text
    assert f'aria-describedby="id_m{percent.pk}_numerator-last"' in response.text


def test_it_lists_the_months_missing_values(client, world, percent, count):
    MeasureValueFactory(team=world.team_a, measure=percent, month=D(2026, 3, 1))
    client.force_login(world.member_a)
    overview = client.get(reverse("measures:team-data", args=[world.team_a.pk])).context["overview"]
    march = next(status for status in overview if status.month == D(2026, 3, 1))
    assert (march.filled, march.expected, march.measures_missing) == (1, 2, ["Incidents"])


# --- CSV ----------------------------------------------------------------------------------

def csv_bytes(*lines: str) -> bytes:
    return ("month,measure,group,numerator,denominator,note\n" + "\n".join(lines) + "\n").encode()


def test_it_imports_a_whole_file(world, percent, count):
    data = csv_bytes("2026-09,Fidelity,,3,6,", "2026-10,fidelity,,4,6,", "2026-10,Incidents,,2,,")
    written = csvio.measure_values_import(team=world.team_a, measures=[percent, count], data=data,
                                          entered_by=world.member_a, today=TODAY)
    assert written == 3
    assert MeasureValue.objects.filter(team=world.team_a).count() == 3


def test_it_saves_nothing_from_a_file_with_one_bad_line_and_lists_every_problem(world, percent, count):
    data = csv_bytes("2026-09,Fidelity,,3,6,", "2026-13,Fidelity,,3,6,", "2026-10,Fidelity,,9,6,",
                     "2026-10,Nonsense,,1,2,", "2026-10,Incidents,,two,,")
    with pytest.raises(csvio.ImportRejected) as rejected:
        csvio.measure_values_import(team=world.team_a, measures=[percent, count], data=data,
                                    entered_by=world.member_a, today=TODAY)
    assert [(p.line, p.column) for p in rejected.value.problems] == [
        (3, "month"), (4, "numerator"), (5, "measure"), (6, "numerator")]
    assert not MeasureValue.objects.exists()


def test_it_refuses_the_same_value_twice_in_a_file(world, percent):
    data = csv_bytes("2026-09,Fidelity,,3,6,", "2026-09,Fidelity,,4,6,")
    with pytest.raises(csvio.ImportRejected) as rejected:
        csvio.measure_values_import(team=world.team_a, measures=[percent], data=data,
                                    entered_by=world.member_a, today=TODAY)
    assert rejected.value.problems[0].message == "Same month, measure and group as line 2."


def test_it_needs_the_group_of_a_stratified_measure(world):
    stratum = StratumFactory(measure__collaborative=world.collaborative, label="Spanish")
    measure = stratum.measure
    data = csv_bytes(f"2026-09,{measure.name},,3,6,", f"2026-09,{measure.name},spanish,3,6,")
    with pytest.raises(csvio.ImportRejected) as rejected:
        csvio.measure_values_import(team=world.team_a, measures=[measure], data=data,
                                    entered_by=world.member_a, today=TODAY)
    assert [(p.line, p.column) for p in rejected.value.problems] == [(2, "group")]


def test_it_refuses_a_file_without_the_columns(world, percent):
    with pytest.raises(csvio.ImportRejected) as rejected:
        csvio.measure_values_import(team=world.team_a, measures=[percent], data=b"a,b\n1,2\n",
                                    entered_by=world.member_a, today=TODAY)
    assert "columns are missing" in rejected.value.problems[0].message


def test_it_refuses_a_file_over_the_size_limit(world, percent):
    data = b"x" * (csvio.MAX_BYTES + 1)
    with pytest.raises(csvio.ImportRejected, match="1 problem"):
        csvio.measure_values_import(team=world.team_a, measures=[percent], data=data,
                                    entered_by=world.member_a, today=TODAY)


def test_it_defuses_spreadsheet_formulas_in_exports(world, percent):
    MeasureValueFactory(team=world.team_a, measure=percent, note='=HYPERLINK("http://x","y")')
    text = csvio.write_csv(csvio.export_rows(MeasureValue.objects.select_related("measure")))
    assert "'=HYPERLINK" in text
    assert [csvio.safe_cell(v) for v in ("+1", "-2", "@a", "ok")] == ["'+1", "'-2", "'@a", "ok"]


def test_it_shows_import_problems_on_the_page_by_line_and_column(client, world, percent):
    client.force_login(world.member_a)
    upload = SimpleUploadedFile("data.csv", csv_bytes("2026-09,Fidelity,,9,6,"), "text/csv")
    response = client.post(reverse("measures:team-data-import", args=[world.team_a.pk]),
                           {"file": upload})
    assert response.status_code == 200
    assert "Nothing was saved" in response.text
    assert response.context["problems"][0].line == 2
    assert not MeasureValue.objects.exists()


def test_it_round_trips_the_template(client, world, percent, count):
    client.force_login(world.member_a)
    template = client.get(reverse("measures:team-data-template", args=[world.team_a.pk])).content
    lines = template.decode().strip().splitlines()
    assert lines[0] == "month,measure,group,numerator,denominator,note"
    assert {line.split(",")[1] for line in lines[1:]} == {"Fidelity", "Incidents"}


def test_it_refuses_the_same_measure_twice_in_a_month(world, percent):
    with pytest.raises(ValidationError) as error:
        measure_values_record(team=world.team_a, month=D(2026, 10, 1), today=TODAY,
                              entries=[entry(percent, 1, 6), entry(percent, 2, 6)],
                              entered_by=world.member_a)
    assert list(error.value.message_dict) == ["1:measure"]
    assert not MeasureValue.objects.exists()


def test_it_names_the_name_field_for_a_duplicate_measure(world, percent):
    with pytest.raises(ValidationError) as error:
        measure_save(measure=Measure(collaborative=world.collaborative),
                     **{**_measure_fields(), "name": "fidelity"})
    assert list(error.value.message_dict) == ["name"]


def test_it_refuses_baseline_months_too_long_before_the_start_in_files_too(world, percent):
    data = csv_bytes("2024-01,Fidelity,,3,6,")  # the collaborative starts January 2026
    with pytest.raises(csvio.ImportRejected) as rejected:
        csvio.measure_values_import(team=world.team_a, measures=[percent], data=data,
                                    entered_by=world.member_a, today=TODAY)
    assert [(p.line, p.column) for p in rejected.value.problems] == [(2, "month")]
