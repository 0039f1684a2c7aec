"""The admin shows rare events, chart phases and cycle files to site staff, read-only: the
services keep what depends on them in step. A file opens through the portal's checked view,
never a link to the storage."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collaboratives.models import ChangeIdea
from measures import events
from measures.models import Measure, MeasureEvent, MeasurePhase
from pdsa.attachments import attachment_add
from pdsa.models import CycleAttachment
from pdsa.services import cycle_create
from tests import factories
from tests.planting import pdf_bytes

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def root(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))
    return client


@pytest.fixture
def storage(tmp_path: Path, monkeypatch) -> FileSystemStorage:
    private = FileSystemStorage(location=tmp_path / "files")
    monkeypatch.setattr(CycleAttachment._meta.get_field("file"), "storage", private)
    return private


def test_it_lists_events_and_opens_one_read_only(root, world):
    measure = factories.MeasureFactory(
        collaborative=world.collaborative, name="Expulsions", unit=Measure.Unit.COUNT,
        denominator_definition="", chart_kind=Measure.ChartKind.C, records_events=True)
    event = events.event_record(measure=measure, team=world.team_a, date=D(2026, 3, 4),
                                user=world.member_a, today=D(2026, 6, 15))
    listing = root.get(reverse("admin:measures_measureevent_changelist"))
    assert listing.status_code == 200
    assert "Expulsions" in listing.text
    page = root.get(reverse("admin:measures_measureevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="date"' not in page.text  # shown, not editable
    assert root.get(reverse("admin:measures_measureevent_add")).status_code == 403
    assert root.post(reverse("admin:measures_measureevent_delete", args=[event.pk]),
                     {"post": "yes"}).status_code == 403
    assert MeasureEvent.objects.filter(pk=event.pk).exists()


def test_it_lists_phases_read_only(root, world):
    measure = factories.MeasureFactory(collaborative=world.collaborative)
    phase = MeasurePhase.objects.create(measure=measure, team=world.team_a,
                                        start_month=D(2026, 2, 1), reason="Adopted: greeting song")
    assert "Adopted: greeting song" in root.get(
        reverse("admin:measures_measurephase_changelist")).text
    page = root.get(reverse("admin:measures_measurephase_change", args=[phase.pk]))
    assert page.status_code == 200
    assert 'name="reason"' not in page.text


def test_it_links_a_file_to_the_checked_view_not_the_storage(root, world, storage):
    idea = ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")
    cycle = cycle_create(team=world.team_a, created_by=world.member_a, change_idea=idea,
                         title="Picture schedule")
    item = attachment_add(cycle=cycle, uploaded_by=world.member_a,
                          upload=SimpleUploadedFile("sheet.pdf", pdf_bytes()))
    checked = reverse("pdsa:attachment", args=[item.pk])
    for url in (reverse("admin:pdsa_cycleattachment_changelist"),
                reverse("admin:pdsa_cycleattachment_change", args=[item.pk])):
        page = root.get(url)
        assert page.status_code == 200
        assert f'href="{checked}"' in page.text
        assert item.file.name not in page.text
    assert root.get(reverse("admin:pdsa_cycleattachment_add")).status_code == 403
