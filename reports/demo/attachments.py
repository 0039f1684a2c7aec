"""Demo photos and files on a cycle: team A's "Bigger pictures" cycle holds a photo of the
visual schedule (a PNG drawn here, in a few milliseconds) and the huddle's sign-in sheet (a
one-page PDF written by hand), stored through ``pdsa.attachments.attachment_add`` like an
upload, so they land in the attachments storage (var/media by default).

Idempotent: a file already on the cycle under the same name is not added again.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from pdsa.attachments import attachment_add
from pdsa.models import Cycle, CycleAttachment
from reports.demo.cycles import RAMPS
from teams.models import Team

CYCLE_TITLE = RAMPS[0][0][1][1][0]  # "Bigger pictures for the whole Butterflies room"
PHOTO_NAME = "visual-schedule.png"
PHOTO_CAPTION = "The new visual schedule by the rug, at children's eye level"
SHEET_NAME = "huddle-sign-in-sheet.pdf"
SHEET_CAPTION = "Sign-in sheet of the staff huddle on the schedule"
# The Butterflies room's morning, as picture cards: (word, fill colour).
SCHEDULE = [("Arrive", "#f4a261"), ("Play", "#2a9d8f"), ("Snack", "#e9c46a"),
            ("Outside", "#8ab17d"), ("Story", "#9b8ec4"), ("Home", "#e76f51")]


def seed_attachments(teams: list[Team]) -> list[CycleAttachment]:
    """Team A's demo files (none when the cycle is missing); returns the cycle's files."""
    cycle = (Cycle.objects.filter(team=teams[0], title=CYCLE_TITLE).select_related("lead").first()
             if teams else None)
    if cycle is None:
        return []
    present = set(cycle.attachments.values_list("original_name", flat=True))
    for name, caption, make in ((PHOTO_NAME, PHOTO_CAPTION, schedule_png),
                                (SHEET_NAME, SHEET_CAPTION, sign_in_pdf)):
        if name not in present:
            attachment_add(cycle=cycle, uploaded_by=cycle.lead, caption=caption,
                           upload=SimpleUploadedFile(name, make()))
    return list(cycle.attachments.all())


def schedule_png() -> bytes:
    """A photo-like picture of a visual schedule: a row of coloured cards with a word each."""
    width, height, margin = 640, 240, 16
    image = Image.new("RGB", (width, height), "#fdfaf3")
    draw = ImageDraw.Draw(image)
    title = ImageFont.load_default(size=24)
    word = ImageFont.load_default(size=18)
    draw.text((margin, 12), "Our morning", fill="#222222", font=title)
    card = (width - margin * (len(SCHEDULE) + 1)) // len(SCHEDULE)
    for index, (text, colour) in enumerate(SCHEDULE):
        left = margin + index * (card + margin)
        draw.rounded_rectangle((left, 60, left + card, 210), radius=10, fill=colour,
                               outline="#333333", width=2)
        draw.ellipse((left + card // 2 - 22, 80, left + card // 2 + 22, 124), fill="#ffffff")
        draw.text((left + card // 2, 180), text, fill="#111111", font=word, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def sign_in_pdf() -> bytes:
    """A one-page PDF sign-in sheet, written by hand (no PDF library needed)."""
    lines = ["BT /F1 18 Tf 72 740 Td (Staff huddle: the new visual schedule) Tj ET",
             "BT /F1 12 Tf 72 716 Td (Butterflies room - sign in, please) Tj ET"]
    for row, (name, role) in enumerate([("Ana Flores", "Lead teacher"),
                                        ("Grace Lee", "Assistant teacher"),
                                        ("Maria Garcia", "Director"),
                                        ("Daniel Kim", "Floater")]):
        y = 680 - row * 28
        lines.append(f"BT /F1 12 Tf 72 {y} Td ({name}) Tj 200 0 Td ({role}) Tj ET")
        lines.append(f"72 {y - 8} m 540 {y - 8} l S")
    stream = "\n".join(lines).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
