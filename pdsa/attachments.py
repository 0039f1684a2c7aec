"""Photos and files on a PDSA cycle (a visual schedule, a sign-in sheet): what may be kept,
who reads and removes them, and the writes.

A file's type is found from its content, never from its name or what the browser says:
JPEG, PNG and WebP open with Pillow, a PDF starts with ``%PDF-``. Photos are decoded, turned
upright (EXIF orientation) and saved again in their own format without their metadata, so
a phone's GPS position of a family's home never reaches the portal. PDFs are kept as they
are. Files are private: no URL serves the storage; ``pdsa:attachment`` streams each one
after the same check as the team's work.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from pdsa.models import Cycle, CycleAttachment
from teams import access
from teams.models import Team

Types = CycleAttachment.ContentType

_PILLOW_FORMATS = {"JPEG": Types.JPEG, "PNG": Types.PNG, "WEBP": Types.WEBP}
# Larger photos are scaled down to this many pixels on their long side: still sharp enough
# to read a sign-in sheet, and a cycle page of photos stays light on a phone's data plan.
MAX_IMAGE_SIDE = 2560
# Refused before decoding: a small file that unpacks to a huge picture (a "bomb").
MAX_IMAGE_PIXELS = 60_000_000


def max_bytes() -> int:
    return settings.BSC_ATTACHMENT_MAX_BYTES


def max_per_cycle() -> int:
    return settings.BSC_ATTACHMENTS_PER_CYCLE


def help_text() -> str:
    return _("A photo (JPEG, PNG or WebP) or a PDF, up to %(size)s, %(count)s per cycle. "
             "Photos are saved without their hidden details, such as where they were taken; "
             "PDFs are kept as they are.") % {"size": filesizeformat(max_bytes()),
                                              "count": max_per_cycle()}


# --- Reading the content -------------------------------------------------------------------

@dataclass(frozen=True)
class Inspected:
    """What an upload turned out to be, ready to store."""

    content: bytes
    content_type: str
    width: int | None = None
    height: int | None = None


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def attachment_inspect(upload: UploadedFile) -> Inspected:
    """The upload's real type and the bytes to keep (a photo re-encoded without metadata);
    a ValidationError on ``file`` for anything too large or of another type."""
    if upload.size is not None and upload.size > max_bytes():
        raise _refuse(_("The file is %(size)s; the largest allowed is %(max)s.")
                      % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes())},
                      "too_large")
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():  # a client that understated the size
        raise _refuse(_("The file is larger than %(max)s.") % {"max": filesizeformat(max_bytes())},
                      "too_large")
    if not data:
        raise _refuse(_("The file is empty."), "empty")
    if data.startswith(b"%PDF-"):
        return Inspected(content=data, content_type=Types.PDF)
    return _clean_image(data)


def _clean_image(data: bytes) -> Inspected:
    wrong_type = _refuse(_("This is not a photo (JPEG, PNG or WebP) or a PDF. Choose a photo or "
                           "a PDF file."), "wrong_type")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = _PILLOW_FORMATS.get(probe.format or "")
            if kind is None:
                raise wrong_type
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise _refuse(_("The picture is too large (%(width)s × %(height)s pixels).")
                              % {"width": probe.width, "height": probe.height}, "too_many_pixels")
            probe.verify()  # a truncated or corrupt file fails here, not while being served
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            content = _encode_without_metadata(upright, image.format, image.info)
            return Inspected(content=content, content_type=kind, width=upright.width,
                             height=upright.height)
    except ValidationError:
        raise
    except Exception:
        # Pillow raises many kinds of error on a damaged file (or damaged EXIF): all of them
        # mean the same to the person, a file we cannot read as a photo.
        raise wrong_type from None


def _encode_without_metadata(image: Image.Image, image_format: str, info: dict) -> bytes:
    """The picture alone, in its own format: a fresh image carries no EXIF, XMP or comments.
    The colour profile is kept (a phone's photo looks wrong without it); it says nothing
    about who or where."""
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    if image.mode == "P":
        clean.putpalette(image.getpalette() or [])
    options: dict = {}
    if info.get("icc_profile"):
        options["icc_profile"] = info["icc_profile"]
    if image_format == "JPEG":
        options.update(quality=88, optimize=True)
    elif image_format == "PNG":
        options["optimize"] = True
        if "transparency" in info:
            options["transparency"] = info["transparency"]
    elif image_format == "WEBP":
        options.update(quality=85)
    out = io.BytesIO()
    clean.save(out, format=image_format, **options)
    return out.getvalue()


def display_name(name: str) -> str:
    """The name a person gave the file, on one line: no folders, no control characters."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(" " if unicodedata.category(char).startswith("C") else char for char in base)
    return " ".join(cleaned.split())[:200] or _("file")


def download_name(attachment: CycleAttachment) -> str:
    """A safe name to give the browser: the person's name, ending as its type does."""
    stem = PurePath(attachment.original_name).stem or "file"
    safe = "".join(char if char.isalnum() or char in " -_()" else "_" for char in stem).strip()
    return f"{safe[:100] or 'file'}{CycleAttachment.EXTENSIONS[attachment.content_type]}"


# --- Who may read and remove --------------------------------------------------------------

def attachments_visible_to(user: access.User) -> QuerySet[CycleAttachment]:
    """The files of the user's own teams' cycles and of every team of the collaboratives they
    lead. A shared cycle's files stay with its team (photos of children and families): the
    collaborative's other teams read the worksheet, not the files; state viewers read none."""
    return CycleAttachment.objects.filter(access.team_work_q(user, "cycle__team"))


def attachments_of(user: access.User, cycle: Cycle) -> QuerySet[CycleAttachment]:
    return attachments_visible_to(user).filter(cycle=cycle).select_related("uploaded_by")


def can_remove_any_attachment(user: access.User, team: Team) -> bool:
    """The team's lead and the collaborative's leaders remove any of the team's files."""
    return access.can_manage_team(user, team) or access.can_delete_team_work(user, team)


def can_remove_attachment(user: access.User, attachment: CycleAttachment) -> bool:
    """The person who added the file, and those who may remove any of the team's files."""
    return bool(user.is_authenticated and attachment.uploaded_by_id == user.pk) or \
        can_remove_any_attachment(user, attachment.cycle.team)


def attachment_for(user: access.User, pk: int, *, remove: bool = False) -> CycleAttachment:
    """The file, or 404 if it is not the user's to know; 403 if ``remove`` and they may not."""
    attachment = (attachments_visible_to(user).select_related("cycle__team__collaborative")
                  .filter(pk=pk).first())
    if attachment is None:
        raise Http404("No such file.")
    if remove and not can_remove_attachment(user, attachment):
        raise PermissionDenied
    return attachment


# --- Writes ---------------------------------------------------------------------------------

def attachment_add(*, cycle: Cycle, uploaded_by: AbstractBaseUser, upload: UploadedFile,
                   caption: str = "") -> CycleAttachment:
    """Keep a photo or PDF on the cycle. Refused (ValidationError, nothing kept) when the
    cycle has its share of files, or the file is too large or of another type.

    The file is stored first and the row written after; if the row is not committed, the
    stored file is deleted again, so storage never holds a file no row points to."""
    _check_room(cycle)
    inspected = attachment_inspect(upload)
    attachment = CycleAttachment(
        cycle=cycle, uploaded_by=uploaded_by, original_name=display_name(upload.name or ""),
        content_type=inspected.content_type, size=len(inspected.content),
        caption=" ".join(caption.split()), width=inspected.width, height=inspected.height)
    field = CycleAttachment._meta.get_field("file")
    storage = field.storage
    name = storage.save(field.generate_filename(attachment, ""), ContentFile(inspected.content))
    attachment.file.name = name
    try:
        with transaction.atomic():
            _check_room(Cycle.objects.select_for_update().get(pk=cycle.pk))
            attachment.full_clean()
            attachment.save()
    except BaseException:
        storage.delete(name)
        raise
    return attachment


def _check_room(cycle: Cycle) -> None:
    if cycle.attachments.count() >= max_per_cycle():
        raise _refuse(_("This cycle already has %(count)s photos and files, the most it can "
                        "hold. Remove one to add another.") % {"count": max_per_cycle()},
                      "too_many")


@transaction.atomic
def attachment_remove(*, attachment: CycleAttachment) -> None:
    """Remove the file; the history keeps who removed it and when. The stored file goes once
    the removal is committed (``pdsa.models.attachment_file_cleanup``)."""
    attachment.delete()

