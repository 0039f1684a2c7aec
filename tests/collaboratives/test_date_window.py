"""Dates and months stay between 2000 and 2100 (issue #10, item 3): year 1 or 9999 used to
cost seconds of CPU and end in a 500 ("year 0 is out of range")."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from collaboratives.forms import CollaborativeForm, PeriodForm
from collaboratives.models import Collaborative, Period
from measures.months import MonthOutOfRange, parse_month
from tests import factories

pytestmark = pytest.mark.django_db

COLLABORATIVE = {
    "name": "Healthy Beginnings", "topic": "Nutrition", "state": "NC", "status": "planning",
    "start_date": "2027-01-01", "end_date": "2027-12-31",
}


@pytest.mark.parametrize(("field", "value"), [
    ("start_date", "0001-01-01"), ("end_date", "9999-12-31"), ("aim_target_date", "1999-12-31"),
    ("end_date", "2101-01-01"),
])
def test_the_collaborative_form_refuses_a_date_outside_the_window(field, value):
    form = CollaborativeForm({**COLLABORATIVE, field: value})
    assert not form.is_valid()
    assert form.has_error(field, "date_out_of_range")
    assert "2000" in form.errors[field][0]
    assert "2100" in form.errors[field][0]


def test_the_collaborative_form_takes_the_edges_of_the_window():
    form = CollaborativeForm({**COLLABORATIVE, "start_date": "2000-01-01", "end_date": "2100-12-31"})
    assert form.is_valid(), form.errors


def test_the_date_pickers_offer_only_the_window():
    html = str(CollaborativeForm()["start_date"])
    assert 'min="2000-01-01"' in html
    assert 'max="2100-12-31"' in html


def test_the_period_form_refuses_a_date_outside_the_window():
    form = PeriodForm({"kind": "prework", "start_date": "0001-01-01", "end_date": "2027-01-31"})
    assert not form.is_valid()
    assert form.has_error("start_date", "date_out_of_range")


def test_the_edit_page_answers_with_the_message_and_changes_nothing(client, world):
    client.force_login(world.advisor)
    url = reverse("collaboratives:update", args=[world.collaborative.pk])
    data = {**COLLABORATIVE, "name": world.collaborative.name, "start_date": "0001-01-01"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "2100" in response.content.decode()
    world.collaborative.refresh_from_db()
    assert world.collaborative.start_date == datetime.date(2026, 1, 1)


def test_the_model_refuses_it_too_so_the_admin_does():
    collaborative = factories.CollaborativeFactory.build(start_date=datetime.date(1, 1, 1))
    with pytest.raises(ValidationError) as error:
        collaborative.full_clean()
    assert "start_date" in error.value.message_dict


def test_the_database_refuses_a_collaborative_out_of_the_window(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Collaborative.objects.filter(pk=world.collaborative.pk).update(start_date=datetime.date(1, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Collaborative.objects.filter(pk=world.collaborative.pk).update(
            aim_target_date=datetime.date(9999, 12, 31))


def test_the_database_refuses_a_period_out_of_the_window(world):
    period = factories.PeriodFactory(collaborative=world.collaborative)
    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.filter(pk=period.pk).update(end_date=datetime.date(9999, 12, 31))


# --- The API ---------------------------------------------------------------------------------

def test_the_api_refuses_a_new_collaborative_starting_in_year_1(client, world):
    client.force_login(world.advisor)
    response = client.post("/api/v1/collaboratives/", {**COLLABORATIVE, "start_date": "0001-01-01"},
                           content_type="application/json")
    assert response.status_code == 400
    assert "2100" in response.json()["start_date"][0]
    assert not Collaborative.objects.filter(name=COLLABORATIVE["name"]).exists()


def test_the_api_refuses_moving_a_collaborative_to_9999(client, world):
    client.force_login(world.advisor)
    response = client.patch(f"/api/v1/collaboratives/{world.collaborative.pk}/",
                            {"end_date": "9999-12-31"}, content_type="application/json")
    assert response.status_code == 400
    assert "end_date" in response.json()


# --- Month parameters --------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["0001-01", "1999-12", "2101-01", "9999-12"])
def test_a_month_outside_the_window_is_refused_plainly(text):
    with pytest.raises(MonthOutOfRange):
        parse_month(text)


def test_the_months_at_the_edges_are_taken():
    assert parse_month("2000-01") == datetime.date(2000, 1, 1)
    assert parse_month("2100-12") == datetime.date(2100, 12, 1)


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_the_reports_page_answers_400_for_a_month_out_of_range(client, world, month):
    client.force_login(world.advisor)
    url = reverse("reports:collaborative-reports", args=[world.collaborative.pk])
    assert client.get(url, {"month": month}).status_code == 400


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_the_values_api_answers_400_with_the_window(client, world, month):
    client.force_login(world.advisor)
    response = client.get("/api/v1/measure-values/", {"month": month})
    assert response.status_code == 400
    assert response.json()["month"] == ["Months run from 2000-01 to 2100-12."]


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_the_team_data_month_page_is_not_found_for_year_1_or_9999(client, world, month):
    client.force_login(world.member_a)
    response = client.get(f"/teams/{world.team_a.pk}/data/{month}/")
    assert response.status_code == 404
