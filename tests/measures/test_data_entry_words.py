"""The data-entry page in the measure's own words: fields named as the measure names them,
last month beside them, a stratified measure as one table with a checked total, every
problem listed at the top, the months done, the next month to offer, and an empty
collaborative told so in words."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Measure, MeasureValue
from measures.selectors import MonthStatus, month_to_offer, recent_entry_months
from measures.services import measure_save
from tests.factories import MeasureFactory, MeasureValueFactory, StratumFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 20)
NOVEMBER, OCTOBER = D(2026, 11, 1), D(2026, 10, 1)
GROUPS = ["Black", "Hispanic/Latino", "White", "Asian", "Multiracial or other"]


@pytest.fixture(autouse=True)
def _today():
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield


@pytest.fixture
def exclusions(world):
    """The demo's stratified rate, with its own names for the two numbers."""
    measure = MeasureFactory(
        collaborative=world.collaborative, name="Exclusionary discipline rate", order=0,
        unit=Measure.Unit.RATE, chart_kind=Measure.ChartKind.U, stratification="Child's race/ethnicity",
        numerator_definition="Exclusion events (suspensions + expulsions + early pick-ups)",
        denominator_definition="Children enrolled on the 15th of the month",
        numerator_label="Exclusion events", denominator_label="Children enrolled on the 15th")
    for order, label in enumerate(GROUPS):
        StratumFactory(measure=measure, label=label, order=order)
    return measure


@pytest.fixture
def fidelity(world):
    return MeasureFactory(collaborative=world.collaborative, name="Fidelity", order=1)


def month_url(world, month=NOVEMBER):
    return reverse("measures:team-data-month", args=[world.team_a.pk, month])


def data_url(world):
    return reverse("measures:team-data", args=[world.team_a.pk])


def table_post(measure, numerators, denominators, **extra):
    data = {}
    for stratum, numerator, denominator in zip(measure.strata.all(), numerators, denominators,
                                               strict=True):
        data[f"m{measure.pk}s{stratum.pk}_numerator"] = str(numerator)
        data[f"m{measure.pk}s{stratum.pk}_denominator"] = str(denominator)
    return {**data, **extra}


# --- labels ----------------------------------------------------------------------------------

def test_it_labels_the_fields_with_the_measures_own_words(client, world, exclusions):
    client.force_login(world.member_a)
    text = client.get(month_url(world)).text
    assert '<th scope="col" class="small">Exclusion events</th>' in text
    assert '<th scope="col" class="small">Children enrolled on the 15th</th>' in text
    black = exclusions.strata.get(label="Black")
    assert (f'<label class="visually-hidden" for="id_m{exclusions.pk}s{black.pk}_numerator">'
            "Black: Exclusion events</label>") in text
    assert ">Numerator<" not in text


def test_it_falls_back_to_plain_names_when_the_measure_has_none(world, fidelity):
    count = MeasureFactory(collaborative=world.collaborative, unit="count", denominator_definition="",
                           chart_kind="run")
    assert (fidelity.numerator_name, fidelity.denominator_name) == ("Numerator", "Denominator")
    assert count.numerator_name == "Count"


def test_it_keeps_the_names_given_on_the_measure_form(world):
    measure = measure_save(
        measure=Measure(collaborative=world.collaborative), name="Turnover", type="balancing",
        operational_definition="Staff who left of staff employed.", numerator_definition="Staff who left",
        denominator_definition="Staff employed", unit="percent", direction="down", chart_kind="run",
        numerator_label="Staff who left", denominator_label="Staff employed")
    measure.refresh_from_db()
    assert (measure.numerator_name, measure.denominator_name) == ("Staff who left", "Staff employed")


def test_it_puts_the_definition_one_tap_away_under_the_measures_name(client, world, fidelity):
    client.force_login(world.member_a)
    text = client.get(month_url(world)).text
    legend = text.index(">Fidelity</legend>")
    details = text.index(">Definition</summary>", legend)
    assert details - legend < 200
    assert "Classrooms observed this month scoring 80% or more." in text


# --- last month, in a bounded number of queries ------------------------------------------------

