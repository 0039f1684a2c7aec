"""Setting up a measure: what the form, the service and the database refuse."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from measures.models import Measure
from tests.factories import CollaborativeFactory

pytestmark = pytest.mark.django_db

BASELINE_MESSAGE = "Give at least 1 month, or leave it empty to use all months."


def _form_data(**changes) -> dict:
    data = {"name": "Home-language exclusions", "type": "outcome",
            "operational_definition": "Exclusions per 100 children.",
            "numerator_definition": "Exclusions", "denominator_definition": "Children",
            "unit": "percent", "rate_per": 100, "direction": "down", "chart_kind": "p",
            "order": 0, "baseline_length": "", "goal": "", "stratification": "",
            "strata": "", "reference": ""}
    data.update(changes)
    return data


def test_it_refuses_a_baseline_of_zero_months_on_the_measure_form(client, world):
    client.force_login(world.advisor)
    response = client.post(reverse("measures:create", args=[world.collaborative.pk]),
                           _form_data(baseline_length=0))
    assert response.status_code == 200
    assert response.context["form"].errors["baseline_length"] == [BASELINE_MESSAGE]
    assert not Measure.objects.exists()


def test_it_asks_the_browser_for_at_least_one_baseline_month(client, world):
    client.force_login(world.advisor)
    form = client.get(reverse("measures:create", args=[world.collaborative.pk])).context["form"]
    assert form.fields["baseline_length"].widget.attrs["min"] == 1


def test_it_takes_an_empty_baseline_as_all_months_on_the_measure_form(client, world):
    client.force_login(world.advisor)
    response = client.post(reverse("measures:create", args=[world.collaborative.pk]),
                           _form_data())
    assert response.status_code == 302
    assert Measure.objects.get().baseline_length is None


def _migrate(app_label: str, name: str | None) -> None:
    executor = MigrationExecutor(connection)
    target = name or executor.loader.graph.leaf_nodes(app_label)[0][1]
    executor.migrate([(app_label, target)])


@pytest.mark.django_db(transaction=True)
def test_it_turns_a_stored_baseline_of_zero_months_into_all_months():
    _migrate("measures", "0001_initial")  # before 0 was refused
    try:
        # The model as it was then: today's has columns the old table does not.
        state = MigrationExecutor(connection).loader.project_state(("measures", "0001_initial"))
        old_measure = state.apps.get_model("measures", "Measure")
        collaborative = CollaborativeFactory()
        common = {"collaborative_id": collaborative.pk, "type": "process", "unit": "percent",
                  "operational_definition": "Observed.", "numerator_definition": "Scoring 80%",
                  "denominator_definition": "Observed", "direction": "up", "chart_kind": "p"}
        zero = old_measure.objects.create(name="Zero", baseline_length=0, **common)
        six = old_measure.objects.create(name="Six", baseline_length=6, **common)
    finally:
        _migrate("measures", None)
    assert Measure.objects.get(pk=zero.pk).baseline_length is None
    assert Measure.objects.get(pk=six.pk).baseline_length == 6
