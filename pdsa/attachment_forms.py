"""The form behind "Add a photo or file" on a cycle. It checks only what the browser sent;
``pdsa.attachments`` decides from the content what may be kept, for the pages and any
other caller alike."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pdsa.validators import validate_one_line

# Phones offer the camera, their photos and their files for these; `capture` is left off on
# purpose, as it would open the camera alone and hide a saved photo or a scanned PDF.
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or file"),
        error_messages={"required": _("Choose a photo or a PDF to add."),
                        "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    caption = forms.CharField(
        label=_("Caption (optional)"), required=False, max_length=200,
        validators=[validate_one_line],
        help_text=_("A few words on what it shows, read out to people who cannot see it."),
    )