def _with_last_month(world, measure, groups: int = 0) -> None:
    """October values for every group of ``measure`` (made here), or for the measure itself."""
    strata = [StratumFactory(measure=measure, label=f"Group {index}") for index in range(groups)]
    for stratum in strata or [None]:
        MeasureValueFactory(team=world.team_a, measure=measure, stratum=stratum, month=OCTOBER,
                            numerator=3, denominator=41)


def _queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_shows_last_month_beside_each_field_in_a_fixed_number_of_queries(
    client, world, django_assert_num_queries
):
    client.force_login(world.member_a)
    new = lambda name, **kw: MeasureFactory(collaborative=world.collaborative, name=name, **kw)  # noqa: E731
    _with_last_month(world, new("By group", stratification="Home language"), groups=5)
    _with_last_month(world, new("Plain 0"))
    small = _queries_of(client, month_url(world))
    _with_last_month(world, new("By classroom", stratification="Classroom"), groups=5)
    for index in range(1, 7):
        _with_last_month(world, new(f"Plain {index}"))
    with django_assert_num_queries(small):
        text = client.get(month_url(world)).text
    assert text.count("Last month: 3 of 41") == 5 + 1 + 5 + 6


# --- the stratified table ---------------------------------------------------------------------

def test_it_shows_a_stratified_measure_as_one_table_with_a_total_row(client, world, exclusions):
    client.force_login(world.member_a)
    text = client.get(month_url(world)).text
    table = text[text.index("<table"):text.index("</table>")]
    assert "<caption" in table
    assert '<th scope="row"' in table
    assert table.count('inputmode="numeric"') == 2 * 5 + 2
    assert "Groups add up to 0" in table
    assert 'data-entry-table' in table


def test_it_saves_a_stratified_table_whose_groups_add_up_to_the_total(client, world, exclusions):
    client.force_login(world.member_a)
    data = table_post(exclusions, [1, 2, 0, 0, 0], [10, 12, 9, 5, 5],
                      **{f"m{exclusions.pk}_total_numerator": "3",
                         f"m{exclusions.pk}_total_denominator": "41"})
    response = client.post(month_url(world), data)
    assert response.status_code == 302
    assert MeasureValue.objects.filter(measure=exclusions, month=NOVEMBER).count() == 5


def test_it_refuses_a_total_the_groups_do_not_add_up_to_and_saves_nothing(client, world, exclusions):
    client.force_login(world.member_a)
    data = table_post(exclusions, [1, 2, 0, 0, 0], [10, 12, 9, 5, 3],
                      **{f"m{exclusions.pk}_total_denominator": "41"})
    response = client.post(month_url(world), data)
    assert response.status_code == 200
    field = f"m{exclusions.pk}_total_denominator"
    assert response.context["form"].errors[field] == [
        "The groups add up to 39, not the total 41. Check each group’s Children enrolled on the "
        "15th, or leave the total empty."]
    assert "Groups add up to 39" in response.text
    assert not MeasureValue.objects.exists()


def test_it_saves_the_whole_month_or_nothing_when_one_group_is_wrong(client, world, exclusions, fidelity):
    client.force_login(world.member_a)
    data = table_post(exclusions, [1, 2, 0, 0, 50], [10, 12, 9, 5, 0],
                      **{f"m{fidelity.pk}_numerator": "3", f"m{fidelity.pk}_denominator": "6"})
    response = client.post(month_url(world), data)
    assert response.status_code == 200
    assert not MeasureValue.objects.exists()


# --- errors -----------------------------------------------------------------------------------

def test_it_lists_every_problem_at_the_top_with_a_link_to_its_field(client, world, exclusions, fidelity):
    client.force_login(world.member_a)
    data = table_post(exclusions, [1, 2, 0, 0, 0], [10, 12, 9, 5, 5],
                      **{f"m{fidelity.pk}_numerator": "9", f"m{fidelity.pk}_denominator": "6",
                         f"m{exclusions.pk}_total_numerator": "4"})
    response = client.post(month_url(world), data)
    summary = response.context["error_summary"]
    assert [item["id"] for item in summary] == [f"id_m{exclusions.pk}_total_numerator",
                                                 f"id_m{fidelity.pk}_numerator"]
    text = response.text
    top = text.index("data-error-summary")
    assert top < text.index('class="data-entry"')
    link = f'<a class="alert-link" href="#id_m{fidelity.pk}_numerator">'
    assert f"{link}Fidelity: The numerator (9) cannot" in text
    assert '<script src="/static/js/data-entry.js"></script>' in text


