"""Photos and files on a PDSA cycle: what may be added, who opens and removes them, and that
nothing is kept of a refused upload (pdsa.attachments)."""

from __future__ import annotations

import io
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.storage.handler import StorageHandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from PIL import Image

from collaboratives.models import ChangeIdea
from pdsa.models import Cycle, CycleAttachment
from pdsa.services import cycle_create
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def storage(tmp_path: Path, monkeypatch) -> FileSystemStorage:
    """A storage of the test's own: nothing is written under var/."""
    private = FileSystemStorage(location=tmp_path / "files")
    monkeypatch.setattr(CycleAttachment._meta.get_field("file"), "storage", private)
    return private


def stored_files(storage: FileSystemStorage) -> list[Path]:
    root = Path(storage.location)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def cycle(world: World) -> Cycle:
    idea = ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")
    return cycle_create(team=world.team_a, created_by=world.member_a, change_idea=idea,
                        title="Picture schedule at arrival")


def jpeg_with_gps(size: tuple[int, int] = (40, 20), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (35.0, 46.0, 12.0)  # latitude
    gps[3], gps[4] = "W", (78.0, 38.0, 20.0)  # longitude
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (30, 10), (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


def upload(client, cycle: Cycle, content: bytes, name: str, caption: str = "",
           content_type: str = "image/jpeg"):
    return client.post(reverse("pdsa:attachment-create", args=[cycle.pk]), {
        "file": SimpleUploadedFile(name, content, content_type=content_type),
        "caption": caption})


def add(cycle: Cycle, who, content: bytes = PDF, name: str = "sheet.pdf") -> CycleAttachment:
    from pdsa.attachments import attachment_add

    return attachment_add(cycle=cycle, uploaded_by=who,
                          upload=SimpleUploadedFile(name, content), caption="")


# --- Adding ----------------------------------------------------------------------------------

def test_it_adds_a_photo_without_its_location(client, world, cycle, storage):
    client.force_login(world.member_a)
    response = upload(client, cycle, jpeg_with_gps(), "IMG_0001.jpg", caption="Arrival board")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/cycles/{cycle.pk}/#files")
    item = cycle.attachments.get()
    assert (item.content_type, item.width, item.height) == ("image/jpeg", 40, 20)
    assert (item.original_name, item.caption, item.uploaded_by) == (
        "IMG_0001.jpg", "Arrival board", world.member_a)
    kept = item.file.open("rb").read()
    assert item.size == len(kept)
    assert b"PhoneMaker" not in kept
    assert b"Exif" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
    assert item.history.get().history_type == "+"


def test_it_turns_a_photo_upright_before_dropping_its_details(client, world, cycle, storage):
    client.force_login(world.member_a)
    upload(client, cycle, jpeg_with_gps((40, 20), orientation=6), "sideways.jpg")
    item = cycle.attachments.get()
    assert (item.width, item.height) == (20, 40)
    with Image.open(item.file.open("rb")) as image:
        assert image.size == (20, 40)
        assert not image.getexif()


def test_it_adds_a_png_and_a_pdf_by_their_content(client, world, cycle, storage):
    client.force_login(world.member_a)
    upload(client, cycle, png(), "board.png", content_type="image/png")
    # The name and the browser's word say photo; the content says PDF, and counts.
    upload(client, cycle, PDF, "sign-in.jpg", content_type="image/jpeg")
    kinds = list(cycle.attachments.values_list("content_type", "original_name"))
    assert kinds == [("image/png", "board.png"), ("application/pdf", "sign-in.jpg")]
    pdf = cycle.attachments.get(content_type="application/pdf")
    assert pdf.file.open("rb").read() == PDF
    assert pdf.file.name.endswith(".pdf")
    assert "sign-in" not in pdf.file.name
    assert len(stored_files(storage)) == 2


@pytest.mark.parametrize(("content", "name"), [
    (b"<html><script>alert(1)</script></html>", "x.jpg"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif"),
    (jpeg_with_gps()[:60], "cut-short.jpg"),
], ids=["html-named-jpg", "svg", "gif", "truncated-jpeg"])
def test_it_refuses_what_is_not_a_photo_or_a_pdf(client, world, cycle, storage, content, name):
    client.force_login(world.member_a)
    response = upload(client, cycle, content, name)
    assert response.status_code == 200
    assert "This is not a photo (JPEG, PNG or WebP) or a PDF." in response.text
    assert 'aria-invalid="true"' in response.text
    assert not CycleAttachment.objects.exists()
    assert stored_files(storage) == []


def test_it_refuses_a_file_too_large_and_keeps_nothing(client, world, cycle, storage, settings):
    settings.BSC_ATTACHMENT_MAX_BYTES = 2048
    client.force_login(world.member_a)
    response = upload(client, cycle, PDF + b"0" * 4000, "big.pdf")
    assert response.status_code == 200
    assert "the largest allowed is 2.0\xa0KB" in response.text
    assert not CycleAttachment.objects.exists()
    assert stored_files(storage) == []


def test_it_refuses_an_empty_post_with_a_message(client, world, cycle, storage):
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:attachment-create", args=[cycle.pk]), {})
    assert response.status_code == 200
    assert "Choose a photo or a PDF to add." in response.text
    assert not CycleAttachment.objects.exists()


def test_it_caps_the_files_on_a_cycle(client, world, cycle, storage, settings):
    settings.BSC_ATTACHMENTS_PER_CYCLE = 2
    client.force_login(world.member_a)
    for number in range(3):
        response = upload(client, cycle, PDF, f"sheet-{number}.pdf")
    assert "already has 2 photos and files" in response.text
    assert cycle.attachments.count() == 2
    assert len(stored_files(storage)) == 2
    page = client.get(cycle.get_absolute_url() + "?view=worksheet")
    assert "the most it can" in page.text
    assert 'name="file"' not in page.text


def test_it_deletes_the_stored_file_when_the_row_is_not_written(world, cycle, storage,
                                                                   monkeypatch):
    def broken_save(*args, **kwargs):
        raise IntegrityError("the database said no")

    monkeypatch.setattr(CycleAttachment, "save", broken_save)
    with pytest.raises(IntegrityError):
        add(cycle, world.member_a)
    assert stored_files(storage) == []


@pytest.mark.parametrize("persona", ["advisor", "coach", "member_b", "state_viewer"])
def test_it_lets_only_the_team_add_files(client, world, cycle, storage, persona):
    client.force_login(getattr(world, persona))
    response = upload(client, cycle, PDF, "sheet.pdf")
    assert response.status_code == (403 if persona in ("advisor", "coach") else 404)
    assert not CycleAttachment.objects.exists()


# --- Opening ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "expected"), [
    ("member_a", 200), ("lead_a", 200), ("advisor", 200), ("coach", 200),
    ("member_b", 404), ("other_advisor", 404), ("state_viewer", 404), ("stranger", 404),
])
def test_it_serves_a_file_to_the_team_and_its_leaders_only(client, world, cycle, storage,
                                                            persona, expected):
    item = add(cycle, world.member_a, jpeg_with_gps(), "photo.jpg")
    client.force_login(getattr(world, persona))
    response = client.get(reverse("pdsa:attachment", args=[item.pk]))
    assert response.status_code == expected


def test_it_keeps_a_shared_cycles_files_to_the_team(client, world, cycle, storage):
    Cycle.objects.filter(pk=cycle.pk).update(
        status=Cycle.Status.COMPLETE, is_shared=True, decision="adopt", study_summary="Worked.")
    item = add(cycle, world.member_a)
    client.force_login(world.member_b)
    assert client.get(cycle.get_absolute_url()).status_code == 200
    page = client.get(cycle.get_absolute_url())
    assert 'id="files"' not in page.text
    assert client.get(reverse("pdsa:attachment", args=[item.pk])).status_code == 404


def test_it_sends_a_visitor_to_sign_in(client, world, cycle, storage):
    item = add(cycle, world.member_a)
    url = reverse("pdsa:attachment", args=[item.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{settings.LOGIN_URL and reverse('login')}?next={url}"


def test_it_serves_a_file_safely(client, world, cycle, storage):
    item = add(cycle, world.member_a, PDF, 'sign-in "sheet"\x07.pdf')
    client.force_login(world.member_a)
    response = client.get(reverse("pdsa:attachment", args=[item.pk]))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Content-Disposition"] == 'attachment; filename="sign-in _sheet_.pdf"'
    assert response["Cache-Control"] == "no-store"


def test_it_shows_a_photo_in_the_page(client, world, cycle, storage):
    item = add(cycle, world.member_a, png(), "board.png")
    client.force_login(world.member_a)
    response = client.get(reverse("pdsa:attachment", args=[item.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="board.png"'
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_it_shows_photos_on_the_cycle_page(client, world, cycle, storage):
    photo = add(cycle, world.member_a, jpeg_with_gps(), "<i>photo.jpg")
    client.force_login(world.advisor)
    page = client.get(cycle.get_absolute_url())
    url = reverse("pdsa:attachment", args=[photo.pk])
    assert (f'<img src="{url}" loading="lazy" width="40" height="20" '
            f'class="img-fluid d-block mx-auto" alt="&lt;i&gt;photo.jpg">') in page.text
    assert "<i>photo" not in page.text
    assert 'name="file"' not in page.text  # leaders read; the team adds


def test_it_reads_the_files_of_a_cycle_in_a_fixed_number_of_queries(
        client, world, cycle, storage, django_assert_max_num_queries):
    add(cycle, world.member_a)
    client.force_login(world.member_a)
    with django_assert_max_num_queries(60) as one:
        client.get(cycle.get_absolute_url())
    for _number in range(4):
        add(cycle, world.member_a)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(cycle.get_absolute_url())


def test_it_serves_no_media_url(client, world, cycle, storage):
    item = add(cycle, world.member_a)
    client.force_login(world.member_a)
    assert client.get("/media/" + item.file.name).status_code == 404
    assert client.get("/" + item.file.name).status_code == 404
    location = Path(settings.STORAGES["attachments"]["OPTIONS"]["location"]).resolve()
    static = [Path(settings.STATIC_ROOT).resolve(), *(Path(d).resolve()
                                                      for d in settings.STATICFILES_DIRS)]
    assert not any(location.is_relative_to(root) for root in static)


# --- Removing --------------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "expected"), [
    ("member_a", 302), ("lead_a", 302), ("advisor", 302), ("coach", 302),
    ("other_member_a", 403), ("member_b", 404), ("state_viewer", 404),
])
def test_it_lets_the_uploader_the_team_lead_and_the_leaders_remove_a_file(
        client, world, cycle, storage, django_capture_on_commit_callbacks, persona, expected):
    item = add(cycle, world.member_a)
    if persona == "other_member_a":
        person = factories.UserFactory()
        factories.MembershipFactory(team=world.team_a, user=person)
    else:
        person = getattr(world, persona)
    client.force_login(person)
    url = reverse("pdsa:attachment-delete", args=[item.pk])
    assert client.get(url).status_code == (200 if expected == 302 else expected)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == expected
    removed = expected == 302
    assert CycleAttachment.objects.filter(pk=item.pk).exists() is not removed
    assert (stored_files(storage) == []) is removed
    if removed:
        assert item.history.latest("history_date").history_type == "-"


def test_it_removes_the_files_with_the_cycle(world, cycle, storage,
                                             django_capture_on_commit_callbacks):
    from pdsa.services import cycle_delete

    add(cycle, world.member_a)
    add(cycle, world.member_a, png(), "board.png")
    with django_capture_on_commit_callbacks(execute=True):
        cycle_delete(cycle=cycle)
    assert stored_files(storage) == []


# --- Storage ---------------------------------------------------------------------------------

def test_it_keeps_files_on_disk_under_the_var_directory_by_default():
    options = settings.STORAGES["attachments"]
    assert options["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert Path(options["OPTIONS"]["location"]) == settings.VAR_DIR / "media"


def test_it_uses_a_private_s3_bucket_when_one_is_set(monkeypatch):
    monkeypatch.setenv("BSC_S3_BUCKET", "bsc-files")
    monkeypatch.setenv("BSC_S3_ENDPOINT_URL", "https://s3.example.org")
    monkeypatch.setenv("BSC_S3_REGION", "us-east-1")
    monkeypatch.setenv("BSC_S3_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("BSC_S3_SECRET_ACCESS_KEY", "test-secret")
    configured = runpy.run_path(str(Path(settings.BASE_DIR) / "bsc_portal" / "settings.py"))
    options = configured["STORAGES"]["attachments"]
    assert options["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["OPTIONS"]["default_acl"] == "private"
    assert options["OPTIONS"]["querystring_auth"] is True
    pytest.importorskip("boto3")
    s3 = StorageHandler(configured["STORAGES"])["attachments"]  # no network until used
    assert type(s3).__name__ == "S3Storage"
    assert (s3.bucket_name, s3.endpoint_url, s3.region_name) == (
        "bsc-files", "https://s3.example.org", "us-east-1")

