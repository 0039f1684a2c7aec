"""Pareto tallies: ordering and cumulative percent, the 80% summary, the atomic save, the
SVG, and who may read and write them."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import ParetoCategory, ParetoTally
from measures.pareto import pareto_rows, pareto_summary, pareto_svg, pareto_tally_save

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
PICK_UPS = [("Illness", 12), ("Work hours", 8), ("Transport", 22), ("Weather", 3),
            ("Appointments", 3), ("Family event", 4), ("Other", 0)]


def _tally(world, categories=PICK_UPS, title="Early pick-ups"):
    return pareto_tally_save(team=world.team_a, title=title, start=START, end=END,
                             categories=list(categories), saved_by=world.member_a)


def test_it_orders_by_count_then_label_with_zeros_last(world):
    rows = pareto_rows(_tally(world))
    assert [row.label for row in rows] == [
        "Transport", "Illness", "Work hours", "Family event", "Appointments", "Weather", "Other"]
    assert [row.count for row in rows] == [22, 12, 8, 4, 3, 3, 0]


def test_it_computes_percent_and_cumulative_percent(world):
    rows = pareto_rows(_tally(world))
    # By hand, of 52: 22/52 = 42.31%; (22+12)/52 = 65.38%; (34+8)/52 = 80.77%; … 100%.
    assert rows[0].percent == pytest.approx(42.3077, abs=1e-3)
    assert [round(row.cumulative_percent, 2) for row in rows] == [
        42.31, 65.38, 80.77, 88.46, 94.23, 100.0, 100.0]
    assert rows[-1].percent == 0


def test_it_names_the_categories_that_reach_80_percent(world):
    assert pareto_summary(_tally(world)) == (
        "3 of 7 categories — Transport, Illness and Work hours — account for 81% of the 52 "
        "early pick-ups.")


def test_it_names_a_single_dominant_category(world):
    tally = _tally(world, [("Transport", 9), ("Illness", 1)])
    assert pareto_summary(tally).startswith("1 of 2 categories — Transport — accounts for 90%")


@pytest.mark.parametrize(("categories", "field"), [
    ([("Illness", 3), ("illness ", 2)], "categories:1"),
    ([("Illness", 3), ("", 2)], "categories:1"),
    ([("Illness", 3), ("Transport", -1)], "categories:1"),
    ([("Illness", 0), ("Transport", 0)], "categories"),
    ([], "categories"),
])
def test_it_refuses_bad_categories_and_saves_nothing(world, categories, field):
    tally = _tally(world, [("Weather", 5)])
    with pytest.raises(ValidationError) as raised:
        pareto_tally_save(team=world.team_a, tally=tally, title="Changed", start=START, end=END,
                          categories=categories, saved_by=world.member_a)
    assert field in raised.value.message_dict
    tally.refresh_from_db()
    assert tally.title == "Early pick-ups"
    assert list(tally.categories.values_list("label", "count")) == [("Weather", 5)]


def test_it_refuses_an_end_before_the_start(world):
    with pytest.raises(ValidationError) as raised:
        pareto_tally_save(team=world.team_a, title="X", start=END, end=START,
                          categories=[("A", 1)], saved_by=world.member_a)
    assert "end" in raised.value.message_dict
    assert not ParetoTally.objects.exists()


def test_it_keeps_history_of_tallies_and_categories(world):
    tally = _tally(world, [("A", 1)])
    _tally_again = pareto_tally_save(team=world.team_a, tally=tally, title="T", start=START,
                                     end=END, categories=[("B", 2)], saved_by=world.member_a)
    assert tally.history.count() == 2
    assert ParetoCategory.history.filter(label="A", history_type="-").exists()


def test_the_svg_has_title_desc_and_one_bar_per_category(world):
    tally = _tally(world)
    svg = str(pareto_svg(tally))
    assert 'role="img"' in svg
    ident = f"pareto-{tally.pk}"
    assert f'aria-labelledby="{ident}-title {ident}-desc"' in svg
    assert f'<title id="{ident}-title">Early pick-ups</title>' in svg
    assert "account for 81%" in svg
    assert len(re.findall(r'class="pareto-bar"', svg)) == len(PICK_UPS)
    assert "pareto-cumulative" in svg
    assert "100%" in svg
    assert "style=" not in svg


def test_the_svg_escapes_labels(world):
    svg = str(pareto_svg(_tally(world, [("<script>", 3)])))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


# --- pages ---------------------------------------------------------------------------------

def _post_data(title="Early pick-ups", rows=(("Transport", "5"), ("Illness", "2"))):
    data = {"title": title, "start": "2026-01-01", "end": "2026-03-31",
            "categories-TOTAL_FORMS": "10", "categories-INITIAL_FORMS": "0",
            "categories-MIN_NUM_FORMS": "0", "categories-MAX_NUM_FORMS": "200"}
    for index, (label, count) in enumerate(rows):
        data[f"categories-{index}-label"] = label
        data[f"categories-{index}-count"] = count
    return data


def test_a_member_creates_a_tally_and_sees_chart_table_and_summary(client, world):
    client.force_login(world.member_a)
    response = client.post(reverse("pareto:create", kwargs={"pk": world.team_a.pk}), _post_data())
    tally = ParetoTally.objects.get()
    assert response.status_code == 302
    assert response["Location"] == tally.get_absolute_url()
    page = client.get(tally.get_absolute_url()).content.decode()
    assert "<caption>" in page
    assert '<th scope="row" class="fw-normal">Transport</th>' in page
    assert "2 of 2 categories — Transport and Illness — account for 100% of the 7" in page
    assert 'class="pareto-chart-svg"' in page


def test_a_bad_row_comes_back_with_its_message_and_saves_nothing(client, world):
    client.force_login(world.member_a)
    response = client.post(reverse("pareto:create", kwargs={"pk": world.team_a.pk}),
                           _post_data(rows=(("Transport", "5"), ("transport", "2"))))
    assert response.status_code == 200
    assert "is listed twice" in response.content.decode()
    assert not ParetoTally.objects.exists()


def test_a_half_filled_row_is_refused(client, world):
    client.force_login(world.member_a)
    response = client.post(reverse("pareto:create", kwargs={"pk": world.team_a.pk}),
                           _post_data(rows=(("Transport", ""),)))
    assert response.status_code == 200
    assert not ParetoTally.objects.exists()


def test_the_edit_form_has_ten_empty_rows_after_the_saved_ones(client, world):
    tally = _tally(world, [("A", 1), ("B", 2)])
    client.force_login(world.member_a)
    page = client.get(reverse("pareto:update", kwargs={"pk": tally.pk})).content.decode()
    assert 'name="categories-TOTAL_FORMS" value="12"' in page


def test_a_member_deletes_a_tally_after_confirming(client, world):
    tally = _tally(world)
    client.force_login(world.member_a)
    url = reverse("pareto:delete", kwargs={"pk": tally.pk})
    assert client.get(url).status_code == 200
    assert ParetoTally.objects.exists()
    assert client.post(url).status_code == 302
    assert not ParetoTally.objects.exists()


@pytest.mark.parametrize(("persona", "read", "write"), [
    ("member_a", 200, 200), ("member_b", 404, 404), ("advisor", 200, 403),
    ("other_advisor", 404, 404), ("state_viewer", 404, 404), ("stranger", 404, 404),
])
def test_access_follows_the_team_data_rules(client, world, persona, read, write):
    tally = _tally(world)
    client.force_login(getattr(world, persona))
    assert client.get(reverse("pareto:detail", kwargs={"pk": tally.pk})).status_code == read
    assert client.get(reverse("pareto:list", kwargs={"pk": world.team_a.pk})).status_code == read
    assert client.get(reverse("pareto:update", kwargs={"pk": tally.pk})).status_code == write
    assert client.get(reverse("pareto:create", kwargs={"pk": world.team_a.pk})).status_code == write
    assert client.post(reverse("pareto:delete", kwargs={"pk": tally.pk})).status_code in (
        (302,) if write == 200 else (write,))


def test_a_member_cannot_reach_another_teams_tally(client, world):
    tally = pareto_tally_save(team=world.team_b, title="B", start=START, end=END,
                              categories=[("X", 1)], saved_by=world.member_b)
    client.force_login(world.member_a)
    assert client.get(reverse("pareto:detail", kwargs={"pk": tally.pk})).status_code == 404
    assert client.post(reverse("pareto:update", kwargs={"pk": tally.pk}),
                       _post_data()).status_code == 404
    assert ParetoTally.objects.get(pk=tally.pk).title == "B"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_pages_run_a_bounded_number_of_queries(client, world):
    client.force_login(world.member_a)
    tally = _tally(world, [("A", 1)])
    list_url = reverse("pareto:list", kwargs={"pk": world.team_a.pk})
    small_list, small_detail = _queries(client, list_url), _queries(client, tally.get_absolute_url())
    for number in range(5):
        _tally(world, [(f"C{i}", i + 1) for i in range(number + 3)], title=f"T{number}")
    pareto_tally_save(team=world.team_a, tally=tally, title="A", start=START, end=END,
                      categories=[(f"L{i}", i) for i in range(1, 20)], saved_by=world.member_a)
    assert _queries(client, list_url) == small_list
    assert _queries(client, tally.get_absolute_url()) == small_detail


@pytest.mark.parametrize("url_name", ["pareto:create", "pareto:update"])
def test_an_empty_post_comes_back_with_errors_and_changes_nothing(client, world, url_name):
    tally = _tally(world)
    client.force_login(world.member_a)
    kwargs = {"pk": world.team_a.pk if url_name == "pareto:create" else tally.pk}
    response = client.post(reverse(url_name, kwargs=kwargs), {})
    assert response.status_code == 200
    assert ParetoTally.objects.count() == 1
    assert tally.history.count() == 1


def test_the_demo_seed_is_idempotent(world):
    from reports.demo.pareto import seed_pareto

    teams = [world.team_a, world.team_b]
    assert seed_pareto(teams, end=END) == 12
    assert seed_pareto(teams, end=END) == 0
    assert ParetoTally.objects.count() == 2