# --- months done and the month offered ---------------------------------------------------------

def test_it_says_which_recent_months_are_done(client, world, fidelity):
    MeasureValueFactory(team=world.team_a, measure=fidelity, month=OCTOBER)
    client.force_login(world.member_a)
    response = client.get(month_url(world))
    strip = response.context["months_done"]
    assert [status.month for status in strip] == [D(2026, month, 1) for month in range(6, 12)]
    assert [status.is_complete for status in strip[-2:]] == [True, False]
    text = response.text
    october = text[text.index('href="' + month_url(world, OCTOBER)):]
    assert october.index("✓ entered") < october.index("</li>")
    assert 'aria-current="page"' in text
    assert "— not yet" in text


def test_it_stops_offering_november_once_november_is_saved(client, world, exclusions, fidelity):
    client.force_login(world.member_a)
    assert "Enter November" in client.get(data_url(world)).text
    data = table_post(exclusions, [1, 2, 0, 0, 0], [10, 12, 9, 5, 5],
                      **{f"m{fidelity.pk}_numerator": "3", f"m{fidelity.pk}_denominator": "6"})
    assert client.post(month_url(world), data).status_code == 302
    response = client.get(data_url(world))
    assert "Enter November" not in response.text
    assert response.context["offer"] == OCTOBER
    assert "Enter October" in response.text


def test_it_offers_nothing_once_every_month_is_complete():
    overview = [MonthStatus(NOVEMBER, 2, 2), MonthStatus(OCTOBER, 2, 2)]
    assert month_to_offer(overview) is None
    assert month_to_offer([MonthStatus(NOVEMBER, 2, 2), MonthStatus(OCTOBER, 1, 2)]) == OCTOBER
    assert month_to_offer([MonthStatus(NOVEMBER, 0, 0)]) is None  # no measures: nothing to enter


def test_it_includes_baseline_months_in_the_strip_near_the_start(world):
    world.collaborative.start_date = D(2026, 10, 1)
    assert recent_entry_months(world.collaborative, TODAY, count=4) == [
        D(2026, 8, 1), D(2026, 9, 1), OCTOBER, NOVEMBER]


# --- an empty collaborative --------------------------------------------------------------------

def test_it_tells_a_team_without_measures_that_the_advisor_has_not_set_them_up(client, world):
    client.force_login(world.member_a)
    page = client.get(month_url(world)).text
    assert "Your advisor has not set up the measures yet." in page
    assert "Save month" not in page
    assert 'class="data-entry"' not in page
    response = client.post(month_url(world), {})
    assert response.status_code == 200
    assert not MeasureValue.objects.exists()
    data_page = client.get(data_url(world)).text
    assert "Your advisor has not set up the measures yet." in data_page
    assert "Enter November" not in data_page
    assert "Import CSV" not in data_page


def test_it_points_the_advisor_to_setting_up_the_measures(client, world):
    client.force_login(world.advisor)
    text = client.get(data_url(world)).text
    assert reverse("measures:create", args=[world.collaborative.pk]) in text
    assert "Your advisor has not" not in text


def test_it_sums_decimal_groups_exactly(client, world, exclusions):
    exclusions.unit = Measure.Unit.MEAN
    exclusions.save()
    client.force_login(world.member_a)
    data = table_post(exclusions, ["0.1", "0.2", 0, 0, 0], [1, 1, 1, 1, 1],
                      **{f"m{exclusions.pk}_total_numerator": "0.3"})
    assert client.post(month_url(world), data).status_code == 302
    assert sum(v.numerator for v in MeasureValue.objects.filter(measure=exclusions)) == Decimal("0.3")
