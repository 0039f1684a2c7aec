"""The API's side of the new features: a measure's ``records_events`` and Spanish words,
a cycle's photos and files, and /api/v1/pareto-tallies/ (read-only, scoped like the Pareto
pages: the team's members and its collaborative's leaders)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collaboratives.models import ChangeIdea
from measures.models import Measure
from measures.pareto import pareto_tally_save
from pdsa.attachments import attachment_add
from pdsa.models import Cycle, CycleAttachment
from pdsa.services import cycle_create
from tests import factories
from tests.planting import pdf_bytes

pytestmark = pytest.mark.django_db

D = datetime.date
MEASURES = "/api/v1/measures/"
CYCLES = "/api/v1/pdsa-cycles/"
TALLIES = "/api/v1/pareto-tallies/"
SPANISH = {
    "name_es": "Prácticas", "operational_definition_es": "Aulas que usan las prácticas.",
    "numerator_definition_es": "Aulas", "denominator_definition_es": "Aulas en total",
    "numerator_label_es": "Aulas", "denominator_label_es": "Total",
}


def get(client, user, path: str):
    client.force_login(user)
    return client.get(path)


# --- Measures -------------------------------------------------------------------------------

def test_it_shows_everyone_who_reads_a_measure_its_event_flag_and_spanish(client, world):
    measure = factories.MeasureFactory(collaborative=world.collaborative, **SPANISH)
    body = get(client, world.state_viewer, f"{MEASURES}{measure.pk}/").json()
    assert body["records_events"] is False
    assert {name: body[name] for name in SPANISH} == SPANISH


def test_it_lets_an_advisor_write_the_spanish_and_the_event_flag(client, world):
    client.force_login(world.advisor)
    response = client.post(MEASURES, {
        "collaborative": world.collaborative.pk, "name": "Expulsions", "type": "outcome",
        "operational_definition": "Children expelled.", "numerator_definition": "Expulsions",
        "unit": "count", "direction": "down", "chart_kind": "c", "records_events": True,
        "name_es": "Expulsiones"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    measure = Measure.objects.get(pk=response.json()["id"])
    assert (measure.records_events, measure.name_es) == (True, "Expulsiones")
    changed = client.patch(f"{MEASURES}{measure.pk}/", {"operational_definition_es": "Niños."},
                           content_type="application/json")
    assert changed.json()["operational_definition_es"] == "Niños."


def test_it_refuses_the_event_flag_on_a_measure_with_a_denominator(client, world):
    measure = factories.MeasureFactory(collaborative=world.collaborative)
    client.force_login(world.advisor)
    response = client.patch(f"{MEASURES}{measure.pk}/", {"records_events": True},
                            content_type="application/json")
    assert response.status_code == 400
    assert "records_events" in response.json()
    measure.refresh_from_db()
    assert not measure.records_events


def test_it_refuses_a_members_change_to_the_spanish(client, world):
    measure = factories.MeasureFactory(collaborative=world.collaborative)
    client.force_login(world.member_a)
    response = client.patch(f"{MEASURES}{measure.pk}/", {"name_es": "Otra"},
                            content_type="application/json")
    assert response.status_code == 403


# --- Cycle files ------------------------------------------------------------------------------

@pytest.fixture
def storage(tmp_path: Path, monkeypatch) -> FileSystemStorage:
    private = FileSystemStorage(location=tmp_path / "files")
    monkeypatch.setattr(CycleAttachment._meta.get_field("file"), "storage", private)
    return private


@pytest.fixture
def idea(world) -> ChangeIdea:
    return ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")


def cycle_with_files(world, idea, files: int = 1) -> tuple[Cycle, list[CycleAttachment]]:
    cycle = cycle_create(team=world.team_a, created_by=world.member_a, change_idea=idea,
                         title="Picture schedule")
    items = [attachment_add(cycle=cycle, uploaded_by=world.member_a, caption=f"Sheet {n}",
                            upload=SimpleUploadedFile(f"sheet {n}.pdf", pdf_bytes()))
             for n in range(files)]
    return cycle, items


def test_it_lists_a_cycles_files_with_their_checked_link(client, world, idea, storage):
    cycle, [item] = cycle_with_files(world, idea)
    body = get(client, world.member_a, f"{CYCLES}{cycle.pk}/").json()
    assert body["attachments"] == [{
        "id": item.pk, "original_name": "sheet 0.pdf", "caption": "Sheet 0",
        "content_type": "application/pdf", "size": item.size,
        "url": reverse("pdsa:attachment", args=[item.pk])}]
    assert client.get(body["attachments"][0]["url"]).status_code == 200


def test_it_shows_the_files_to_the_collaboratives_leaders(client, world, idea, storage):
    cycle, [item] = cycle_with_files(world, idea)
    body = get(client, world.coach, f"{CYCLES}{cycle.pk}/").json()
    assert [a["id"] for a in body["attachments"]] == [item.pk]


def test_it_keeps_a_shared_cycles_files_from_other_teams(client, world, idea, storage):
    cycle, _items = cycle_with_files(world, idea)
    Cycle.objects.filter(pk=cycle.pk).update(
        status=Cycle.Status.COMPLETE, is_shared=True, decision="adopt", study_summary="Worked.")
    response = get(client, world.member_b, f"{CYCLES}{cycle.pk}/")
    assert response.status_code == 200
    assert response.json()["attachments"] == []


def test_it_lists_cycles_and_their_files_in_a_fixed_number_of_queries(client, world, idea, storage):
    def queries_for(cycles: int) -> int:
        for _n in range(cycles):
            cycle_with_files(world, idea, files=2)
        client.force_login(world.member_a)
        client.get(CYCLES)  # warm the session and the grants
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CYCLES).status_code == 200
        return len(captured)

    assert queries_for(1) == queries_for(3)


# --- Pareto tallies ---------------------------------------------------------------------------

def tally(team, user, title: str = "Early pick-ups", categories=(("Transport", 6), ("Illness", 3),
                                                                   ("Weather", 1))):
    return pareto_tally_save(team=team, title=title, start=D(2026, 1, 1), end=D(2026, 3, 31),
                             categories=list(categories), saved_by=user)


def test_it_gives_a_tally_its_rows_total_and_summary(client, world):
    item = tally(world.team_a, world.member_a)
    body = get(client, world.member_a, f"{TALLIES}{item.pk}/").json()
    assert {k: body[k] for k in ("id", "team", "title", "start", "end", "total")} == {
        "id": item.pk, "team": world.team_a.pk, "title": "Early pick-ups",
        "start": "2026-01-01", "end": "2026-03-31", "total": 10}
    assert body["categories"] == [
        {"label": "Transport", "count": 6, "percent": 60.0, "cumulative_percent": 60.0},
        {"label": "Illness", "count": 3, "percent": 30.0, "cumulative_percent": 90.0},
        {"label": "Weather", "count": 1, "percent": 10.0, "cumulative_percent": 100.0}]
    assert body["summary"].startswith("2 of 3 categories — Transport and Illness — account for 90%")


@pytest.mark.parametrize(("persona", "sees"), [
    ("member_a", True), ("lead_a", True), ("advisor", True), ("coach", True),
    ("member_b", False), ("state_viewer", False), ("other_advisor", False), ("stranger", False),
])
def test_it_shows_a_tally_only_to_the_team_and_the_collaboratives_leaders(client, world, persona,
                                                                          sees):
    item = tally(world.team_a, world.member_a)
    user = getattr(world, persona)
    listed = {t["id"] for t in get(client, user, TALLIES).json()["results"]}
    assert listed == ({item.pk} if sees else set())
    assert client.get(f"{TALLIES}{item.pk}/").status_code == (200 if sees else 404)


def test_it_filters_tallies_by_team(client, world):
    a, b = tally(world.team_a, world.member_a), tally(world.team_b, world.member_b)
    client.force_login(world.advisor)
    assert [t["id"] for t in client.get(f"{TALLIES}?team={world.team_b.pk}").json()["results"]] == [b.pk]
    assert {t["id"] for t in client.get(TALLIES).json()["results"]} == {a.pk, b.pk}
    assert client.get(f"{TALLIES}?team=x").status_code == 400


def test_it_takes_no_writes_to_tallies(client, world):
    item = tally(world.team_a, world.member_a)
    client.force_login(world.member_a)
    assert client.post(TALLIES, {}, content_type="application/json").status_code == 405
    assert client.delete(f"{TALLIES}{item.pk}/").status_code == 405


def test_it_lists_tallies_in_a_fixed_number_of_queries(client, world):
    def queries_for(tallies: int) -> int:
        for n in range(tallies):
            tally(world.team_a, world.member_a, title=f"Tally {n} {tallies}")
        client.force_login(world.advisor)
        client.get(TALLIES)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(TALLIES).status_code == 200
        return len(captured)

    assert queries_for(1) == queries_for(4)


def test_it_describes_the_new_fields_and_the_tallies_in_the_schema(client, world):
    client.force_login(world.member_a)
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    components = schema["components"]["schemas"]
    assert {"records_events", *SPANISH} <= set(components["Measure"]["properties"])
    assert {"records_events", *SPANISH} <= set(components["MeasureWriteRequest"]["properties"])
    assert components["Cycle"]["properties"]["attachments"]["readOnly"] is True
    assert "attachments" not in components["CycleRequest"]["properties"]
    assert {"/api/v1/pareto-tallies/", "/api/v1/pareto-tallies/{id}/"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/pareto-tallies/"]) == {"get"}
    row = components["ParetoRow"]["properties"]
    assert set(row) == {"label", "count", "percent", "cumulative_percent"}
